package io.kube4j.scheduler.plugins.nodeports;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** NodePorts, with the cases of kube-scheduler's node_ports_test.go ("proto/ip/port" triples). */
class NodePortsTest {

    /** A pod whose container binds the given "proto/ip/port" host ports (ip may be empty). */
    static Pod withPorts(String name, String... ports) {
        Pod p = pod(name).build();
        List<ContainerPort> cps = new ArrayList<>();
        for (String s : ports) {
            String[] parts = s.split("/", -1);
            ContainerPort cp = new ContainerPort();
            cp.setProtocol(parts[0].isEmpty() ? null : parts[0]);
            cp.setHostIP(parts[1].isEmpty() ? null : parts[1]);
            cp.setHostPort(Integer.parseInt(parts[2]));
            cp.setContainerPort(Integer.parseInt(parts[2]));
            cps.add(cp);
        }
        p.getSpec().getContainers().get(0).setPorts(cps);
        return p;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("nothing running", withPorts("p", "UDP/127.0.0.1/8080"), List.of(), true),
                Arguments.of("no host ports wanted", pod("p").build(), List.of(withPorts("e", "TCP//80")), true),
                Arguments.of("other port", withPorts("p", "UDP/127.0.0.1/8080"),
                        List.of(withPorts("e", "UDP/127.0.0.1/9090")), true),
                Arguments.of("same udp port", withPorts("p", "UDP/127.0.0.1/8080"),
                        List.of(withPorts("e", "UDP/127.0.0.1/8080")), false),
                Arguments.of("second port conflicts", withPorts("p", "TCP/127.0.0.1/8080", "UDP/127.0.0.1/8080"),
                        List.of(withPorts("e", "TCP/127.0.0.1/8080")), false),
                Arguments.of("other ip", withPorts("p", "TCP/127.0.0.1/8001"),
                        List.of(withPorts("e", "TCP/127.0.0.2/8001")), true),
                Arguments.of("other protocol", withPorts("p", "TCP/127.0.0.1/8001"),
                        List.of(withPorts("e", "UDP/127.0.0.1/8001")), true),
                Arguments.of("wanted 0.0.0.0 covers a used ip", withPorts("p", "TCP/0.0.0.0/8001"),
                        List.of(withPorts("e", "TCP/127.0.0.1/8001")), false),
                Arguments.of("used 0.0.0.0 covers a wanted ip", withPorts("p", "TCP/127.0.0.1/8001"),
                        List.of(withPorts("e", "TCP/0.0.0.0/8001")), false),
                Arguments.of("0.0.0.0 on another protocol", withPorts("p", "UDP/127.0.0.1/8001"),
                        List.of(withPorts("e", "TCP/0.0.0.0/8001")), true),
                Arguments.of("empty ip means 0.0.0.0, empty protocol TCP", withPorts("p", "/127.0.0.1/8001"),
                        List.of(withPorts("e", "TCP//8001")), false),
                Arguments.of("0.0.0.0 against both protocols", withPorts("p", "UDP/0.0.0.0/8001"),
                        List.of(withPorts("e", "TCP/127.0.0.1/8001", "UDP/127.0.0.1/8001")), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filter(String name, Pod pod, List<Pod> existing, boolean fits) {
        NodePorts plugin = new NodePorts();
        CycleState state = new CycleState();
        Status pre = plugin.preFilter(state, pod);
        Status s = plugin.filter(state, pod, NodeInfo.of(node("n"), existing.toArray(Pod[]::new)));
        if (fits) {
            assertThat(s.isSuccess()).as(s.toString()).isTrue();
        } else {
            assertThat(pre.isSuccess()).isTrue();
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
            assertThat(s.reasons()).containsExactly(NodePorts.ERR_REASON);
        }
    }

    @Test
    void preFilterSkipsPodsWithoutHostPorts() {
        assertThat(new NodePorts().preFilter(new CycleState(), pod("p").build()).isSkip()).isTrue();
    }

    @Test
    void nodeInfoKeepsUsedPortsIncrementally() {
        Pod a = withPorts("a", "TCP//80");
        Pod b = withPorts("b", "TCP//80", "UDP//53");
        NodeInfo info = NodeInfo.of(node("n"), a, b);
        assertThat(info.usedPorts()).hasSize(3);
        NodeInfo copy = info.copy();
        assertThat(info.removePod(b)).isTrue();
        assertThat(info.usedPorts()).extracting(p -> p.port()).containsExactly(80);
        assertThat(copy.usedPorts()).hasSize(3);
        assertThat(info.removePod(a)).isTrue();
        assertThat(info.usedPorts()).isEmpty();
        Pod wants80 = withPorts("p", "TCP/10.0.0.1/80");
        NodePorts plugin = new NodePorts();
        CycleState state = new CycleState();
        plugin.preFilter(state, wants80);
        assertThat(plugin.filter(state, wants80, info).isSuccess()).isTrue();
        assertThat(plugin.filter(state, wants80, copy).isSuccess()).isFalse();
    }
}
