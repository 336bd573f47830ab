package io.kube4j.scheduler.framework;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static io.kube4j.scheduler.testsupport.TestObjects.taint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import io.kube4j.scheduler.plugins.DefaultPlugins;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameworkTest {

    private final Parallelizer parallelizer = new Parallelizer(4);

    @AfterEach
    void close() {
        parallelizer.close();
    }

    private Framework framework(int percentage) {
        BindPlugin noop = new BindPlugin() {
            @Override
            public String name() {
                return "NoopBinder";
            }

            @Override
            public Status bind(CycleState state, io.fabric8.kubernetes.api.model.Pod pod, String nodeName) {
                return Status.success();
            }
        };
        return new Framework(DefaultPlugins.profile("default-scheduler", noop, percentage), parallelizer,
                new Random(1));
    }

    @ParameterizedTest(name = "{0} nodes at {1}% -> {2}")
    @CsvSource({"10, 0, 10", "99, 0, 99", "100, 0, 100", "200, 0, 100", "1000, 0, 420", "5000, 0, 500",
            "6000, 0, 300", "10000, 0, 500", "1000, 30, 300", "1000, 100, 1000", "150, 10, 100"})
    void numFeasibleNodesToFind(int nodes, int percentage, int expected) {
        assertThat(framework(percentage).numFeasibleNodesToFind(nodes)).isEqualTo(expected);
    }

    @Test
    void explainsWhyNoNodeFits() {
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(NodeInfo.of(node("small-" + i, "1", "1Gi").build()));
        }
        for (int i = 0; i < 2; i++) {
            nodes.add(NodeInfo.of(node("gpu-" + i, "8", "8Gi").editSpec()
                    .withTaints(taint("dedicated", "gpu", "NoSchedule")).endSpec().build()));
        }
        var pod = pod("big", "cpu", "2").build();
        assertThatThrownBy(() -> framework(0).schedule(new CycleState(), pod, Snapshot.of(nodes)))
                .isInstanceOfSatisfying(FitError.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("0/5 nodes are available: 2 node(s) had untolerated taint"
                            + " {dedicated: gpu}, 3 Insufficient cpu.");
                    assertThat(e.unschedulablePlugins()).containsExactlyInAnyOrder("TaintToleration",
                            "NodeResourcesFit");
                });
    }

    @Test
    void noNodesAtAll() {
        assertThatThrownBy(() -> framework(0).schedule(new CycleState(), pod("p").build(), Snapshot.of(List.of())))
                .hasMessage("0/0 nodes are available:");
    }

    @Test
    void picksTheLeastAllocatedFeasibleNode() {
        List<NodeInfo> nodes = List.of(
                NodeInfo.of(node("full", "2", "4Gi").build(), pod("a", "cpu", "1500m").build()),
                NodeInfo.of(node("empty", "2", "4Gi").build()),
                NodeInfo.of(node("tiny", "100m", "4Gi").build()));
        ScheduleResult r = framework(0).schedule(new CycleState(), pod("p", "cpu", "400m").build(),
                Snapshot.of(nodes));
        assertThat(r.suggestedHost()).isEqualTo("empty");
        assertThat(r.feasibleNodes()).isEqualTo(2);
        assertThat(r.evaluatedNodes()).isEqualTo(3);
    }

    @Test
    void largeClustersStopAfterEnoughFeasibleNodesAndResumeWhereTheyStopped() {
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            nodes.add(NodeInfo.of(node("n" + i, "4", "8Gi").build()));
        }
        Snapshot snapshot = Snapshot.of(nodes);
        Framework fw = framework(0);
        ScheduleResult first = fw.schedule(new CycleState(), pod("p").build(), snapshot);
        assertThat(first.feasibleNodes()).isEqualTo(420);
        assertThat(first.evaluatedNodes()).isBetween(420, 1000);
        // Equal scores everywhere: over many cycles the picks spread over the whole cluster, not the first 420.
        Set<String> picked = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            picked.add(fw.schedule(new CycleState(), pod("p").build(), snapshot).suggestedHost());
        }
        assertThat(picked.stream().mapToInt(n -> Integer.parseInt(n.substring(1))).max().orElseThrow())
                .isGreaterThan(420);
    }

    @Test
    void parallelFilteringFindsTheOnlyFittingNode() {
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            nodes.add(NodeInfo.of(node("n" + i, i == 1234 ? "16" : "1", "8Gi").build()));
        }
        ScheduleResult r = framework(0).schedule(new CycleState(), pod("p", "cpu", "8").build(), Snapshot.of(nodes));
        assertThat(r.suggestedHost()).isEqualTo("n1234");
        assertThat(r.evaluatedNodes()).isEqualTo(2000);
    }

    /** A plugin whose PreFilter/PreScore answer Skip or success as told, counting its Filter and Score calls. */
    private static final class Skippy implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
        final boolean skip;
        final java.util.concurrent.atomic.AtomicInteger filters = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger scores = new java.util.concurrent.atomic.AtomicInteger();

        Skippy(boolean skip) {
            this.skip = skip;
        }

        @Override
        public String name() {
            return "Skippy";
        }

        @Override
        public Status preFilter(CycleState state, io.fabric8.kubernetes.api.model.Pod pod) {
            return skip ? Status.skip() : Status.success();
        }

        @Override
        public Status filter(CycleState state, io.fabric8.kubernetes.api.model.Pod pod, NodeInfo node) {
            filters.incrementAndGet();
            return Status.success();
        }

        @Override
        public Status preScore(CycleState state, io.fabric8.kubernetes.api.model.Pod pod, List<NodeInfo> nodes) {
            return skip ? Status.skip() : Status.success();
        }

        @Override
        public long score(CycleState state, io.fabric8.kubernetes.api.model.Pod pod, NodeInfo node) {
            scores.incrementAndGet();
            return node.name().equals("n-1") ? 100 : 0;
        }
    }

    @ParameterizedTest(name = "skip={0}")
    @CsvSource({"true", "false"})
    void aPluginThatSkipsInPreFilterAndPreScoreIsNotAskedPerNode(boolean skip) {
        Skippy skippy = new Skippy(skip);
        BindPlugin noop = new BindPlugin() {
            @Override
            public String name() {
                return "NoopBinder";
            }

            @Override
            public Status bind(CycleState state, io.fabric8.kubernetes.api.model.Pod pod, String nodeName) {
                return Status.success();
            }
        };
        Profile profile = Profile.builder("default-scheduler", new io.kube4j.scheduler.plugins.queuesort.PrioritySort())
                .plugin(new io.kube4j.scheduler.plugins.nodeunschedulable.NodeUnschedulable())
                .plugin(skippy, 5)
                .plugin(noop).build();
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(NodeInfo.of(node("n-" + i, "4", "8Gi").build()));
        }
        ScheduleResult r = new Framework(profile, parallelizer, new Random(1)).schedule(new CycleState(),
                pod("p").build(), Snapshot.of(nodes));
        assertThat(skippy.filters.get()).isEqualTo(skip ? 0 : 3);
        assertThat(skippy.scores.get()).isEqualTo(skip ? 0 : 3);
        if (!skip) {
            assertThat(r.suggestedHost()).isEqualTo("n-1");
        }
    }
}
