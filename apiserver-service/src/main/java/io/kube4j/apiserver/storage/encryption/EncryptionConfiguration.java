package io.kube4j.apiserver.storage.encryption;

import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' {@code apiserver.config.k8s.io/v1 EncryptionConfiguration}, loaded from the file named by
 * {@code kube4j.apiserver.encryption-provider-config}: which resources are encrypted at rest and with which
 * providers ({@code aesgcm}, {@code aescbc}, {@code identity}). Resources are written {@code secrets},
 * {@code deployments.apps}, {@code *.apps} or {@code *.*}.
 */
public final class EncryptionConfiguration {

    private final Map<String, ProviderChain> byKeyPrefix;

    private EncryptionConfiguration(Map<String, ProviderChain> byKeyPrefix) {
        this.byKeyPrefix = byKeyPrefix;
    }

    public static EncryptionConfiguration load(Path file, ResourceRegistry registry) {
        try {
            return parse(Files.readString(file), registry);
        } catch (IOException e) {
            throw new EncryptionException("cannot read the encryption configuration " + file + ": " + e.getMessage(), e);
        }
    }

    public static EncryptionConfiguration parse(String yaml, ResourceRegistry registry) {
        JsonNode root;
        try {
            List<JsonNode> docs = Codecs.readYamlDocuments(yaml);
            if (docs.size() != 1) {
                throw new EncryptionException("the encryption configuration must be one YAML document");
            }
            root = docs.get(0);
        } catch (JacksonException e) {
            throw new EncryptionException("the encryption configuration is not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (!"EncryptionConfiguration".equals(root.path("kind").asString(""))) {
            throw new EncryptionException("the encryption configuration must have kind EncryptionConfiguration");
        }
        Map<String, ProviderChain> out = new LinkedHashMap<>();
        for (JsonNode entry : root.path("resources")) {
            ProviderChain chain = providers(entry.path("providers"));
            for (JsonNode r : entry.path("resources")) {
                for (String prefix : keyPrefixes(r.asString(""), registry)) {
                    // as in Kubernetes, the first entry that names a resource wins
                    out.putIfAbsent(prefix, chain);
                }
            }
        }
        if (out.isEmpty()) {
            throw new EncryptionException("the encryption configuration names no resources");
        }
        return new EncryptionConfiguration(out);
    }

    private static ProviderChain providers(JsonNode list) {
        List<AesProvider> keys = new ArrayList<>();
        int identity = -1;
        int i = 0;
        for (JsonNode p : list) {
            if (p.size() != 1) {
                throw new EncryptionException("each provider must name exactly one kind (aesgcm, aescbc, identity)");
            }
            String kind = p.propertyNames().iterator().next();
            switch (kind) {
                case "identity" -> identity = identity < 0 ? i : identity;
                case "aesgcm", "aescbc" -> {
                    JsonNode ks = p.path(kind).path("keys");
                    if (ks.isEmpty()) {
                        throw new EncryptionException(kind + " needs at least one key");
                    }
                    for (JsonNode k : ks) {
                        String name = k.path("name").asString("");
                        if (name.isEmpty() || name.contains(":")) {
                            throw new EncryptionException(kind + ": a key needs a name without ':'");
                        }
                        byte[] secret;
                        try {
                            secret = Base64.getDecoder().decode(k.path("secret").asString(""));
                        } catch (IllegalArgumentException e) {
                            throw new EncryptionException(kind + " key " + name + ": the secret is not base64");
                        }
                        keys.add(new AesProvider(kind.equals("aesgcm") ? AesProvider.Mode.GCM : AesProvider.Mode.CBC,
                                name, secret));
                    }
                }
                default -> throw new EncryptionException("unsupported encryption provider " + kind
                        + " (kube4j supports aesgcm, aescbc and identity)");
            }
            i += kind.equals("identity") ? 1 : p.path(kind).path("keys").size();
        }
        return new ProviderChain(keys, identity);
    }

    private static List<String> keyPrefixes(String resource, ResourceRegistry registry) {
        if (resource.equals("*.*")) {
            return List.of("/registry/");
        }
        int dot = resource.indexOf('.');
        String plural = dot < 0 ? resource : resource.substring(0, dot);
        String group = dot < 0 ? "" : resource.substring(dot + 1);
        List<String> prefixes = new ArrayList<>();
        for (ResourceType t : registry.all()) {
            if (t.group().equals(group) && (plural.equals("*") || t.plural().equals(plural))) {
                prefixes.add(t.keyPrefix());
            }
        }
        if (prefixes.isEmpty()) {
            throw new EncryptionException("the encryption configuration names an unknown resource: " + resource);
        }
        return prefixes.stream().distinct().toList();
    }

    /** The transformer of {@code key}, or null when its resource is stored as is. */
    ValueTransformer transformerFor(String key) {
        ProviderChain best = null;
        int bestLen = -1;
        for (Map.Entry<String, ProviderChain> e : byKeyPrefix.entrySet()) {
            if (key.startsWith(e.getKey()) && e.getKey().length() > bestLen) {
                best = e.getValue();
                bestLen = e.getKey().length();
            }
        }
        return best;
    }

    /** Key prefix → the key new writes use, for the start-up log line. */
    public Map<String, String> writers() {
        Map<String, String> m = new LinkedHashMap<>();
        byKeyPrefix.forEach((p, c) -> m.put(p, c.writer()));
        return m;
    }
}
