package io.kube4j.controller.serviceaccount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ResourceClient;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The service accounts controller on the real apiserver: {@code default} in every active namespace, recreated. */
class ServiceAccountsControllerIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static KubeClient client;
    private static ResourceClient<ServiceAccount> serviceAccounts;
    private static ControllerManager manager;

    @BeforeAll
    static void start() {
        client = ControllerTestEnv.client();
        serviceAccounts = client.resources(ServiceAccount.class);
        manager = ControllerTestEnv.start(new ServiceAccountsControllerFactory(
                ServiceAccountControllerProperties.defaults()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (manager != null) {
            manager.stop();
        }
    }

    private static ServiceAccount defaultSa(String ns) {
        try {
            return serviceAccounts.get(ns, "default").block(WAIT);
        } catch (ApiStatusException.NotFound e) {
            return null;
        }
    }

    @Test
    void aNewNamespaceGetsADefaultServiceAccountWhichComesBackWhenDeleted() {
        String ns = ControllerTestEnv.namespace("sa");
        ServiceAccount first = await().atMost(WAIT).until(() -> defaultSa(ns), sa -> sa != null);

        serviceAccounts.delete(ns, "default", DeleteOptions.defaults()).block(WAIT);

        ServiceAccount second = await().atMost(WAIT)
                .until(() -> defaultSa(ns), sa -> sa != null && !sa.getMetadata().getUid().equals(first.getMetadata().getUid()));
        assertThat(second.getMetadata().getNamespace()).isEqualTo(ns);
        assertThat(serviceAccounts.list(ns, null).block(WAIT).getItems()).hasSize(1);
    }

    @Test
    void aTerminatingNamespaceGetsNothingNew() {
        String ns = ControllerTestEnv.namespace("sa-term");
        await().atMost(WAIT).until(() -> defaultSa(ns) != null);
        // No namespace controller runs here: the namespace stays Terminating with its content.
        client.resources(Namespace.class).delete(null, ns, DeleteOptions.defaults()).block(WAIT);
        serviceAccounts.delete(ns, "default", DeleteOptions.defaults()).block(WAIT);

        await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> defaultSa(ns) == null);

        Namespace terminating = client.resources(Namespace.class).get(null, ns).block(WAIT);
        terminating.getSpec().setFinalizers(List.of());
        client.finalizeNamespace(terminating).block(WAIT); // clean up: the namespace goes
    }
}
