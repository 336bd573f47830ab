package io.kube4j.proxy.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EndpointCategoriesTest {

    private static final EndpointInfo REMOTE = ep("10.244.2.1", true, false, false, false);
    private static final EndpointInfo LOCAL = ep("10.244.1.1", true, false, false, true);
    private static final EndpointInfo LOCAL_TERMINATING = ep("10.244.1.2", false, true, true, true);
    private static final EndpointInfo REMOTE_TERMINATING = ep("10.244.2.2", false, true, true, false);
    private static final EndpointInfo NOT_READY = ep("10.244.2.3", false, false, false, false);

    private static EndpointInfo ep(String ip, boolean ready, boolean serving, boolean terminating, boolean local) {
        return new EndpointInfo(ip, 8080, ready, serving, terminating, local ? "n1" : "n2", local);
    }

    private static ServicePortInfo svc(int nodePort, boolean internalLocal, boolean externalLocal) {
        return new ServicePortInfo(new ServicePortName("ns", "s", "", "TCP"), nodePort > 0 ? "NodePort" : "ClusterIP",
                "10.96.0.5", 80, "TCP", nodePort, List.of(), List.of(), false, 0, externalLocal, internalLocal, 0);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("Cluster: ready endpoints only", svc(0, false, false),
                        List.of(REMOTE, LOCAL, NOT_READY, LOCAL_TERMINATING), List.of(REMOTE, LOCAL), List.of(), true),
                Arguments.of("Cluster, none ready: serving-terminating fallback", svc(0, false, false),
                        List.of(NOT_READY, REMOTE_TERMINATING), List.of(REMOTE_TERMINATING), List.of(), true),
                Arguments.of("nothing usable", svc(0, false, false), List.of(NOT_READY), List.of(), List.of(), false),
                Arguments.of("internal Local, ClusterIP only: no cluster list", svc(0, true, false),
                        List.of(REMOTE, LOCAL), List.of(), List.of(LOCAL), true),
                Arguments.of("internal Local, no local endpoint: has endpoints but none here", svc(0, true, false),
                        List.of(REMOTE), List.of(), List.of(), true),
                Arguments.of("internal Local, local one terminating: local fallback", svc(0, true, false),
                        List.of(REMOTE, LOCAL_TERMINATING), List.of(), List.of(LOCAL_TERMINATING), true),
                Arguments.of("external Local NodePort: both lists (pods short-circuit to cluster)", svc(30500, false, true),
                        List.of(REMOTE, LOCAL), List.of(REMOTE, LOCAL), List.of(LOCAL), true),
                Arguments.of("both Local with a NodePort: still a cluster list", svc(30500, true, true),
                        List.of(REMOTE), List.of(REMOTE), List.of(), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void categorizes(String name, ServicePortInfo svc, List<EndpointInfo> all, List<EndpointInfo> cluster,
                     List<EndpointInfo> local, boolean hasAny) {
        EndpointCategories c = EndpointCategories.of(svc, all);
        assertThat(c.cluster()).containsExactlyElementsOf(cluster);
        assertThat(c.local()).containsExactlyElementsOf(local);
        assertThat(c.hasAny()).isEqualTo(hasAny);
        assertThat(c.reachable()).containsExactlyInAnyOrderElementsOf(
                Stream.concat(cluster.stream(), local.stream()).distinct().toList());
        assertThat(c.pick(true)).isEqualTo(local.isEmpty() ? c.cluster() : local);
        assertThat(c.pick(false)).isEqualTo(c.cluster());
    }
}
