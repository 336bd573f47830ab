package io.kube4j.controller.podgc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.kube4j.client.util.FakeClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

class PodGcTest {

    /** Records what the collector asks for; nodes "exist" when listed in {@link #existingNodes}. */
    static final class RecordingControl implements PodGcControl {
        final List<String> deleted = new CopyOnWriteArrayList<>();
        final Map<String, PodCondition> conditions = new HashMap<>();
        final Set<String> existingNodes = new HashSet<>();
        final List<String> nodeChecks = new CopyOnWriteArrayList<>();

        @Override
        public boolean nodeExists(String name) {
            nodeChecks.add(name);
            return existingNodes.contains(name);
        }

        @Override
        public Mono<Void> markFailedAndDelete(Pod pod, PodCondition condition) {
            return Mono.fromRunnable(() -> {
                deleted.add(pod.getMetadata().getName());
                if (condition != null) {
                    conditions.put(pod.getMetadata().getName(), condition);
                }
            });
        }
    }

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RecordingControl control = new RecordingControl();
    private final List<Pod> pods = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private PodGc gc;

    private PodGc gc(int threshold) {
        gc = new PodGc(() -> List.copyOf(pods), () -> List.copyOf(nodes), control, clock,
                new PodGcControllerProperties(threshold, Duration.ofSeconds(20), Duration.ofSeconds(40)),
                new SimpleMeterRegistry());
        return gc;
    }

    @AfterEach
    void tearDown() {
        if (gc != null) {
            gc.shutDown();
        }
    }

    /** {@code spec}: name:phase[:created-second[:Evicted]] */
    private static Pod pod(String spec) {
        String[] f = spec.split(":");
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace("ns").withName(f[0])
                .withCreationTimestamp(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(f.length > 2
                        ? Long.parseLong(f[2]) : 0).toString()).endMetadata()
                .withNewSpec().withNodeName("node-1").endSpec()
                .withNewStatus().withPhase(f[1]).withReason(f.length > 3 ? f[3] : null).endStatus();
        return b.build();
    }

    private static Node node(String name, boolean ready, String... taints) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus();
        for (String t : taints) {
            b.editSpec().addNewTaint().withKey(t).withEffect("NoExecute").endTaint().endSpec();
        }
        return b.build();
    }

    static Stream<Arguments> thresholdCases() {
        return Stream.of(
                // pods, threshold, deleted (in the order the collector picks them)
                Arguments.of(List.of("a:Succeeded:1", "b:Succeeded:2", "c:Succeeded:3"), 3, List.of()),
                Arguments.of(List.of("a:Succeeded:3", "b:Failed:1", "c:Succeeded:2"), 1, List.of("b", "c")),
                Arguments.of(List.of("old:Succeeded:1", "evicted:Failed:9:Evicted", "new:Failed:5"), 1,
                        List.of("evicted", "old")),
                Arguments.of(List.of("z:Succeeded:1", "y:Succeeded:1", "x:Succeeded:2"), 1, List.of("y", "z")),
                Arguments.of(List.of("run:Running:0", "pend:Pending:0", "unk:Unknown:0", "done:Succeeded:5"), 0,
                        List.of()), // threshold 0: terminated-pod collection is off
                Arguments.of(List.of("run:Running:0", "pend:Pending:0", "unk:Unknown:0", "done:Succeeded:5",
                        "done2:Failed:6"), 1, List.of("done")));
    }

    @ParameterizedTest
    @MethodSource("thresholdCases")
    void terminatedPodsBeyondTheThresholdGoEvictedFirstThenOldestFirst(List<String> specs, int threshold,
                                                                       List<String> expected) {
        nodes.add(node("node-1", true));
        specs.forEach(s -> pods.add(pod(s)));
        gc(threshold).gc();
        assertThat(control.deleted).containsExactlyInAnyOrderElementsOf(expected);
        List<Pod> terminated = new ArrayList<>(pods.stream().filter(PodGc::isTerminated).toList());
        terminated.sort(PodGc.BY_EVICTION_AND_CREATION);
        assertThat(terminated.subList(0, expected.size())).extracting(p -> p.getMetadata().getName())
                .containsExactlyElementsOf(expected);
    }

    @Test
    void podsOfAMissingNodeAreOrphansOnlyAfterTheQuarantineAndAGetConfirm() {
        nodes.add(node("node-1", true));
        Pod orphan = pod("orphan:Running:0");
        orphan.getSpec().setNodeName("gone");
        Pod back = pod("back:Running:0");
        back.getSpec().setNodeName("flaky"); // missing from the cache, but the GET finds it
        pods.add(orphan);
        pods.add(back);
        pods.add(pod("fine:Running:0"));
        control.existingNodes.add("flaky");
        gc(12500);

        gc.gc();
        clock.advance(Duration.ofSeconds(39));
        gc.gc();
        assertThat(control.nodeChecks).isEmpty();
        assertThat(control.deleted).isEmpty();

        clock.advance(Duration.ofSeconds(2));
        gc.gc();
        assertThat(control.nodeChecks).containsExactlyInAnyOrder("gone", "flaky");
        assertThat(control.deleted).containsExactly("orphan");
        PodCondition c = control.conditions.get("orphan");
        assertThat(c.getType()).isEqualTo("DisruptionTarget");
        assertThat(c.getReason()).isEqualTo("DeletionByPodGC");
        assertThat(c.getMessage()).isEqualTo("PodGC: node no longer exists");
    }

    @Test
    void aNodeThatReturnsToTheCacheDuringQuarantineIsNotChecked() {
        Pod p = pod("p:Running:0");
        p.getSpec().setNodeName("late");
        pods.add(p);
        gc(12500).gc();
        nodes.add(node("late", true));
        clock.advance(Duration.ofSeconds(41));
        gc.gc();
        assertThat(control.nodeChecks).isEmpty();
        assertThat(control.deleted).isEmpty();
    }

    @Test
    void unscheduledTerminatingPodsAreForceDeleted() {
        nodes.add(node("node-1", true));
        Pod unscheduled = pod("unscheduled:Pending:0");
        unscheduled.getSpec().setNodeName(null);
        unscheduled.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        Pod scheduled = pod("scheduled:Running:0");
        scheduled.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        Pod pending = pod("pending:Pending:0");
        pending.getSpec().setNodeName(null);
        pods.addAll(List.of(unscheduled, scheduled, pending));

        gc(12500).gc();

        assertThat(control.deleted).containsExactly("unscheduled");
    }

    @Test
    void terminatingPodsOnNotReadyOutOfServiceNodesAreForceDeleted() {
        nodes.add(node("oos", false, PodGc.OUT_OF_SERVICE_TAINT));
        nodes.add(node("ready-oos", true, PodGc.OUT_OF_SERVICE_TAINT));
        nodes.add(node("not-ready", false));
        for (String n : List.of("oos", "ready-oos", "not-ready")) {
            Pod p = pod("on-" + n + ":Running:0");
            p.getSpec().setNodeName(n);
            p.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
            pods.add(p);
            Pod live = pod("live-on-" + n + ":Running:0");
            live.getSpec().setNodeName(n);
            pods.add(live);
        }

        gc(12500).gc();

        assertThat(control.deleted).containsExactly("on-oos");
    }
}
