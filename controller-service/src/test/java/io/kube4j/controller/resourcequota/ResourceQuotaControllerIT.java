package io.kube4j.controller.resourcequota;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The resource quota controller with the apiserver's ResourceQuota admission: creates charge the quota, deletes are
 * given back by the controller's recount, so a full quota admits again once objects go.
 */
class ResourceQuotaControllerIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static KubeClient client;
    private static ControllerManager manager;

    @BeforeAll
    static void start() {
        client = ControllerTestEnv.client();
        manager = ControllerTestEnv.start(new ResourceQuotaControllerFactory(ResourceQuotaControllerProperties.defaults()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (manager != null) {
            manager.stop();
        }
    }

    private static String used(String ns, String resource) {
        ResourceQuota q = client.resources(ResourceQuota.class).get(ns, "q").block(WAIT);
        Map<String, Quantity> used = q.getStatus() == null ? null : q.getStatus().getUsed();
        return used == null || used.get(resource) == null ? null : used.get(resource).toString();
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().addNewContainer()
                .withName("c").withImage("busybox").endContainer().endSpec().build();
    }

    @Test
    void usageIsCountedAndGivenBackWhenObjectsGo() {
        String ns = ControllerTestEnv.namespace("quota");
        client.resources(ConfigMap.class).create(new ConfigMapBuilder().withNewMetadata().withNamespace(ns)
                .withName("before").endMetadata().build()).block(WAIT);
        client.resources(ResourceQuota.class).create(new ResourceQuotaBuilder().withNewMetadata().withNamespace(ns)
                .withName("q").endMetadata().withNewSpec().withHard(Map.of("pods", new Quantity("2"),
                        "count/configmaps", new Quantity("5"))).endSpec().build()).block(WAIT);
        // the controller counts what was there before the quota
        await().atMost(WAIT).until(() -> "1".equals(used(ns, "count/configmaps")) && "0".equals(used(ns, "pods")));

        var pods = client.resources(Pod.class);
        pods.create(withNs(pod("a"), ns)).block(WAIT);
        pods.create(withNs(pod("b"), ns)).block(WAIT);
        assertThatThrownBy(() -> pods.create(withNs(pod("c"), ns)).block(WAIT))
                .isInstanceOf(ApiStatusException.Forbidden.class).hasMessageContaining("exceeded quota: q");

        pods.delete(ns, "a", DeleteOptions.defaults()).block(WAIT);
        await().atMost(WAIT).until(() -> "1".equals(used(ns, "pods")));
        pods.create(withNs(pod("c"), ns)).block(WAIT);
        assertThat(used(ns, "pods")).isEqualTo("2");
    }

    private static Pod withNs(Pod p, String ns) {
        p.getMetadata().setNamespace(ns);
        return p;
    }
}
