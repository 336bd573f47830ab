package io.kube4j.controller.rootcacertpublisher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import io.kube4j.security.pki.CertificateAuthority;
import io.kube4j.security.pki.PemFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The root CA publisher on the real apiserver: kube-root-ca.crt in every namespace, kept equal to the CA file. */
class RootCaCertPublisherIT {

    private static final Duration WAIT = ControllerTestEnv.WAIT;
    @TempDir
    static Path dir;
    private static String bundle;
    private static ResourceClient<ConfigMap> configMaps;
    private static ControllerManager manager;

    @BeforeAll
    static void start() throws Exception {
        configMaps = ControllerTestEnv.client().resources(ConfigMap.class);
        bundle = PemFiles.encodeCertificate(CertificateAuthority.create("kube4j-test-ca").certificate());
        Path file = dir.resolve("ca.crt");
        Files.writeString(file, bundle);
        manager = ControllerTestEnv.start(new RootCaCertPublisherFactory(new RootCaCertPublisherProperties(file)));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (manager != null) {
            manager.stop();
        }
    }

    private static ConfigMap published(String ns) {
        try {
            return configMaps.get(ns, "kube-root-ca.crt").block(WAIT);
        } catch (ApiStatusException.NotFound e) {
            return null;
        }
    }

    @Test
    void aNewNamespaceGetsTheBundleWhichIsKeptEqualAndRecreated() {
        String ns = ControllerTestEnv.namespace("rootca");
        ConfigMap first = await().atMost(WAIT).until(() -> published(ns), cm -> cm != null);
        assertThat(first.getData()).isEqualTo(Map.of("ca.crt", bundle));
        assertThat(first.getMetadata().getAnnotations())
                .containsEntry("kubernetes.io/description", RootCaCertPublisher.DESCRIPTION);

        configMaps.updateWithRetry(ns, "kube-root-ca.crt", cm -> {
            cm.setData(Map.of("ca.crt", "not a CA", "extra", "x"));
            cm.getMetadata().setLabels(Map.of("team", "a"));
            return cm;
        }, false).block(WAIT);
        ConfigMap restored = await().atMost(WAIT).until(() -> published(ns),
                cm -> cm != null && Map.of("ca.crt", bundle).equals(cm.getData()));
        assertThat(restored.getMetadata().getLabels()).containsEntry("team", "a"); // only the data is set back

        configMaps.delete(ns, "kube-root-ca.crt", DeleteOptions.defaults()).block(WAIT);
        ConfigMap recreated = await().atMost(WAIT).until(() -> published(ns),
                cm -> cm != null && !cm.getMetadata().getUid().equals(first.getMetadata().getUid()));
        assertThat(recreated.getData()).isEqualTo(Map.of("ca.crt", bundle));
    }
}
