package io.kube4j.security.pki;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Objects;

/**
 * Writes a kubeconfig with one cluster, one user and one context (current): the server and its CA (a file path or
 * inline data), and the user's client certificate and key (paths, so that a rotated certificate is picked up, or
 * inline data) or bearer token. kubectl and kube4j's {@code KubeConfigLoader} read it.
 */
public final class KubeconfigWriter {

    private String clusterName = "kube4j";
    private String userName = "kube4j-admin";
    private String server;
    private Path caFile;
    private String caPem;
    private Path clientCertFile;
    private Path clientKeyFile;
    private String clientCertPem;
    private String clientKeyPem;
    private String token;
    private String namespace;

    public static KubeconfigWriter forServer(String server) {
        KubeconfigWriter w = new KubeconfigWriter();
        w.server = Objects.requireNonNull(server, "server");
        return w;
    }

    public KubeconfigWriter cluster(String name) {
        this.clusterName = name;
        return this;
    }

    public KubeconfigWriter user(String name) {
        this.userName = name;
        return this;
    }

    public KubeconfigWriter caFile(Path file) {
        this.caFile = file.toAbsolutePath();
        this.caPem = null;
        return this;
    }

    public KubeconfigWriter caData(String pem) {
        this.caPem = pem;
        this.caFile = null;
        return this;
    }

    public KubeconfigWriter clientCertificateFiles(Path cert, Path key) {
        this.clientCertFile = cert.toAbsolutePath();
        this.clientKeyFile = key.toAbsolutePath();
        this.clientCertPem = null;
        this.clientKeyPem = null;
        return this;
    }

    public KubeconfigWriter clientCertificateData(CertificateAndKey ck) {
        this.clientCertPem = ck.certificatePem();
        this.clientKeyPem = ck.keyPem();
        this.clientCertFile = null;
        this.clientKeyFile = null;
        return this;
    }

    public KubeconfigWriter token(String t) {
        this.token = t;
        return this;
    }

    public KubeconfigWriter namespace(String ns) {
        this.namespace = ns;
        return this;
    }

    /** The kubeconfig YAML. Every scalar is double-quoted (JSON string syntax, which is valid YAML). */
    public String render() {
        String context = userName + "@" + clusterName;
        StringBuilder y = new StringBuilder();
        y.append("apiVersion: v1\nkind: Config\n");
        y.append("clusters:\n- name: ").append(q(clusterName)).append("\n  cluster:\n");
        y.append("    server: ").append(q(server)).append('\n');
        if (caFile != null) {
            y.append("    certificate-authority: ").append(q(caFile.toString())).append('\n');
        } else if (caPem != null) {
            y.append("    certificate-authority-data: ").append(q(b64(caPem))).append('\n');
        }
        y.append("users:\n- name: ").append(q(userName)).append("\n  user:");
        boolean empty = true;
        if (clientCertFile != null) {
            y.append("\n    client-certificate: ").append(q(clientCertFile.toString()));
            y.append("\n    client-key: ").append(q(clientKeyFile.toString()));
            empty = false;
        } else if (clientCertPem != null) {
            y.append("\n    client-certificate-data: ").append(q(b64(clientCertPem)));
            y.append("\n    client-key-data: ").append(q(b64(clientKeyPem)));
            empty = false;
        }
        if (token != null) {
            y.append("\n    token: ").append(q(token));
            empty = false;
        }
        y.append(empty ? " {}\n" : "\n");
        y.append("contexts:\n- name: ").append(q(context)).append("\n  context:\n");
        y.append("    cluster: ").append(q(clusterName)).append('\n');
        y.append("    user: ").append(q(userName)).append('\n');
        if (namespace != null) {
            y.append("    namespace: ").append(q(namespace)).append('\n');
        }
        y.append("current-context: ").append(q(context)).append('\n');
        return y.toString();
    }

    /** Writes the kubeconfig owner-only (0600): it may hold a token or a key. */
    public void write(Path file) {
        PemFiles.writePrivate(file, render());
    }

    private static String b64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }

    private static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
