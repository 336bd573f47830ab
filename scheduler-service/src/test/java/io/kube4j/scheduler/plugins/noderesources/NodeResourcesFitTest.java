package io.kube4j.scheduler.plugins.noderesources;

import static io.kube4j.scheduler.testsupport.TestObjects.container;
import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodRequests;
import io.kube4j.scheduler.framework.Resources;
import io.kube4j.scheduler.framework.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeResourcesFitTest {

    private static Pod withInit(Pod p, io.fabric8.kubernetes.api.model.Container... init) {
        p.getSpec().setInitContainers(List.of(init));
        return p;
    }

    private static io.fabric8.kubernetes.api.model.Container sidecar(String name, String... req) {
        var c = container(name, req);
        c.setRestartPolicy("Always");
        return c;
    }

    static Stream<Arguments> filterCases() {
        Node small = node("n", "2", "4Gi").build();
        Node withGpu = node("g", "2", "4Gi").editStatus().addToAllocatable("example.com/gpu", new Quantity("1"))
                .endStatus().build();
        Node twoPods = node("p", "8", "8Gi").editStatus().addToAllocatable("pods", new Quantity("2")).endStatus()
                .build();
        return Stream.of(
                Arguments.of("no requests fit an empty node", pod("p").build(), small, List.of(), List.of()),
                Arguments.of("fits exactly", pod("p", "cpu", "2", "memory", "4Gi").build(), small, List.of(),
                        List.of()),
                Arguments.of("cpu too big", pod("p", "cpu", "2500m").build(), small, List.of(),
                        List.of("Insufficient cpu")),
                Arguments.of("existing pods use the room", pod("p", "cpu", "1", "memory", "1Gi").build(), small,
                        List.of(pod("a", "cpu", "1500m", "memory", "3500Mi").build()),
                        List.of("Insufficient cpu", "Insufficient memory")),
                Arguments.of("ephemeral storage absent on node", pod("p", "ephemeral-storage", "1Gi").build(), small,
                        List.of(), List.of("Insufficient ephemeral-storage")),
                Arguments.of("extended resource available", pod("p", "example.com/gpu", "1").build(), withGpu,
                        List.of(), List.of()),
                Arguments.of("extended resource missing", pod("p", "example.com/gpu", "1").build(), small, List.of(),
                        List.of("Insufficient example.com/gpu")),
                Arguments.of("pod count", pod("p").build(), twoPods,
                        List.of(pod("a").build(), pod("b").build()), List.of("Too many pods")),
                Arguments.of("init container larger than apps",
                        withInit(pod("p", "cpu", "1").build(), container("i", "cpu", "3")), small, List.of(),
                        List.of("Insufficient cpu")),
                Arguments.of("init container smaller than apps",
                        withInit(pod("p", "cpu", "2").build(), container("i", "cpu", "1")), small, List.of(),
                        List.of()),
                Arguments.of("sidecar adds to the apps",
                        withInit(pod("p", "cpu", "1500m").build(), sidecar("s", "cpu", "600m")), small, List.of(),
                        List.of("Insufficient cpu")),
                Arguments.of("overhead counts", overhead(pod("p", "cpu", "1900m").build(), "200m"), small, List.of(),
                        List.of("Insufficient cpu")));
    }

    private static Pod overhead(Pod p, String cpu) {
        p.getSpec().setOverhead(Map.of("cpu", new Quantity(cpu)));
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Pod pod, Node node, List<Pod> existing, List<String> reasons) {
        NodeResourcesFit plugin = new NodeResourcesFit();
        CycleState state = new CycleState();
        assertThat(plugin.preFilter(state, pod).isSuccess()).isTrue();
        Status s = plugin.filter(state, pod, NodeInfo.of(node, existing.toArray(Pod[]::new)));
        if (reasons.isEmpty()) {
            assertThat(s.isSuccess()).as(s.toString()).isTrue();
        } else {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
            assertThat(s.reasons()).containsExactlyElementsOf(reasons);
        }
    }

    static Stream<Arguments> requestCases() {
        return Stream.of(
                Arguments.of("two apps add up", pod("p").editSpec()
                        .withContainers(container("a", "cpu", "1"), container("b", "cpu", "500m")).endSpec().build(),
                        1500L),
                Arguments.of("max of init and apps", withInit(pod("p", "cpu", "1").build(),
                        container("i1", "cpu", "2"), container("i2", "cpu", "500m")), 2000L),
                Arguments.of("sidecar before a big init container runs beside it",
                        withInit(pod("p", "cpu", "1").build(), sidecar("s", "cpu", "1"), container("i", "cpu", "3")),
                        4000L),
                Arguments.of("sidecar after an init container", withInit(pod("p", "cpu", "1").build(),
                        container("i", "cpu", "3"), sidecar("s", "cpu", "1")), 3000L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestCases")
    void podRequests(String name, Pod pod, long milliCpu) {
        assertThat(PodRequests.of(pod).milliCpu()).isEqualTo(milliCpu);
    }

    static Stream<Arguments> scoreCases() {
        Node big = node("big", "4", "8Gi").build();
        Node small = node("small", "2", "4Gi").build();
        return Stream.of(
                Arguments.of("least: a quarter used", NodeResourcesFit.Strategy.LEAST_ALLOCATED,
                        pod("p", "cpu", "1", "memory", "2Gi").build(), big, List.of(), 75L),
                Arguments.of("least: half used", NodeResourcesFit.Strategy.LEAST_ALLOCATED,
                        pod("p", "cpu", "1", "memory", "2Gi").build(), small, List.of(), 50L),
                Arguments.of("least: existing pods count", NodeResourcesFit.Strategy.LEAST_ALLOCATED,
                        pod("p", "cpu", "1", "memory", "2Gi").build(), big,
                        List.of(pod("a", "cpu", "2", "memory", "4Gi").build()), 25L),
                Arguments.of("least: no requests count as 100m and 200Mi", NodeResourcesFit.Strategy.LEAST_ALLOCATED,
                        pod("p").build(), node("n", "1", "1000Mi").build(), List.of(), 85L),
                Arguments.of("least: over capacity scores 0", NodeResourcesFit.Strategy.LEAST_ALLOCATED,
                        pod("p", "cpu", "3", "memory", "6Gi").build(), small, List.of(), 0L),
                Arguments.of("most: a quarter used", NodeResourcesFit.Strategy.MOST_ALLOCATED,
                        pod("p", "cpu", "1", "memory", "2Gi").build(), big, List.of(), 25L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoreCases")
    void score(String name, NodeResourcesFit.Strategy strategy, Pod pod, Node node, List<Pod> existing,
            long expected) {
        NodeResourcesFit plugin = new NodeResourcesFit(strategy, Map.of(Resources.CPU, 1, Resources.MEMORY, 1));
        CycleState state = new CycleState();
        NodeInfo info = NodeInfo.of(node, existing.toArray(Pod[]::new));
        plugin.preScore(state, pod, List.of(info));
        assertThat(plugin.score(state, pod, info)).isEqualTo(expected);
    }
}
