package io.kube4j.cli.session;

import io.kube4j.api.codec.Codecs;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.config.KubeConfigLoader;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kubeconfig as kubectl reads it: {@code --kubeconfig FILE} alone; else every file of {@code $KUBECONFIG}
 * (missing ones skipped) merged, the first file to name a cluster, user or context winning, and the first
 * {@code current-context} set winning; else {@code ~/.kube/config}. File references ({@code certificate-authority},
 * {@code client-certificate}, {@code client-key}, {@code tokenFile}) are resolved against the file that holds them.
 *
 * @param files  the files read, in precedence order (those that exist)
 * @param merged the merged document (paths made absolute)
 */
public record KubeConfigs(List<Path> files, ObjectNode merged) {

    private static final List<String> PATH_FIELDS =
            List.of("certificate-authority", "client-certificate", "client-key", "tokenFile");

    /** The files kubectl would read for {@code explicit} (the --kubeconfig flag, or null) and {@code env}. */
    public static List<Path> locations(String explicit, Map<String, String> env) {
        if (explicit != null && !explicit.isBlank()) {
            return List.of(Path.of(explicit));
        }
        String kc = env.get("KUBECONFIG");
        if (kc != null && !kc.isBlank()) {
            List<Path> l = new ArrayList<>();
            for (String p : kc.split(File.pathSeparator)) {
                if (!p.isBlank() && !l.contains(Path.of(p))) {
                    l.add(Path.of(p));
                }
            }
            return l;
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return List.of(Path.of(home, ".kube", "config"));
    }

    /** Loads and merges; an explicit --kubeconfig that does not exist is an error, missing KUBECONFIG entries are not. */
    public static KubeConfigs load(String explicit, Map<String, String> env) {
        return load(explicit, env, true);
    }

    /**
     * Loads and merges as {@link #load(String, Map)}; with {@code resolvePaths} false, file references stay as written
     * (what {@code config view} shows).
     */
    public static KubeConfigs load(String explicit, Map<String, String> env, boolean resolvePaths) {
        List<Path> candidates = locations(explicit, env);
        if (explicit != null && !explicit.isBlank() && !Files.exists(candidates.get(0))) {
            throw new IllegalArgumentException("stat " + explicit + ": no such file or directory");
        }
        ObjectNode merged = Codecs.json().createObjectNode();
        merged.put("apiVersion", "v1");
        merged.put("kind", "Config");
        ArrayNode clusters = merged.putArray("clusters");
        ArrayNode users = merged.putArray("users");
        ArrayNode contexts = merged.putArray("contexts");
        Set<String> seen = new HashSet<>();
        List<Path> read = new ArrayList<>();
        for (Path f : candidates) {
            if (!Files.isRegularFile(f)) {
                continue;
            }
            read.add(f);
            JsonNode doc = parse(f);
            if (doc == null || !doc.isObject()) {
                continue;
            }
            Path base = resolvePaths ? f.toAbsolutePath().getParent() : null;
            if (!merged.has("current-context") && !doc.path("current-context").asString("").isEmpty()) {
                merged.put("current-context", doc.path("current-context").asString());
            }
            if (!merged.has("preferences") && doc.has("preferences")) {
                merged.set("preferences", doc.get("preferences"));
            }
            mergeNamed(doc, "clusters", "cluster", clusters, seen, base);
            mergeNamed(doc, "users", "user", users, seen, base);
            mergeNamed(doc, "contexts", "context", contexts, seen, base);
        }
        return new KubeConfigs(List.copyOf(read), merged);
    }

    static JsonNode parse(Path f) {
        try {
            String text = Files.readString(f);
            return text.isBlank() ? null : Codecs.yaml().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kubeconfig " + f + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("kubeconfig " + f + " is not valid YAML: " + e.getMessage(), e);
        }
    }

    private static void mergeNamed(JsonNode doc, String list, String field, ArrayNode into, Set<String> seen,
                                   Path base) {
        for (JsonNode e : doc.path(list)) {
            String name = e.path("name").asString("");
            if (name.isEmpty() || !seen.add(list + "/" + name)) {
                continue;
            }
            ObjectNode copy = ((ObjectNode) e).deepCopy();
            if (base != null && copy.get(field) instanceof ObjectNode body) {
                for (String pf : PATH_FIELDS) {
                    String v = body.path(pf).asString("");
                    if (!v.isEmpty() && !Path.of(v).isAbsolute()) {
                        body.put(pf, base.resolve(v).normalize().toString());
                    }
                }
            }
            into.add(copy);
        }
    }

    /** The merged current-context, or null. */
    public String currentContext() {
        String c = merged.path("current-context").asString("");
        return c.isEmpty() ? null : c;
    }

    /** The names of the contexts, in order. */
    public List<String> contextNames() {
        List<String> l = new ArrayList<>();
        merged.path("contexts").forEach(c -> l.add(c.path("name").asString()));
        return l;
    }

    /** The {@code context} entry named {@code name} (its inner object), or null. */
    public JsonNode context(String name) {
        for (JsonNode c : merged.path("contexts")) {
            if (name.equals(c.path("name").asString())) {
                return c.path("context");
            }
        }
        return null;
    }

    /** The client config of {@code context} (null: the current context). */
    public ClientConfig clientConfig(String context) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no kubeconfig found (looked at " + String.join(", ",
                    locations(null, System.getenv()).stream().map(Path::toString).toList())
                    + "); start a cluster with ./kube4j up, or pass --kubeconfig");
        }
        String yaml = Codecs.yaml().writeValueAsString(merged);
        return KubeConfigLoader.parse(yaml, Path.of("/"), context, String.join(File.pathSeparator,
                files.stream().map(Path::toString).toList()));
    }
}
