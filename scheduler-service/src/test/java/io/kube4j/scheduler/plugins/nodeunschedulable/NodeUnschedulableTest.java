package io.kube4j.scheduler.plugins.nodeunschedulable;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static io.kube4j.scheduler.testsupport.TestObjects.toleration;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeUnschedulableTest {

    private static Node cordoned(Boolean unschedulable) {
        return node("n", "1", "1Gi").editSpec().withUnschedulable(unschedulable).endSpec().build();
    }

    static Stream<Arguments> cases() {
        Pod tolerant = pod("p").editSpec()
                .withTolerations(toleration("node.kubernetes.io/unschedulable", "Exists", null, "NoSchedule"))
                .endSpec().build();
        return Stream.of(
                Arguments.of("schedulable node", pod("p").build(), cordoned(false), true),
                Arguments.of("unset", pod("p").build(), cordoned(null), true),
                Arguments.of("cordoned node", pod("p").build(), cordoned(true), false),
                Arguments.of("cordoned node, tolerating pod", tolerant, cordoned(true), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filter(String name, Pod pod, Node node, boolean fits) {
        Status s = new NodeUnschedulable().filter(new CycleState(), pod, NodeInfo.of(node));
        assertThat(s.isSuccess()).isEqualTo(fits);
        if (!fits) {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
            assertThat(s.reasons()).containsExactly("node(s) were unschedulable");
        }
    }
}
