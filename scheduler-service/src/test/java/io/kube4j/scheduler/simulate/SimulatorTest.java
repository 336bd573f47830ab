package io.kube4j.scheduler.simulate;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static io.kube4j.scheduler.testsupport.TestObjects.taint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.BindPlugin;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.framework.ScheduleResult;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.simulate.SimulationResult.NodeResult;
import io.kube4j.scheduler.simulate.SimulationResult.PluginScore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SimulatorTest {

    private final Parallelizer parallelizer = new Parallelizer(2);

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
            public Status bind(CycleState state, Pod pod, String nodeName) {
                throw new AssertionError("a simulation must not bind");
            }
        };
        return new Framework(DefaultPlugins.profile("default-scheduler", noop, percentage), parallelizer,
                new Random(1));
    }

    private static Map<String, NodeResult> byName(SimulationResult r) {
        return r.nodes().stream().collect(Collectors.toMap(NodeResult::name, Function.identity()));
    }

    @Test
    void explainsEveryNodeAndPicksTheBestScored() {
        Snapshot snapshot = Snapshot.of(List.of(
                NodeInfo.of(node("small", "1", "2Gi").build()),
                NodeInfo.of(node("tainted", "16", "32Gi").editSpec().withTaints(taint("dedicated", "gpu",
                        "NoSchedule")).endSpec().build()),
                NodeInfo.of(node("medium", "8", "16Gi").editSpec().withTaints(taint("spare", "yes",
                        "PreferNoSchedule")).endSpec().build()),
                NodeInfo.of(node("large", "8", "16Gi").build())));
        SimulationResult r = Simulator.simulate(framework(0), pod("web", "cpu", "2", "memory", "1Gi").build(),
                snapshot);

        assertThat(r.kind()).isEqualTo("SimulationResult");
        assertThat(r.pod()).isEqualTo("default/web");
        assertThat(r.profile()).isEqualTo("default-scheduler");
        assertThat(r.totalNodes()).isEqualTo(4);
        assertThat(r.feasibleNodes()).isEqualTo(2);
        assertThat(r.nodes()).extracting(NodeResult::name).containsExactly("small", "tainted", "medium", "large");
        Map<String, NodeResult> nodes = byName(r);
        assertThat(nodes.get("small")).satisfies(n -> {
            assertThat(n.feasible()).isFalse();
            assertThat(n.filteredBy()).isEqualTo("NodeResourcesFit");
            assertThat(n.code()).isEqualTo("Unschedulable");
            assertThat(n.reasons()).containsExactly("Insufficient cpu");
            assertThat(n.totalScore()).isNull();
        });
        assertThat(nodes.get("tainted")).satisfies(n -> {
            assertThat(n.filteredBy()).isEqualTo("TaintToleration");
            assertThat(n.code()).isEqualTo("UnschedulableAndUnresolvable");
            assertThat(n.reasons()).containsExactly("node(s) had untolerated taint {dedicated: gpu}");
        });
        // Same size, but medium prefers not to be used: TaintToleration (weight 3) decides.
        PluginScore mediumTaint = score(nodes.get("medium"), "TaintToleration");
        PluginScore largeTaint = score(nodes.get("large"), "TaintToleration");
        assertThat(mediumTaint.rawScore()).isEqualTo(1);
        assertThat(mediumTaint.normalizedScore()).isZero();
        assertThat(largeTaint.normalizedScore()).isEqualTo(100);
        assertThat(largeTaint.weight()).isEqualTo(3);
        assertThat(largeTaint.weightedScore()).isEqualTo(300);
        for (String n : List.of("medium", "large")) {
            NodeResult nr = nodes.get(n);
            assertThat(nr.feasible()).isTrue();
            assertThat(nr.scores()).extracting(PluginScore::plugin)
                    .containsSubsequence("TaintToleration", "NodeAffinity", "NodeResourcesFit");
            assertThat(nr.totalScore()).isEqualTo(nr.scores().stream().mapToLong(PluginScore::weightedScore).sum());
        }
        assertThat(score(nodes.get("medium"), "NodeResourcesFit").normalizedScore())
                .isEqualTo(score(nodes.get("large"), "NodeResourcesFit").normalizedScore()).isPositive();
        assertThat(r.selectedNode()).isEqualTo("large");
        assertThat(r.tiedNodes()).isEmpty();
        assertThat(r.message()).isNull();
    }

    private static PluginScore score(NodeResult n, String plugin) {
        return n.scores().stream().filter(s -> s.plugin().equals(plugin)).findFirst().orElseThrow();
    }

    @Test
    void evaluatesEveryNodeWhateverThePercentageOfNodesToScore() {
        List<NodeInfo> infos = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            infos.add(NodeInfo.of(node(String.format("n-%03d", i), "4", "8Gi").build()));
        }
        Snapshot snapshot = Snapshot.of(infos);
        Framework fw = framework(10);
        Pod pod = pod("p", "cpu", "1").build();
        // The scheduler looks at a part of the nodes ...
        ScheduleResult real = fw.schedule(new CycleState(), pod, snapshot);
        assertThat(real.evaluatedNodes()).isEqualTo(100);
        // ... the simulation at all of them, and scores them all.
        SimulationResult r = Simulator.simulate(fw, pod, snapshot);
        long scorePlugins = fw.profile().plugins().stream()
                .filter(x -> x instanceof io.kube4j.scheduler.framework.ScorePlugin).count();
        assertThat(scorePlugins).isGreaterThanOrEqualTo(3);
        assertThat(r.nodes()).hasSize(300).allSatisfy(n -> assertThat(n.scores()).hasSize((int) scorePlugins));
        assertThat(r.feasibleNodes()).isEqualTo(300);
        // Identical nodes tie: the first is reported, with all of them as tied (the scheduler picks one at random).
        assertThat(r.selectedNode()).isEqualTo("n-000");
        assertThat(r.tiedNodes()).hasSize(300);
    }

    @Test
    void whenNothingFitsItSaysWhyAsTheSchedulerWould() {
        Snapshot snapshot = Snapshot.of(List.of(NodeInfo.of(node("a", "1", "1Gi").build()),
                NodeInfo.of(node("b", "2", "1Gi").editSpec().withUnschedulable(true).endSpec().build())));
        SimulationResult r = Simulator.simulate(framework(0), pod("big", "cpu", "4").build(), snapshot);
        assertThat(r.selectedNode()).isNull();
        assertThat(r.feasibleNodes()).isZero();
        assertThat(r.message()).isEqualTo(
                "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable.");
        assertThat(byName(r).get("b").filteredBy()).isEqualTo("NodeUnschedulable");
    }

    @Test
    void aPodNamingItsNodeIsFilteredByNodeName() {
        Snapshot snapshot = Snapshot.of(List.of(NodeInfo.of(node("a", "4", "8Gi").build()),
                NodeInfo.of(node("b", "4", "8Gi").build())));
        SimulationResult r = Simulator.simulate(framework(0),
                pod("pinned").editSpec().withNodeName("b").endSpec().build(), snapshot);
        assertThat(byName(r).get("a").filteredBy()).isEqualTo("NodeName");
        assertThat(r.selectedNode()).isEqualTo("b");
        // A single feasible node is not scored, as in the scheduler.
        assertThat(byName(r).get("b").scores()).isEmpty();
    }

    @Test
    void anUnknownSchedulerNameIsRefused() {
        Simulator s = new Simulator(name -> null, Snapshot::new);
        assertThatThrownBy(() -> s.simulate(pod("x").editSpec().withSchedulerName("nobody").endSpec().build()))
                .isInstanceOf(Simulator.UnknownProfileException.class).hasMessageContaining("\"nobody\"");
    }
}
