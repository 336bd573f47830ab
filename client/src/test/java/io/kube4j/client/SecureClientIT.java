package io.kube4j.client;

import io.fabric8.kubernetes.api.model.Namespace;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.config.KubeConfigLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** kube4j's client against a secure apiserver: HTTPS with the cluster CA and a client certificate, from a kubeconfig. */
class SecureClientIT {

    private static final Duration T = Duration.ofSeconds(30);

    @Test
    void clientCertificatesFromAKubeconfigAuthenticate() {
        ApiServerInstance server = ApiServerInstance.secureShared();
        TestPki pki = server.pki();
        ClientConfig admin = KubeConfigLoader.load(server.kubeconfig(pki.admin()), null);
        try (KubeClient client = KubeClient.create(admin)) {
            assertThat(client.resources(Namespace.class).get(null, "default").block(T).getMetadata().getName())
                    .isEqualTo("default");
        }
        ClientConfig stranger = KubeConfigLoader.load(server.kubeconfig(pki.clientCert("stranger")), null);
        try (KubeClient client = KubeClient.create(stranger)) {
            assertThatThrownBy(() -> client.resources(Namespace.class).get(null, "default").block(T))
                    .isInstanceOf(ApiStatusException.class).hasMessageContaining("forbidden");
        }
    }
}
