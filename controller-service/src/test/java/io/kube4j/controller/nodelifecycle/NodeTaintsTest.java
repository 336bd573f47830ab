package io.kube4j.controller.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** TaintNodesByCondition's table and the taint swap. */
class NodeTaintsTest {

    static Node node(String type, String status, boolean unschedulable) {
        return new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewSpec()
                .withUnschedulable(unschedulable).endSpec().withNewStatus().addNewCondition().withType(type)
                .withStatus(status).endCondition().endStatus().build();
    }

    static Stream<Arguments> conditions() {
        return Stream.of(
                arguments("Ready", "True", false, List.of()),
                arguments("Ready", "False", false, List.of(NodeTaints.NOT_READY)),
                arguments("Ready", "Unknown", false, List.of(NodeTaints.UNREACHABLE)),
                arguments("MemoryPressure", "True", false, List.of(NodeTaints.MEMORY_PRESSURE)),
                arguments("MemoryPressure", "False", false, List.of()),
                arguments("MemoryPressure", "Unknown", false, List.of()),
                arguments("DiskPressure", "True", false, List.of(NodeTaints.DISK_PRESSURE)),
                arguments("PIDPressure", "True", false, List.of(NodeTaints.PID_PRESSURE)),
                arguments("NetworkUnavailable", "True", false, List.of(NodeTaints.NETWORK_UNAVAILABLE)),
                arguments("Ready", "True", true, List.of(NodeTaints.UNSCHEDULABLE)),
                arguments("Ready", "False", true, List.of(NodeTaints.NOT_READY, NodeTaints.UNSCHEDULABLE)));
    }

    @ParameterizedTest(name = "{0}={1} unschedulable={2} -> {3}")
    @MethodSource("conditions")
    void noScheduleTaintsFollowConditions(String type, String status, boolean unschedulable, List<String> keys) {
        List<Taint> want = NodeTaints.desiredNoSchedule(node(type, status, unschedulable));
        assertThat(want).allSatisfy(t -> assertThat(t.getEffect()).isEqualTo("NoSchedule"));
        assertThat(want.stream().map(Taint::getKey).toList()).containsExactlyElementsOf(keys);
    }

    @Test
    void managedNoScheduleTaintsLeaveOthersAlone() {
        Node n = new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewSpec().withTaints(
                NodeTaints.taint(NodeTaints.UNREACHABLE, "NoSchedule"), NodeTaints.taint("dedicated", "NoSchedule"),
                NodeTaints.taint(NodeTaints.UNREACHABLE, "NoExecute")).endSpec().build();
        assertThat(NodeTaints.managedNoSchedule(n)).extracting(Taint::getKey).containsExactly(NodeTaints.UNREACHABLE);
    }

    @Test
    void swapAddsRemovesAndStampsNoExecute() {
        Instant now = Instant.parse("2026-01-01T00:00:05.123Z");
        Taint other = NodeTaints.taint("dedicated", "NoSchedule");
        List<Taint> out = NodeTaints.swap(List.of(other, NodeTaints.NOT_READY_NO_EXECUTE),
                List.of(NodeTaints.UNREACHABLE_NO_EXECUTE), List.of(NodeTaints.NOT_READY_NO_EXECUTE), now);
        assertThat(out).extracting(Taint::getKey).containsExactly("dedicated", NodeTaints.UNREACHABLE);
        assertThat(out.get(1).getTimeAdded()).isEqualTo("2026-01-01T00:00:05Z");
        assertThat(NodeTaints.swap(out, List.of(NodeTaints.UNREACHABLE_NO_EXECUTE), List.of(), now))
                .as("already there: nothing to write").isNull();
        assertThat(NodeTaints.swap(List.of(other), List.of(), List.of(NodeTaints.UNREACHABLE_NO_EXECUTE), now)).isNull();
    }
}
