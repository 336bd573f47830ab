package io.kube4j.controller.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ReplicaSet controller against the real apiserver: scaling, adoption and release. */
class ReplicaSetControllerIT {

    private static final Duration WAIT = ControllerTestEnv.WAIT;

    private static KubeClient client;
    private static ControllerManager manager;
    private static ResourceClient<ReplicaSet> rss;
    private static ResourceClient<Pod> pods;
    private static String ns;

    @BeforeAll
    static void start() {
        client = ControllerTestEnv.client();
        rss = client.resources(ReplicaSet.class);
        pods = client.resources(Pod.class);
        ns = ControllerTestEnv.namespace("rs-it");
        manager = ControllerTestEnv.start(new ReplicaSetControllerFactory(ReplicaSetControllerProperties.defaults()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (manager != null) {
            manager.stop();
        }
    }

    static ReplicaSet replicaSet(String name, int replicas, Map<String, String> labels) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("registry.k8s.io/pause:3.9").endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    /** The pods the ReplicaSet controls that are not being deleted. */
    static List<Pod> livePods(ReplicaSet rs) {
        return pods.list(ns, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(p -> OwnerReferences.isControlledBy(p, rs.getMetadata().getUid()))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    static void awaitConverged(ReplicaSet rs, int replicas) {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(livePods(rs)).hasSize(replicas);
            ReplicaSet cur = rss.get(ns, rs.getMetadata().getName()).block(WAIT);
            assertThat(cur.getStatus()).isNotNull();
            assertThat(cur.getStatus().getReplicas()).isEqualTo(replicas);
            assertThat(cur.getStatus().getObservedGeneration()).isEqualTo(cur.getMetadata().getGeneration());
        });
    }

    static ReplicaSet scale(String name, int replicas) {
        return rss.updateWithRetry(ns, name, cur -> {
            cur.getSpec().setReplicas(replicas);
            return cur;
        }, false).block(WAIT);
    }

    @Test
    void scalesUpAndDown() {
        ReplicaSet rs = rss.create(replicaSet("web", 3, Map.of("app", "web"))).block(WAIT);
        awaitConverged(rs, 3);
        List<Pod> created = livePods(rs);
        assertThat(created).allSatisfy(p -> {
            assertThat(p.getMetadata().getName()).startsWith("web-");
            assertThat(p.getMetadata().getLabels()).containsEntry("app", "web");
            assertThat(OwnerReferences.controllerOf(p).getKind()).isEqualTo("ReplicaSet");
        });

        scale("web", 5);
        awaitConverged(rs, 5);
        scale("web", 1);
        awaitConverged(rs, 1);
        scale("web", 0);
        awaitConverged(rs, 0);

        await().atMost(WAIT).untilAsserted(() -> {
            List<String> reasons = client.resources(Event.class).list(ns, ListOptions.all()).block(WAIT).getItems()
                    .stream().filter(e -> "web".equals(e.getInvolvedObject().getName()))
                    .map(Event::getReason).toList();
            assertThat(reasons).contains("SuccessfulCreate", "SuccessfulDelete");
        });
    }

    @Test
    void adoptsAMatchingOrphanAndReleasesAPodWhoseLabelsChange() {
        Pod orphan = pods.create(new PodBuilder().withNewMetadata().withName("orphan").withNamespace(ns)
                .withLabels(Map.of("app", "adopt")).endMetadata().withNewSpec().addNewContainer().withName("c")
                .withImage("registry.k8s.io/pause:3.9").endContainer().endSpec().build()).block(WAIT);
        ReplicaSet rs = rss.create(replicaSet("adopter", 2, Map.of("app", "adopt"))).block(WAIT);
        awaitConverged(rs, 2);
        assertThat(livePods(rs)).extracting(p -> p.getMetadata().getName()).contains("orphan");
        assertThat(livePods(rs)).extracting(p -> p.getMetadata().getUid()).contains(orphan.getMetadata().getUid());

        // relabel the adopted pod: it is released and replaced
        pods.updateWithRetry(ns, "orphan", cur -> {
            cur.getMetadata().setLabels(Map.of("app", "gone"));
            return cur;
        }, false).block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> {
            Pod released = pods.get(ns, "orphan").block(WAIT);
            assertThat(OwnerReferences.controllerOf(released)).isNull();
        });
        awaitConverged(rs, 2);
        assertThat(livePods(rs)).extracting(p -> p.getMetadata().getName()).doesNotContain("orphan");
    }
}
