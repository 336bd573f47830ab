package io.kube4j.scheduler.plugins.noderesources;

import static io.kube4j.scheduler.testsupport.TestObjects.container;
import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** NodeResourcesBalancedAllocation, with cases in the manner of kube-scheduler's balanced_allocation_test.go. */
class BalancedAllocationTest {

    private static Pod containers(String name, io.fabric8.kubernetes.api.model.Container... cs) {
        Pod p = pod(name).build();
        p.getSpec().setContainers(new ArrayList<>(List.of(cs)));
        return p;
    }

    static Stream<Arguments> cases() {
        Node n1 = node("node1", "4000m", "10000").build();
        Node n2 = node("node2", "6000m", "10000").build();
        Node gpu = node("gpu", "4000m", "10000").build();
        gpu.getStatus().getAllocatable().put("nvidia.com/gpu", new Quantity("4"));
        Pod cpuMem = containers("p", container("a", "cpu", "1000m", "memory", "2000"),
                container("b", "cpu", "2000m", "memory", "3000"));
        Map<String, Object> withGpu = Map.of("resources", List.of(Map.of("name", "cpu", "weight", 1),
                Map.of("name", "memory", "weight", 1), Map.of("name", "nvidia.com/gpu", "weight", 1)));
        return Stream.of(
                // node1: cpu 3000/4000 = 0.75, memory 5000/10000 = 0.5 -> std 0.125 -> 87; node2: 0.5, 0.5 -> 100.
                Arguments.of("differently sized nodes", Map.of(), cpuMem, List.of(n1, n2),
                        List.of(List.of(), List.of()), List.of(87L, 100L)),
                // Existing pods count with their actual requests: node2 gets cpu 3000m more -> 1.0 vs 0.5 -> 75.
                Arguments.of("existing pods", Map.of(), cpuMem, List.of(n1, n2),
                        List.of(List.of(), List.of(containers("e", container("c", "cpu", "3000m")))),
                        List.of(87L, 75L)),
                // Fractions are capped at 1: cpu 5000/4000 -> 1, memory 0.5 -> std 0.25 -> 75.
                Arguments.of("over capacity caps at 1", Map.of(),
                        containers("p", container("c", "cpu", "5000m", "memory", "5000")), List.of(n1),
                        List.of(List.of()), List.of(75L)),
                // Three resources: fractions 0.75, 0.5, 0.25 -> mean 0.5, std sqrt(0.125/3)=0.2041 -> 79.
                Arguments.of("three resources", withGpu,
                        containers("p", container("c", "cpu", "3000m", "memory", "5000", "nvidia.com/gpu", "1")),
                        List.of(gpu), List.of(List.of()), List.of(79L)),
                // The pod does not ask for a gpu: it is left out, cpu 0.75 vs memory 0.5 -> 87.
                Arguments.of("extended resource not requested is left out", withGpu, cpuMem, List.of(gpu),
                        List.of(List.of()), List.of(87L)),
                // A best-effort pod is not scored by this plugin.
                Arguments.of("best effort pod", Map.of(), containers("p", container("c")), List.of(n1, n2),
                        List.of(List.of(), List.of(containers("e", container("c", "cpu", "3000m")))),
                        List.of(0L, 0L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void score(String name, Map<String, Object> args, Pod pod, List<Node> nodes, List<List<Pod>> existing,
            List<Long> expected) {
        BalancedAllocation plugin = BalancedAllocation.of(new PluginArgs(BalancedAllocation.NAME, args));
        List<NodeInfo> infos = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            infos.add(NodeInfo.of(nodes.get(i), existing.get(i).toArray(Pod[]::new)));
        }
        CycleState state = new CycleState();
        Status pre = plugin.preScore(state, pod, infos);
        assertThat(pre.isSuccess() || pre.isSkip()).isTrue();
        assertThat(infos.stream().map(n -> plugin.score(state, pod, n)).toList()).isEqualTo(expected);
    }

    @Test
    void bestEffortPodsAreSkipped() {
        assertThat(new BalancedAllocation().preScore(new CycleState(), containers("p", container("c")), List.of())
                .isSkip()).isTrue();
    }

    @Test
    void rejectsWeightsOtherThanOne() {
        assertThatThrownBy(() -> BalancedAllocation.of(new PluginArgs(BalancedAllocation.NAME, Map.of("resources",
                List.of(Map.of("name", "cpu", "weight", 2)))))).hasMessageContaining("args.resources[0].weight must be 1");
        assertThatThrownBy(() -> BalancedAllocation.of(new PluginArgs(BalancedAllocation.NAME, Map.of("resource",
                List.of())))).hasMessageContaining("unknown field args.resource");
    }
}
