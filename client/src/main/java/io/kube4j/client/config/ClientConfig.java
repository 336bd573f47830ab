package io.kube4j.client.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a {@link io.kube4j.client.KubeClient} needs to reach an apiserver: where it is, how to trust it, and who
 * we are. Build it from a kubeconfig ({@link KubeConfigLoader}), from the pod's service account ({@link #inCluster()})
 * or from {@code kube4j.client.*} properties ({@link #fromProperties(Map)}).
 *
 * @param server                the apiserver base URL, e.g. {@code https://10.0.0.1:6443} (no trailing slash needed)
 * @param caPem                 PEM CA bundle to trust, or null for the JVM's default trust
 * @param clientCertPem         PEM client certificate (chain), or null
 * @param clientKeyPem          PEM private key (PKCS#8) of the client certificate, or null
 * @param token                 bearer token, or null
 * @param tokenFile             a file holding the bearer token, re-read periodically (rotated tokens), or null
 * @param insecureSkipTlsVerify trust any server certificate
 * @param namespace             the default namespace (never null; "default" when unset)
 * @param requestTimeout        the timeout of a non-watch request
 */
public record ClientConfig(String server, byte[] caPem, byte[] clientCertPem, byte[] clientKeyPem, String token,
                           Path tokenFile, boolean insecureSkipTlsVerify, String namespace, Duration requestTimeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    public ClientConfig {
        Objects.requireNonNull(server, "server");
        if (server.isBlank()) {
            throw new IllegalArgumentException("the apiserver URL (server) is empty");
        }
        while (server.endsWith("/")) {
            server = server.substring(0, server.length() - 1);
        }
        namespace = namespace == null || namespace.isBlank() ? "default" : namespace;
        requestTimeout = requestTimeout == null ? DEFAULT_TIMEOUT : requestTimeout;
    }

    /** A plain config: a server URL, nothing else (no TLS material, no credentials). */
    public static ClientConfig of(String server) {
        return new ClientConfig(server, null, null, null, null, null, false, null, null);
    }

    public ClientConfig withToken(String t) {
        return new ClientConfig(server, caPem, clientCertPem, clientKeyPem, t, tokenFile, insecureSkipTlsVerify,
                namespace, requestTimeout);
    }

    public ClientConfig withNamespace(String ns) {
        return new ClientConfig(server, caPem, clientCertPem, clientKeyPem, token, tokenFile, insecureSkipTlsVerify,
                ns, requestTimeout);
    }

    public ClientConfig withRequestTimeout(Duration d) {
        return new ClientConfig(server, caPem, clientCertPem, clientKeyPem, token, tokenFile, insecureSkipTlsVerify,
                namespace, d);
    }

    public ClientConfig withCaPem(byte[] pem) {
        return new ClientConfig(server, pem, clientCertPem, clientKeyPem, token, tokenFile, insecureSkipTlsVerify,
                namespace, requestTimeout);
    }

    public ClientConfig withInsecureSkipTlsVerify(boolean b) {
        return new ClientConfig(server, caPem, clientCertPem, clientKeyPem, token, tokenFile, b, namespace,
                requestTimeout);
    }

    /** The config of a process running in a pod: the service account's token, CA and namespace. */
    public static ClientConfig inCluster() {
        return inCluster(SERVICE_ACCOUNT_DIR, System.getenv());
    }

    /** {@link #inCluster()} with the service account directory and the environment given (for tests). */
    public static ClientConfig inCluster(Path serviceAccountDir, Map<String, String> env) {
        String host = env.get("KUBERNETES_SERVICE_HOST");
        String port = env.get("KUBERNETES_SERVICE_PORT");
        if (host == null || host.isBlank() || port == null || port.isBlank()) {
            throw new IllegalStateException(
                    "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
        }
        Path tokenFile = serviceAccountDir.resolve("token");
        if (!Files.isReadable(tokenFile)) {
            throw new IllegalStateException("not running in a cluster: no service account token at " + tokenFile);
        }
        Path ca = serviceAccountDir.resolve("ca.crt");
        Path ns = serviceAccountDir.resolve("namespace");
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return new ClientConfig("https://" + h + ":" + port, Files.isReadable(ca) ? read(ca) : null, null, null,
                null, tokenFile, false, Files.isReadable(ns) ? new String(read(ns)).trim() : null, null);
    }

    /**
     * From flat properties, as Spring binds {@code kube4j.client.*}: {@code kubeconfig} (+ optional {@code context})
     * loads a kubeconfig file; otherwise {@code server} (+ optional {@code token}, {@code ca-file}). {@code namespace}
     * overrides the default namespace in both cases; with neither {@code server} nor {@code kubeconfig}, the
     * in-cluster config is used.
     */
    public static ClientConfig fromProperties(Map<String, String> props) {
        String kubeconfig = blankToNull(props.get("kubeconfig"));
        String server = blankToNull(props.get("server"));
        ClientConfig c;
        if (kubeconfig != null) {
            c = KubeConfigLoader.load(Path.of(kubeconfig), blankToNull(props.get("context")));
            if (server != null) {
                c = new ClientConfig(server, c.caPem, c.clientCertPem, c.clientKeyPem, c.token, c.tokenFile,
                        c.insecureSkipTlsVerify, c.namespace, c.requestTimeout);
            }
        } else if (server != null) {
            String caFile = blankToNull(props.get("ca-file"));
            c = new ClientConfig(server, caFile == null ? null : read(Path.of(caFile)), null, null,
                    blankToNull(props.get("token")), null, false, null, null);
        } else {
            c = inCluster();
        }
        if (blankToNull(props.get("token")) != null && kubeconfig != null) {
            c = c.withToken(props.get("token"));
        }
        if (blankToNull(props.get("namespace")) != null) {
            c = c.withNamespace(props.get("namespace"));
        }
        return c;
    }

    /** The bearer token to send now: {@link #token()}, else the token file's content (null if neither). */
    public String currentToken() {
        if (token != null) {
            return token;
        }
        return tokenFile == null ? null : new String(read(tokenFile)).trim();
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    @Override
    public String toString() {
        // Never print credentials.
        return "ClientConfig[server=" + server + ", ca=" + (caPem != null) + ", clientCert=" + (clientCertPem != null)
                + ", token=" + (token != null ? "***" : tokenFile != null ? tokenFile : "none")
                + ", insecureSkipTlsVerify=" + insecureSkipTlsVerify + ", namespace=" + namespace
                + ", requestTimeout=" + requestTimeout + "]";
    }
}
