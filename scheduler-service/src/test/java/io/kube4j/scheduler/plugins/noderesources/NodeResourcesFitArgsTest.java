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

/** NodeResourcesFit configured by args: the scoring strategies (cases from kube-scheduler's tests), ignored resources. */
class NodeResourcesFitArgsTest {

    private static final Map<String, Object> RTCR_CPU_MEMORY = Map.of("scoringStrategy", Map.of(
            "type", "RequestedToCapacityRatio",
            "resources", List.of(Map.of("name", "cpu", "weight", 1), Map.of("name", "memory", "weight", 1)),
            "requestedToCapacityRatio", Map.of("shape", List.of(Map.of("utilization", 0, "score", 10),
                    Map.of("utilization", 100, "score", 0)))));

    private static Map<String, Object> rtcrExtended(List<Map<String, Object>> resources) {
        return Map.of("scoringStrategy", Map.of("type", "RequestedToCapacityRatio", "resources", resources,
                "requestedToCapacityRatio", Map.of("shape", List.of(Map.of("utilization", 0, "score", 0),
                        Map.of("utilization", 100, "score", 1)))));
    }

    /** A pod with no containers (kube-scheduler's {@code st.MakePod().Obj()}): it requests nothing, not even defaults. */
    private static Pod empty(String name) {
        Pod p = pod(name).build();
        p.getSpec().setContainers(new ArrayList<>());
        return p;
    }

    private static Pod containers(String name, io.fabric8.kubernetes.api.model.Container... cs) {
        Pod p = pod(name).build();
        p.getSpec().setContainers(new ArrayList<>(List.of(cs)));
        return p;
    }

    private static Node extended(String name, String cpu, String memory, String... scalars) {
        var b = node(name, cpu, memory);
        Node n = b.build();
        for (int i = 0; i < scalars.length; i += 2) {
            n.getStatus().getAllocatable().put(scalars[i], new Quantity(scalars[i + 1]));
        }
        return n;
    }

    static Stream<Arguments> scoreCases() {
        Node n4000 = node("node1", "4000", "10000").build();
        Node n6000 = node("node2", "6000", "10000").build();
        List<Map<String, Object>> foo = List.of(Map.of("name", "intel.com/foo", "weight", 1));
        List<Map<String, Object>> fooBar = List.of(Map.of("name", "intel.com/foo", "weight", 3),
                Map.of("name", "intel.com/bar", "weight", 5));
        Node foo8 = extended("node1", "4000", "10000Mi", "intel.com/foo", "8");
        Node foo4 = extended("node2", "4000", "10000Mi", "intel.com/foo", "4");
        Node foo8bar4 = extended("node1", "4000", "10000Mi", "intel.com/foo", "8", "intel.com/bar", "4");
        Node foo4bar8 = extended("node2", "4000", "10000Mi", "intel.com/foo", "4", "intel.com/bar", "8");
        Pod twoContainers = containers("p", container("a", "cpu", "1000", "memory", "2000"),
                container("b", "cpu", "2000", "memory", "3000"));
        return Stream.of(
                // RequestedToCapacityRatio, shape 0%->10, 100%->0 (TestRequestedToCapacityRatioScoringStrategy).
                Arguments.of("rtcr: nothing requested", RTCR_CPU_MEMORY, empty("p"), List.of(n4000, n6000),
                        List.of(List.of(empty("a"), empty("b")), List.of()), List.of(100L, 100L)),
                Arguments.of("rtcr: differently sized nodes", RTCR_CPU_MEMORY, twoContainers, List.of(n4000, n6000),
                        List.of(List.of(empty("a"), empty("b")), List.of()), List.of(38L, 50L)),
                Arguments.of("rtcr: pods scheduled with resources", RTCR_CPU_MEMORY, empty("p"),
                        List.of(n4000, n6000), List.of(List.of(containers("a", container("c", "cpu", "3000",
                                "memory", "5000"))), List.of(containers("b", container("c", "cpu", "3000", "memory",
                                        "5000")))), List.of(38L, 50L)),
                // RequestedToCapacityRatio on extended resources, shape 0%->0, 100%->1 (TestResourceBinPacking*).
                Arguments.of("rtcr extended: not requested", rtcrExtended(foo), empty("p"), List.of(foo8, foo4),
                        List.of(List.of(), List.of()), List.of(0L, 0L)),
                Arguments.of("rtcr extended: requested", rtcrExtended(foo),
                        containers("p", container("c", "intel.com/foo", "2")), List.of(foo8, foo4),
                        List.of(List.of(), List.of()), List.of(2L, 5L)),
                Arguments.of("rtcr extended: existing pod fills node2", rtcrExtended(foo),
                        containers("p", container("c", "intel.com/foo", "2")), List.of(foo8, foo4),
                        List.of(List.of(), List.of(containers("e", container("c", "intel.com/foo", "2")))),
                        List.of(2L, 10L)),
                Arguments.of("rtcr extended: two resources weighted 3 and 5", rtcrExtended(fooBar),
                        containers("p", container("c", "intel.com/foo", "2", "intel.com/bar", "2")),
                        List.of(foo8bar4, foo4bar8), List.of(List.of(), List.of()), List.of(4L, 3L)),
                // MostAllocated: (3000+... ) cpu 3/4 -> 75, memory 5000/10000 -> 50: (75+50)/2 = 62.
                Arguments.of("most allocated", Map.of("scoringStrategy", Map.of("type", "MostAllocated")),
                        twoContainers, List.of(n4000, n6000), List.of(List.of(), List.of()), List.of(62L, 50L)),
                // MostAllocated with weights cpu 1, memory 3: node1 (75 + 3*50)/4 = 56.
                Arguments.of("most allocated weighted", Map.of("scoringStrategy", Map.of("type", "MostAllocated",
                        "resources", List.of(Map.of("name", "cpu", "weight", 1),
                                Map.of("name", "memory", "weight", 3)))),
                        twoContainers, List.of(n4000, n6000), List.of(List.of(), List.of()), List.of(56L, 50L)),
                // LeastAllocated (default): node1 cpu 25, memory 50 -> 37; node2 50, 50 -> 50.
                Arguments.of("least allocated default", Map.of(), twoContainers, List.of(n4000, n6000),
                        List.of(List.of(), List.of()), List.of(37L, 50L)),
                // A resource the node lacks is left out: LeastAllocated over cpu + example.com/gpu scores cpu only.
                Arguments.of("least allocated skips a resource the node lacks", Map.of("scoringStrategy",
                        Map.of("resources", List.of(Map.of("name", "cpu", "weight", 1),
                                Map.of("name", "example.com/gpu", "weight", 1)))),
                        containers("p", container("c", "cpu", "1000", "example.com/gpu", "1")),
                        List.of(n4000), List.of(List.of()), List.of(75L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoreCases")
    void score(String name, Map<String, Object> args, Pod pod, List<Node> nodes, List<List<Pod>> existing,
            List<Long> expected) {
        NodeResourcesFit plugin = NodeResourcesFit.of(new PluginArgs(NodeResourcesFit.NAME, args));
        List<NodeInfo> infos = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            infos.add(NodeInfo.of(nodes.get(i), existing.get(i).toArray(Pod[]::new)));
        }
        CycleState state = new CycleState();
        plugin.preScore(state, pod, infos);
        List<Long> got = infos.stream().map(n -> plugin.score(state, pod, n)).toList();
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void brokenLinearFunctionAsKubernetes() {
        // TestBrokenLinearFunction's second shape (scores here are 0..10 scaled by 10).
        NodeResourcesFit p = NodeResourcesFit.of(new PluginArgs(NodeResourcesFit.NAME, Map.of("scoringStrategy",
                Map.of("type", "RequestedToCapacityRatio", "requestedToCapacityRatio", Map.of("shape", List.of(
                        Map.of("utilization", 0, "score", 2), Map.of("utilization", 40, "score", 10),
                        Map.of("utilization", 100, "score", 0)))))));
        long[][] cases = {{-10, 20}, {0, 20}, {20, 60}, {30, 80}, {40, 100}, {70, 50}, {100, 0}, {110, 0}};
        for (long[] c : cases) {
            assertThat(p.brokenLinear(c[0])).as("p=%d", c[0]).isEqualTo(c[1]);
        }
    }

    static Stream<Arguments> ignoredCases() {
        Node n = extended("n", "4", "8Gi", "example.com/foo", "1");
        Pod wantsFoo = containers("p", container("c", "example.com/foo", "2"));
        Pod wantsHugepages = containers("p", container("c", "hugepages-2Mi", "2"));
        return Stream.of(
                Arguments.of("not ignored", Map.of(), wantsFoo, n, "Insufficient example.com/foo"),
                Arguments.of("ignored by name", Map.of("ignoredResources", List.of("example.com/foo")), wantsFoo, n,
                        null),
                Arguments.of("ignored by group", Map.of("ignoredResourceGroups", List.of("example.com")), wantsFoo, n,
                        null),
                Arguments.of("other group not ignored", Map.of("ignoredResourceGroups", List.of("example.org")),
                        wantsFoo, n, "Insufficient example.com/foo"),
                Arguments.of("only extended resources can be ignored",
                        Map.of("ignoredResources", List.of("hugepages-2Mi")), wantsHugepages, n,
                        "Insufficient hugepages-2Mi"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ignoredCases")
    void ignoredResources(String name, Map<String, Object> args, Pod pod, Node node, String reason) {
        NodeResourcesFit plugin = NodeResourcesFit.of(new PluginArgs(NodeResourcesFit.NAME, args));
        CycleState state = new CycleState();
        plugin.preFilter(state, pod);
        Status s = plugin.filter(state, pod, NodeInfo.of(node));
        if (reason == null) {
            assertThat(s.isSuccess()).as(s.toString()).isTrue();
        } else {
            assertThat(s.reasons()).containsExactly(reason);
        }
    }

    static Stream<Arguments> invalidArgs() {
        return Stream.of(
                Arguments.of(Map.of("scoringStrategy", Map.of("type", "Random")),
                        "args.scoringStrategy.type must be LeastAllocated, MostAllocated or RequestedToCapacityRatio"),
                Arguments.of(Map.of("scoringStrategy", Map.of("resources", List.of(Map.of("name", "cpu",
                        "weight", 0)))), "weight must be within [1, 100], got 0"),
                Arguments.of(Map.of("scoringStrategy", Map.of("resources", List.of(Map.of("name", "cpu",
                        "weight", 101)))), "weight must be within [1, 100], got 101"),
                Arguments.of(Map.of("scoringStrategy", Map.of("resources", List.of(Map.of("name", "cpu"),
                        Map.of("name", "cpu")))), "must be unique"),
                Arguments.of(Map.of("scoringStrategy", Map.of("type", "RequestedToCapacityRatio")),
                        "needs at least one point"),
                Arguments.of(Map.of("scoringStrategy", Map.of("type", "RequestedToCapacityRatio",
                        "requestedToCapacityRatio", Map.of("shape", List.of(Map.of("utilization", 50, "score", 1),
                                Map.of("utilization", 40, "score", 2))))), "sorted in increasing order"),
                Arguments.of(Map.of("scoringStrategy", Map.of("type", "RequestedToCapacityRatio",
                        "requestedToCapacityRatio", Map.of("shape", List.of(Map.of("utilization", 50,
                                "score", 11))))), "score must be within [0, 10], got 11"),
                Arguments.of(Map.of("scoringStrategy", Map.of("type", "RequestedToCapacityRatio",
                        "requestedToCapacityRatio", Map.of("shape", List.of(Map.of("utilization", 101,
                                "score", 1))))), "utilization must be within [0, 100], got 101"),
                Arguments.of(Map.of("ignoredResourceGroups", List.of("example.com/foo")), "without '/'"),
                Arguments.of(Map.of("scoringStrategy", Map.of("typ", "MostAllocated")),
                        "unknown field args.scoringStrategy.typ"),
                Arguments.of(Map.of("ignoredResource", List.of("x")), "unknown field args.ignoredResource"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidArgs")
    void rejectsInvalidArgs(Map<String, Object> args, String message) {
        assertThatThrownBy(() -> NodeResourcesFit.of(new PluginArgs(NodeResourcesFit.NAME, args)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message)
                .hasMessageContaining(NodeResourcesFit.NAME);
    }
}
