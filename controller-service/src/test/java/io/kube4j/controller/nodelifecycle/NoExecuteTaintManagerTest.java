package io.kube4j.controller.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.kube4j.client.util.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The taint manager's timers on a fake clock, with a recording {@link NoExecuteTaintManager.Actions}. */
class NoExecuteTaintManagerTest {

    final FakeClock clock = new FakeClock();
    final Map<String, Node> nodes = new HashMap<>();
    final Map<String, Pod> pods = new HashMap<>();
    final List<String> evicted = new ArrayList<>();
    final List<String> cancelled = new ArrayList<>();
    final NoExecuteTaintManager manager = new NoExecuteTaintManager(clock, nodes::get,
            n -> pods.values().stream().filter(p -> n.equals(p.getSpec().getNodeName())).toList(),
            new NoExecuteTaintManager.Actions() {
                @Override
                public void evict(String namespace, String name) {
                    evicted.add(namespace + "/" + name);
                }

                @Override
                public void cancelled(String namespace, String name) {
                    cancelled.add(namespace + "/" + name);
                }
            });

    @AfterEach
    void shutDown() {
        manager.shutDown();
    }

    void node(String name, Taint... taints) {
        nodes.put(name, new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withTaints(taints).endSpec().build());
        manager.nodeUpdated(name);
    }

    Pod pod(String name, String node, Long unreachableSeconds, boolean tolerate) {
        List<Toleration> t = tolerate ? List.of(new TolerationBuilder().withKey(NodeTaints.UNREACHABLE)
                .withOperator("Exists").withEffect("NoExecute").withTolerationSeconds(unreachableSeconds).build())
                : List.of();
        Pod p = new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).endMetadata().withNewSpec()
                .withNodeName(node).withTolerations(t).endSpec().build();
        pods.put(name, p);
        manager.podUpdated("ns", name, p);
        return p;
    }

    void runDue() throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            manager.runNext(Duration.ZERO);
        }
    }

    static Taint unreachable() {
        return NodeTaints.taint(NodeTaints.UNREACHABLE, "NoExecute");
    }

    @Test
    void untoleratedNowTolerationSecondsLaterForeverNever() throws InterruptedException {
        node("n1");
        pod("plain", "n1", null, false);
        pod("three", "n1", 3L, true);
        pod("forever", "n1", null, true);
        pod("elsewhere", "n2", null, false);
        runDue();
        assertThat(evicted).isEmpty();

        node("n1", unreachable());
        runDue();
        assertThat(evicted).containsExactly("ns/plain");
        clock.advance(Duration.ofMillis(2999));
        runDue();
        assertThat(evicted).containsExactly("ns/plain");
        clock.advance(Duration.ofMillis(1));
        runDue();
        assertThat(evicted).containsExactly("ns/plain", "ns/three");
        clock.advance(Duration.ofHours(1));
        runDue();
        assertThat(evicted).containsExactly("ns/plain", "ns/three");
        assertThat(cancelled).isEmpty();
    }

    @Test
    void theTaintGoingCancelsTheTimer() throws InterruptedException {
        node("n1", unreachable());
        pod("p", "n1", 10L, true);
        clock.advance(Duration.ofSeconds(5));
        node("n1");
        assertThat(cancelled).containsExactly("ns/p");
        clock.advance(Duration.ofSeconds(10));
        runDue();
        assertThat(evicted).isEmpty();
    }

    @Test
    void thePodGoingCancelsTheTimer() throws InterruptedException {
        node("n1", unreachable());
        pod("p", "n1", 10L, true);
        pods.remove("p");
        manager.podUpdated("ns", "p", null);
        assertThat(cancelled).containsExactly("ns/p");
        clock.advance(Duration.ofSeconds(20));
        runDue();
        assertThat(evicted).isEmpty();
    }

    @Test
    void reEvaluationKeepsCountingFromTheFirstTaint() throws InterruptedException {
        node("n1", unreachable());
        pod("p", "n1", 10L, true);
        clock.advance(Duration.ofSeconds(6));
        // another NoExecute taint the pod tolerates forever: the node is re-evaluated, the timer keeps its start
        Taint other = NodeTaints.taint("maintenance", "NoExecute");
        Pod p = pods.get("p");
        p.getSpec().setTolerations(new ArrayList<>(p.getSpec().getTolerations()));
        p.getSpec().getTolerations().add(new TolerationBuilder().withKey("maintenance").withOperator("Exists").build());
        node("n1", unreachable(), other);
        assertThat(manager.scheduled("ns/p").fireAt()).isEqualTo(clock.now().plusSeconds(4));
        clock.advance(Duration.ofSeconds(4));
        runDue();
        assertThat(evicted).containsExactly("ns/p");
    }

    @Test
    void aPodBoundToATaintedNodeLaterIsEvaluatedToo() throws InterruptedException {
        node("n1", unreachable());
        pod("late", "n1", null, false);
        runDue();
        assertThat(evicted).containsExactly("ns/late");
    }

    @Test
    void aFailedEvictionIsRetried() throws InterruptedException {
        List<Integer> attempts = new ArrayList<>();
        NoExecuteTaintManager failing = new NoExecuteTaintManager(clock, nodes::get,
                n -> pods.values().stream().filter(p -> n.equals(p.getSpec().getNodeName())).toList(),
                new NoExecuteTaintManager.Actions() {
                    @Override
                    public void evict(String namespace, String name) {
                        attempts.add(attempts.size());
                        if (attempts.size() == 1) {
                            throw new IllegalStateException("apiserver down");
                        }
                    }

                    @Override
                    public void cancelled(String namespace, String name) {
                    }
                });
        try {
            nodes.put("n1", new NodeBuilder().withNewMetadata().withName("n1").endMetadata().withNewSpec()
                    .withTaints(unreachable()).endSpec().build());
            pods.put("p", new PodBuilder().withNewMetadata().withNamespace("ns").withName("p").endMetadata()
                    .withNewSpec().withNodeName("n1").endSpec().build());
            failing.nodeUpdated("n1");
            failing.runNext(Duration.ZERO);
            assertThat(attempts).hasSize(1);
            failing.runNext(Duration.ZERO);
            assertThat(attempts).hasSize(1);
            clock.advance(Duration.ofSeconds(1));
            failing.runNext(Duration.ZERO);
            assertThat(attempts).hasSize(2);
        } finally {
            failing.shutDown();
        }
    }
}
