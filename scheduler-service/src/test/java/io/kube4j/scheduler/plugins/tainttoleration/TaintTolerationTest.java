package io.kube4j.scheduler.plugins.tainttoleration;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static io.kube4j.scheduler.testsupport.TestObjects.taint;
import static io.kube4j.scheduler.testsupport.TestObjects.toleration;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaintTolerationTest {

    private static Node tainted(String name, Taint... taints) {
        return node(name, "1", "1Gi").editSpec().withTaints(taints).endSpec().build();
    }

    private static Pod tolerating(Toleration... t) {
        return pod("p").editSpec().withTolerations(t).endSpec().build();
    }

    static Stream<Arguments> filterCases() {
        return Stream.of(
                Arguments.of("no taints", pod("p").build(), tainted("n"), null),
                Arguments.of("untolerated NoSchedule", pod("p").build(),
                        tainted("n", taint("dedicated", "gpu", "NoSchedule")),
                        "node(s) had untolerated taint {dedicated: gpu}"),
                Arguments.of("untolerated NoExecute", pod("p").build(),
                        tainted("n", taint("dedicated", "gpu", "NoExecute")),
                        "node(s) had untolerated taint {dedicated: gpu}"),
                Arguments.of("PreferNoSchedule does not filter", pod("p").build(),
                        tainted("n", taint("dedicated", "gpu", "PreferNoSchedule")), null),
                Arguments.of("Equal toleration", tolerating(toleration("dedicated", "Equal", "gpu", "NoSchedule")),
                        tainted("n", taint("dedicated", "gpu", "NoSchedule")), null),
                Arguments.of("Equal toleration, other value",
                        tolerating(toleration("dedicated", "Equal", "cpu", "NoSchedule")),
                        tainted("n", taint("dedicated", "gpu", "NoSchedule")),
                        "node(s) had untolerated taint {dedicated: gpu}"),
                Arguments.of("Exists toleration, any effect", tolerating(toleration("dedicated", "Exists", null, null)),
                        tainted("n", taint("dedicated", "gpu", "NoSchedule")), null),
                Arguments.of("empty key Exists tolerates everything", tolerating(toleration(null, "Exists", null, null)),
                        tainted("n", taint("a", "b", "NoSchedule"), taint("c", "d", "NoExecute")), null),
                Arguments.of("toleration for another effect",
                        tolerating(toleration("dedicated", "Exists", null, "NoExecute")),
                        tainted("n", taint("dedicated", "gpu", "NoSchedule")),
                        "node(s) had untolerated taint {dedicated: gpu}"),
                Arguments.of("second taint untolerated",
                        tolerating(toleration("a", "Exists", null, null)),
                        tainted("n", taint("a", "1", "NoSchedule"), taint("b", "", "NoSchedule")),
                        "node(s) had untolerated taint {b: }"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Pod pod, Node node, String reason) {
        Status s = new TaintToleration().filter(new CycleState(), pod, NodeInfo.of(node));
        if (reason == null) {
            assertThat(s.isSuccess()).as(s.toString()).isTrue();
        } else {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
            assertThat(s.reasons()).containsExactly(reason);
        }
    }

    static Stream<Arguments> scoreCases() {
        Taint soft1 = taint("a", "1", "PreferNoSchedule");
        Taint soft2 = taint("b", "2", "PreferNoSchedule");
        return Stream.of(
                Arguments.of("fewer untolerated soft taints rank higher", pod("p").build(),
                        List.of(tainted("n0"), tainted("n1", soft1), tainted("n2", soft1, soft2)),
                        new long[] {100, 50, 0}),
                Arguments.of("tolerated soft taints do not count",
                        tolerating(toleration("a", "Exists", null, "PreferNoSchedule")),
                        List.of(tainted("n0"), tainted("n1", soft1), tainted("n2", soft1, soft2)),
                        new long[] {100, 100, 0}),
                Arguments.of("NoSchedule tolerations do not apply to soft taints",
                        tolerating(toleration("a", "Exists", null, "NoSchedule")),
                        List.of(tainted("n0"), tainted("n1", soft1)), new long[] {100, 0}),
                Arguments.of("no soft taints anywhere", pod("p").build(), List.of(tainted("n0"), tainted("n1")),
                        new long[] {100, 100}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoreCases")
    void score(String name, Pod pod, List<Node> nodes, long[] expected) {
        TaintToleration plugin = new TaintToleration();
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
