package io.kube4j.client.util;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.kube4j.client.KubeClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** What the client's tests create over and over: a fresh namespace, a small ConfigMap, a self-signed certificate. */
public final class TestObjects {

    private TestObjects() {
    }

    /** Creates a namespace named {@code prefix-<random>} and returns its name. */
    public static String namespace(KubeClient c, String prefix, Duration timeout) {
        String ns = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        c.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                .build()).block(timeout);
        return ns;
    }

    /** A ConfigMap with one data key {@code v}. */
    public static ConfigMap configMap(String ns, String name, String value) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withData(Map.of("v", value)).build();
    }

    /**
     * A self-signed certificate for 127.0.0.1/localhost and its key, made by the openssl command; false when openssl
     * is missing or fails (the caller then skips what needs it).
     */
    public static boolean selfSignedCertificate(Path cert, Path key) {
        try {
            Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-subj", "/CN=test", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "1",
                    "-keyout", key.toString(), "-out", cert.toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 && Files.size(cert) > 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
