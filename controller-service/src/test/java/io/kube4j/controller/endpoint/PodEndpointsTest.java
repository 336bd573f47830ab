package io.kube4j.controller.endpoint;

import static io.kube4j.controller.endpoint.TestObjects.pod;
import static io.kube4j.controller.endpoint.TestObjects.port;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PodEndpointsTest {

    static Stream<Arguments> ports() {
        Pod sidecar = new PodBuilder(pod("ns", "p", "10.0.0.1", true)).editSpec()
                .withInitContainers(new ContainerBuilder().withName("proxy").withRestartPolicy("Always")
                        .withPorts(new ContainerPortBuilder().withName("admin").withContainerPort(9901).build()).build(),
                        new ContainerBuilder().withName("init").withPorts(new ContainerPortBuilder().withName("setup")
                                .withContainerPort(7000).build()).build())
                .endSpec().build();
        ServicePort udpHttp = new ServicePortBuilder(port("http", 80, new IntOrString("http"))).withProtocol("UDP").build();
        return Stream.of(
                Arguments.of("numeric targetPort as is", pod("ns", "p", "10.0.0.1", true), port("a", 80, new IntOrString(9376)), OptionalInt.of(9376)),
                Arguments.of("unset targetPort is the port", pod("ns", "p", "10.0.0.1", true), port("a", 80, null), OptionalInt.of(80)),
                Arguments.of("named port found in a container", pod("ns", "p", "10.0.0.1", true), port("a", 80, new IntOrString("http")), OptionalInt.of(8080)),
                Arguments.of("named port missing", pod("ns", "p", "10.0.0.1", true), port("a", 80, new IntOrString("grpc")), OptionalInt.empty()),
                Arguments.of("named port of another protocol", pod("ns", "p", "10.0.0.1", true), udpHttp, OptionalInt.empty()),
                Arguments.of("named port of a sidecar", sidecar, port("a", 80, new IntOrString("admin")), OptionalInt.of(9901)),
                Arguments.of("plain init containers serve nothing", sidecar, port("a", 80, new IntOrString("setup")), OptionalInt.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ports")
    void findPort(String why, Pod pod, ServicePort sp, OptionalInt expected) {
        assertThat(PodEndpoints.findPort(pod, sp)).isEqualTo(expected);
    }

    static Stream<Arguments> membership() {
        Pod terminating = new PodBuilder(pod("ns", "t", "10.0.0.1", true)).editMetadata()
                .withDeletionTimestamp("2026-11-27T07:00:00Z").endMetadata().build();
        Pod succeeded = new PodBuilder(pod("ns", "s", "10.0.0.1", false)).editStatus().withPhase("Succeeded").endStatus().build();
        Pod noIp = pod("ns", "n", null, false);
        Pod ipv6Only = pod("ns", "6", "fd00::1", true);
        // pod, includeTerminating → in endpoints
        return Stream.of(
                Arguments.of("ready", pod("ns", "r", "10.0.0.1", true), false, true),
                Arguments.of("not ready", pod("ns", "u", "10.0.0.1", false), false, true),
                Arguments.of("terminating, Endpoints", terminating, false, false),
                Arguments.of("terminating, slices or publishNotReady", terminating, true, true),
                Arguments.of("terminal", succeeded, true, false),
                Arguments.of("no IP yet", noIp, true, false),
                Arguments.of("no IPv4", ipv6Only, true, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("membership")
    void shouldBeInEndpoints(String why, Pod pod, boolean includeTerminating, boolean expected) {
        assertThat(PodEndpoints.shouldBeInEndpoints(pod, includeTerminating)).isEqualTo(expected);
    }

    @Test
    void unrelatedPodUpdatesChangeNothing() {
        Pod a = pod("ns", "p", "10.0.0.1", true);
        Pod annotated = new PodBuilder(a).editMetadata().withResourceVersion("2").withAnnotations(Map.of("x", "y"))
                .endMetadata().build();
        assertThat(PodEndpoints.change(a, annotated).any()).isFalse();
        Pod unready = pod("ns", "p", "10.0.0.1", false);
        assertThat(PodEndpoints.change(a, unready).endpointChanged()).isTrue();
        Pod moved = pod("ns", "p", "10.0.0.2", true);
        assertThat(PodEndpoints.change(a, moved).endpointChanged()).isTrue();
        Pod relabelled = new PodBuilder(a).editMetadata().withLabels(Map.of("app", "db")).endMetadata().build();
        assertThat(PodEndpoints.change(a, relabelled)).isEqualTo(new PodEndpoints.PodChange(false, true));
    }

    @Test
    void labelOnlyChangesSyncTheServicesThatGainedOrLostThePod() {
        assertThat(PodEndpoints.servicesToSync(Set.of("a", "b"), Set.of("b", "c"), false)).containsExactlyInAnyOrder("a", "c");
        assertThat(PodEndpoints.servicesToSync(Set.of("a", "b"), Set.of("b", "c"), true)).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void hostnameOnlyForThePodsOfTheirSubdomainService() {
        var svc = TestObjects.service("ns", "db", "None", List.of());
        Pod p = new PodBuilder(pod("ns", "p", "10.0.0.1", true)).editSpec().withHostname("db-0").withSubdomain("db")
                .endSpec().build();
        assertThat(PodEndpoints.shouldSetHostname(p, svc)).isTrue();
        Pod other = new PodBuilder(p).editSpec().withSubdomain("other").endSpec().build();
        assertThat(PodEndpoints.shouldSetHostname(other, svc)).isFalse();
    }
}
