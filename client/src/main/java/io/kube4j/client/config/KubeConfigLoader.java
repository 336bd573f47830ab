package io.kube4j.client.config;

import io.kube4j.api.codec.Codecs;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads a kubeconfig file (clusters, users, contexts) into a {@link ClientConfig}: the current context or a named
 * one. File references ({@code certificate-authority}, {@code client-certificate}, {@code client-key},
 * {@code tokenFile}) are relative to the kubeconfig's directory.
 */
public final class KubeConfigLoader {

    private KubeConfigLoader() {
    }

    /** {@code $KUBECONFIG} (its first entry), else {@code ~/.kube/config}. */
    public static Path defaultLocation() {
        String env = System.getenv("KUBECONFIG");
        if (env != null && !env.isBlank()) {
            return Path.of(env.split(java.io.File.pathSeparator)[0]);
        }
        return Path.of(System.getProperty("user.home"), ".kube", "config");
    }

    /** The config of {@code context}, or of the file's current-context when {@code context} is null. */
    public static ClientConfig load(Path kubeconfig, String context) {
        String text;
        try {
            text = Files.readString(kubeconfig);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kubeconfig " + kubeconfig + ": " + e.getMessage(), e);
        }
        Path base = kubeconfig.toAbsolutePath().getParent();
        return parse(text, base, context, kubeconfig.toString());
    }

    /** Parses kubeconfig YAML; relative file references resolve against {@code baseDir}. */
    public static ClientConfig parse(String yaml, Path baseDir, String context, String source) {
        JsonNode root;
        try {
            root = Codecs.yaml().readTree(yaml);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("kubeconfig " + source + " is not valid YAML: "
                    + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("kubeconfig " + source + " is not a YAML mapping");
        }
        String ctxName = context != null ? context : text(root, "current-context");
        if (ctxName == null) {
            throw new IllegalArgumentException("kubeconfig " + source
                    + " has no current-context and no context was given; contexts: " + names(root, "contexts"));
        }
        JsonNode ctx = named(root, "contexts", ctxName, "context");
        if (ctx == null) {
            throw new IllegalArgumentException("context \"" + ctxName + "\" not found in kubeconfig " + source
                    + "; contexts: " + names(root, "contexts"));
        }
        String clusterName = text(ctx, "cluster");
        JsonNode cluster = clusterName == null ? null : named(root, "clusters", clusterName, "cluster");
        if (cluster == null) {
            throw new IllegalArgumentException("cluster \"" + clusterName + "\" of context \"" + ctxName
                    + "\" not found in kubeconfig " + source + "; clusters: " + names(root, "clusters"));
        }
        String userName = text(ctx, "user");
        JsonNode user = null;
        if (userName != null) {
            user = named(root, "users", userName, "user");
            if (user == null) {
                throw new IllegalArgumentException("user \"" + userName + "\" of context \"" + ctxName
                        + "\" not found in kubeconfig " + source + "; users: " + names(root, "users"));
            }
        }
        String server = text(cluster, "server");
        if (server == null) {
            throw new IllegalArgumentException("cluster \"" + clusterName + "\" in kubeconfig " + source
                    + " has no server");
        }
        byte[] ca = bytes(cluster, "certificate-authority-data", "certificate-authority", baseDir);
        boolean insecure = cluster.path("insecure-skip-tls-verify").asBoolean(false);
        byte[] cert = user == null ? null : bytes(user, "client-certificate-data", "client-certificate", baseDir);
        byte[] key = user == null ? null : bytes(user, "client-key-data", "client-key", baseDir);
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("user \"" + userName + "\" in kubeconfig " + source
                    + " has a client certificate without a key or a key without a certificate");
        }
        String token = user == null ? null : text(user, "token");
        String tokenFile = user == null ? null : text(user, "tokenFile");
        return new ClientConfig(server, ca, cert, key, token,
                token == null && tokenFile != null ? baseDir.resolve(tokenFile) : null, insecure,
                text(ctx, "namespace"), null);
    }

    private static JsonNode named(JsonNode root, String list, String name, String field) {
        for (JsonNode e : root.path(list)) {
            if (name.equals(text(e, "name"))) {
                JsonNode v = e.path(field);
                return v.isObject() ? v : Codecs.yaml().createObjectNode();
            }
        }
        return null;
    }

    private static List<String> names(JsonNode root, String list) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : root.path(list)) {
            out.add(text(e, "name"));
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        String s = v.asString();
        return s == null || s.isBlank() ? null : s;
    }

    private static byte[] bytes(JsonNode n, String dataField, String fileField, Path baseDir) {
        String data = text(n, dataField);
        if (data != null) {
            try {
                return Base64.getMimeDecoder().decode(data.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(dataField + " is not valid base64: " + e.getMessage(), e);
            }
        }
        String file = text(n, fileField);
        return file == null ? null : ClientConfig.read(baseDir.resolve(file));
    }
}
