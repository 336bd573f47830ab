package io.kube4j.controller.podgc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.watch.WatchEvent;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pod garbage collector on the real apiserver, with a low threshold, a 1 s period and a 2 s quarantine: the
 * oldest terminated pods beyond the threshold go, pods of a node that does not exist are failed and deleted, and an
 * unscheduled terminating pod is failed.
 */
class PodGcControllerIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int THRESHOLD = 3;
    private static final String NODE = "podgc-node-" + UUID.randomUUID().toString().substring(0, 6);
    private static KubeClient client;
    private static ResourceClient<Pod> pods;
    private static ControllerManager manager;
    private static String ns;

    @BeforeAll
    static void start() {
        client = ControllerTestEnv.client();
        pods = client.resources(Pod.class);
        ns = ControllerTestEnv.namespace("podgc");
        client.resources(Node.class).create(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build())
                .block(WAIT);
        manager = ControllerTestEnv.start(new PodGcControllerFactory(
                new PodGcControllerProperties(THRESHOLD, Duration.ofSeconds(1), Duration.ofSeconds(2))));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (manager != null) {
            manager.stop();
        }
        try {
            client.resources(Node.class).delete(null, NODE, DeleteOptions.now()).block(WAIT);
        } catch (ApiStatusException.NotFound ignored) {
            // already gone
        }
    }

    private static Pod pod(String name, String node) {
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("busybox").endContainer()
                .endSpec().build();
    }

    private static void setPhase(String name, String phase) {
        pods.updateWithRetry(ns, name, p -> {
            p.getStatus().setPhase(phase);
            return p;
        }, true).block(WAIT);
    }

    private static Pod get(String name) {
        try {
            return pods.get(ns, name).block(WAIT);
        } catch (ApiStatusException.NotFound e) {
            return null;
        }
    }

    @Test
    void terminatedPodsBeyondTheThresholdAreDeletedOldestFirst() {
        pods.create(pod("running", NODE)).block(WAIT);
        setPhase("running", "Running");
        // created one after the other: creation order is age order (names break ties within a second)
        for (int i = 0; i < 6; i++) {
            pods.create(pod("done-" + i, NODE)).block(WAIT);
        }
        for (int i = 0; i < 6; i++) {
            setPhase("done-" + i, i % 2 == 0 ? "Succeeded" : "Failed");
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(names())
                .containsExactlyInAnyOrder("running", "done-3", "done-4", "done-5"));
        // every terminated pod of the cluster counts (other tests' leftovers are older and go first)
        long terminated = pods.list(null, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(PodGc::isTerminated).count();
        assertThat(terminated).isLessThanOrEqualTo(THRESHOLD);
    }

    @Test
    void podsOfANodeThatDoesNotExistAreFailedAndDeleted() {
        String missing = "podgc-missing-" + UUID.randomUUID().toString().substring(0, 6);
        Pod created = pods.create(pod("orphan", missing)).block(WAIT);
        setPhase("orphan", "Running");
        // from the creation on, so that a deletion before the watch starts is still seen
        List<WatchEvent<Pod>> events = pods.watch(ns, ListOptions.all().withFieldSelector("metadata.name=orphan"),
                        created.getMetadata().getResourceVersion())
                .takeUntil(e -> e.type() == WatchEvent.Type.DELETED)
                .collectList().block(WAIT);

        Pod last = events.get(events.size() - 1).object();
        assertThat(last.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(last.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("DisruptionTarget");
            assertThat(c.getReason()).isEqualTo("DeletionByPodGC");
        });
        assertThat(get("orphan")).isNull();
    }

    @Test
    void anUnscheduledTerminatingPodIsFailed() {
        Pod p = pod("unscheduled", null);
        p.getMetadata().setFinalizers(List.of("example.com/keep")); // keeps it Terminating after its deletion
        pods.create(p).block(WAIT);
        pods.delete(ns, "unscheduled", DeleteOptions.defaults()).block(WAIT);

        await().atMost(WAIT).until(() -> "Failed".equals(get("unscheduled").getStatus().getPhase()));

        pods.updateWithRetry(ns, "unscheduled", u -> {
            u.getMetadata().setFinalizers(List.of());
            return u;
        }, false).block(WAIT);
        await().atMost(WAIT).until(() -> get("unscheduled") == null);
    }

    private static List<String> names() {
        return pods.list(ns, ListOptions.all()).block(WAIT).getItems().stream()
                .map(p -> p.getMetadata().getName())
                .filter(n -> n.equals("running") || n.startsWith("done-")).toList();
    }
}
