package io.kube4j.scheduler.plugins.nodeaffinity;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeAffinityTest {

    private static Node labelled(String name, String... kv) {
        Map<String, String> labels = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            labels.put(kv[i], kv[i + 1]);
        }
        return node(name, "1", "1Gi").editMetadata().withLabels(labels).endMetadata().build();
    }

    private static NodeSelectorRequirement req(String key, String op, String... values) {
        return new NodeSelectorRequirement(key, op, List.of(values));
    }

    private static NodeSelectorTerm term(NodeSelectorRequirement... exprs) {
        return new NodeSelectorTerm(List.of(exprs), List.of());
    }

    private static Pod required(NodeSelectorTerm... terms) {
        return pod("p").editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().withNodeSelectorTerms(terms).endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity().endAffinity().endSpec().build();
    }

    private static Pod selector(String... kv) {
        Map<String, String> sel = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            sel.put(kv[i], kv[i + 1]);
        }
        return pod("p").editSpec().withNodeSelector(sel).endSpec().build();
    }

    static Stream<Arguments> filterCases() {
        return Stream.of(
                Arguments.of("no constraints", pod("p").build(), labelled("n"), true),
                Arguments.of("nodeSelector matches", selector("zone", "a"), labelled("n", "zone", "a"), true),
                Arguments.of("nodeSelector mismatches", selector("zone", "a"), labelled("n", "zone", "b"), false),
                Arguments.of("nodeSelector label missing", selector("zone", "a"), labelled("n"), false),
                Arguments.of("In matches", required(term(req("zone", "In", "a", "b"))), labelled("n", "zone", "b"),
                        true),
                Arguments.of("NotIn excludes", required(term(req("zone", "NotIn", "a"))), labelled("n", "zone", "a"),
                        false),
                Arguments.of("NotIn with label absent", required(term(req("zone", "NotIn", "a"))), labelled("n"),
                        true),
                Arguments.of("Exists", required(term(req("gpu", "Exists"))), labelled("n", "gpu", ""), true),
                Arguments.of("DoesNotExist", required(term(req("gpu", "DoesNotExist"))), labelled("n", "gpu", "x"),
                        false),
                Arguments.of("Gt", required(term(req("cores", "Gt", "8"))), labelled("n", "cores", "16"), true),
                Arguments.of("Lt fails", required(term(req("cores", "Lt", "8"))), labelled("n", "cores", "16"), false),
                Arguments.of("expressions of a term are ANDed",
                        required(term(req("zone", "In", "a"), req("gpu", "Exists"))), labelled("n", "zone", "a"),
                        false),
                Arguments.of("terms are ORed", required(term(req("zone", "In", "x")), term(req("zone", "In", "a"))),
                        labelled("n", "zone", "a"), true),
                Arguments.of("an empty term matches nothing", required(new NodeSelectorTerm()), labelled("n"), false),
                Arguments.of("matchFields on metadata.name",
                        required(new NodeSelectorTerm(List.of(), List.of(req("metadata.name", "In", "n")))),
                        labelled("n"), true),
                Arguments.of("matchFields on another name",
                        required(new NodeSelectorTerm(List.of(), List.of(req("metadata.name", "In", "m")))),
                        labelled("n"), false),
                Arguments.of("selector and affinity both apply",
                        withSelector(required(term(req("zone", "In", "a"))), "disk", "ssd"),
                        labelled("n", "zone", "a"), false));
    }

    private static Pod withSelector(Pod p, String k, String v) {
        p.getSpec().setNodeSelector(Map.of(k, v));
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Pod pod, Node node, boolean fits) {
        Status s = new NodeAffinity().filter(new CycleState(), pod, NodeInfo.of(node));
        if (fits) {
            assertThat(s.isSuccess()).as(s.toString()).isTrue();
        } else {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
            assertThat(s.reasons()).containsExactly(NodeAffinity.REASON);
        }
    }

    static Stream<Arguments> scoreCases() {
        Pod preferring = pod("p").editSpec().withNewAffinity().withNewNodeAffinity()
                .withPreferredDuringSchedulingIgnoredDuringExecution(
                        new PreferredSchedulingTerm(term(req("zone", "In", "a")), 2),
                        new PreferredSchedulingTerm(term(req("disk", "In", "ssd")), 6))
                .endNodeAffinity().endAffinity().endSpec().build();
        return Stream.of(
                Arguments.of("weights add up and normalize to 100", preferring,
                        List.of(labelled("n0"), labelled("n1", "zone", "a"), labelled("n2", "disk", "ssd"),
                                labelled("n3", "zone", "a", "disk", "ssd")),
                        new long[] {0, 25, 75, 100}),
                Arguments.of("no preferences: all zero", pod("p").build(), List.of(labelled("n0"), labelled("n1")),
                        new long[] {0, 0}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoreCases")
    void score(String name, Pod pod, List<Node> nodes, long[] expected) {
        NodeAffinity plugin = new NodeAffinity();
        CycleState state = new CycleState();
        long[] scores = new long[nodes.size()];
        List<NodeInfo> infos = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            infos.add(NodeInfo.of(nodes.get(i)));
            scores[i] = plugin.score(state, pod, infos.get(i));
        }
        plugin.normalizeScores(state, pod, scores);
        assertThat(scores).containsExactly(expected);
    }
}
