package io.kube4j.controller.endpointslice;

import static io.kube4j.controller.endpoint.TestObjects.pod;
import static io.kube4j.controller.endpoint.TestObjects.port;
import static io.kube4j.controller.endpoint.TestObjects.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;

/** Slice packing and minimal change, after Kubernetes' reconciler_test.go. */
class SlicePlannerTest {

    private final Service svc = service("ns", "web", "10.96.0.10", List.of(port("http", 80, new IntOrString("http"))));
    private final SlicePlanner planner = new SlicePlanner(100);
    /** The "apiserver": slices by name after applying plans. */
    private final Map<String, EndpointSlice> store = new LinkedHashMap<>();
    private int generated;

    private static List<Pod> pods(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> pod("ns", String.format("p%04d", i),
                "10.1." + (i / 250) + "." + (i % 250), true)).toList();
    }

    private SlicePlanner.Plan sync(SlicePlanner p, List<Pod> pods) {
        var plan = p.plan(svc, SlicePlanner.desired(svc, pods, node -> "zone-a"), new ArrayList<>(store.values()));
        for (EndpointSlice s : plan.toCreate()) {
            EndpointSlice c = new EndpointSliceBuilder(s).editMetadata()
                    .withName(s.getMetadata().getGenerateName() + (generated++)).endMetadata().build();
            store.put(c.getMetadata().getName(), c);
        }
        plan.toUpdate().forEach(s -> store.put(s.getMetadata().getName(), new EndpointSliceBuilder(s).build()));
        plan.toDelete().forEach(s -> store.remove(s.getMetadata().getName()));
        return plan;
    }

    private SlicePlanner.Plan sync(List<Pod> pods) {
        return sync(planner, pods);
    }

    private List<Integer> sizes() {
        return store.values().stream().map(s -> s.getEndpoints().size()).sorted().toList();
    }

    @Test
    void packs250EndpointsInto3Slices() {
        var plan = sync(pods(0, 250));
        assertThat(plan.toCreate()).hasSize(3);
        assertThat(sizes()).containsExactly(50, 100, 100);
        EndpointSlice s = store.values().iterator().next();
        assertThat(s.getAddressType()).isEqualTo("IPv4");
        assertThat(s.getMetadata().getGenerateName()).isEqualTo("web-");
        assertThat(s.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "web")
                .containsEntry("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")
                .doesNotContainKey("service.kubernetes.io/headless");
        assertThat(s.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
            assertThat(r.getKind()).isEqualTo("Service");
            assertThat(r.getUid()).isEqualTo("svc-uid-web");
            assertThat(r.getController()).isTrue();
        });
        assertThat(s.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
        Endpoint ep = s.getEndpoints().get(0);
        assertThat(ep.getNodeName()).isEqualTo("node-1");
        assertThat(ep.getZone()).isEqualTo("zone-a");
        assertThat(ep.getTargetRef().getName()).startsWith("p0");
        assertThat(ep.getConditions().getReady()).isTrue();
        // a second sync over the same pods writes nothing
        assertThat(sync(pods(0, 250)).isEmpty()).isTrue();
    }

    @Test
    void readinessChangeUpdatesOnlyTheSliceHoldingThePod() {
        sync(pods(0, 250));
        List<Pod> pods = new ArrayList<>(pods(0, 250));
        pods.set(7, pod("ns", "p0007", "10.1.0.7", false));
        var plan = sync(pods);
        assertThat(plan.toCreate()).isEmpty();
        assertThat(plan.toDelete()).isEmpty();
        assertThat(plan.toUpdate()).singleElement().satisfies(s -> assertThat(s.getEndpoints()).anySatisfy(e -> {
            assertThat(e.getTargetRef().getName()).isEqualTo("p0007");
            assertThat(e.getConditions().getReady()).isFalse();
            assertThat(e.getConditions().getServing()).isFalse();
        }));
    }

    @Test
    void newEndpointsFillTheBestFittingSliceBeforeCreatingOne() {
        sync(pods(0, 250));
        var plan = sync(pods(0, 280));
        assertThat(plan.toCreate()).isEmpty();
        assertThat(plan.toUpdate()).hasSize(1);
        assertThat(sizes()).containsExactly(80, 100, 100);
        plan = sync(pods(0, 400));
        assertThat(plan.toCreate()).hasSize(1);
        assertThat(plan.toUpdate()).hasSize(1);
        assertThat(sizes()).containsExactly(100, 100, 100, 100);
    }

    @Test
    void removedEndpointsShrinkSlicesAndEmptySlicesGo() {
        sync(pods(0, 250));
        var plan = sync(pods(0, 200)); // the 50 of the last slice
        assertThat(plan.toDelete()).hasSize(1);
        assertThat(plan.toUpdate()).isEmpty();
        assertThat(sizes()).containsExactly(100, 100);
        plan = sync(pods(10, 200));
        assertThat(plan.toUpdate()).hasSize(1);
        assertThat(sizes()).containsExactly(90, 100);
    }

    @Test
    void aServiceWithoutEndpointsKeepsOnePlaceholder() {
        var plan = sync(List.of());
        assertThat(plan.toCreate()).singleElement().satisfies(s -> {
            assertThat(s.getEndpoints()).isEmpty();
            assertThat(s.getPorts()).isEmpty();
        });
        assertThat(sync(List.of()).isEmpty()).isTrue();
        sync(pods(0, 250));
        assertThat(sizes()).containsExactly(50, 100, 100); // the placeholder was reused, not kept empty
        plan = sync(List.of());
        assertThat(plan.toUpdate()).hasSize(1); // one slice becomes the placeholder, two go
        assertThat(plan.toDelete()).hasSize(2);
        assertThat(sizes()).containsExactly(0);
    }

    @Test
    void terminatingPodsStayWithConditions() {
        Pod t = new PodBuilder(pod("ns", "t", "10.0.0.3", true)).editMetadata()
                .withDeletionTimestamp("2026-11-27T07:00:00Z").endMetadata().build();
        sync(List.of(t));
        Endpoint ep = store.values().iterator().next().getEndpoints().get(0);
        assertThat(ep.getConditions().getReady()).isFalse();
        assertThat(ep.getConditions().getServing()).isTrue();
        assertThat(ep.getConditions().getTerminating()).isTrue();
    }

    @Test
    void podsWithDifferentPortsGoToDifferentSlices() {
        Pod noHttp = new PodBuilder(pod("ns", "x", "10.0.0.9", true)).editSpec()
                .withContainers(new ContainerBuilder().withName("c").build()).endSpec().build();
        List<Pod> pods = new ArrayList<>(pods(0, 3));
        pods.add(noHttp);
        sync(pods);
        assertThat(store.values()).extracting(s -> s.getPorts().size() + ":" + s.getEndpoints().size())
                .containsExactlyInAnyOrder("1:3", "0:1");
    }

    @Test
    void maxEndpointsPerSliceIsConfigurable() {
        sync(new SlicePlanner(10), pods(0, 25));
        assertThat(sizes()).containsExactly(5, 10, 10);
    }

    @Test
    void slicesOfAnotherServiceIncarnationAreReplaced() {
        sync(pods(0, 5));
        EndpointSlice old = store.values().iterator().next();
        store.put(old.getMetadata().getName(), new EndpointSliceBuilder(old).editMetadata()
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Service")
                        .withName("web").withUid("an-older-uid").withController(true).build()).endMetadata().build());
        var plan = sync(pods(0, 5));
        assertThat(plan.toDelete()).hasSize(1);
        assertThat(plan.toCreate()).hasSize(1);
    }

    @Test
    void tamperedSlicesAreRepaired() {
        sync(pods(0, 5));
        EndpointSlice s = store.values().iterator().next();
        EndpointSlice tampered = new EndpointSliceBuilder(s).build();
        tampered.getEndpoints().get(0).setAddresses(List.of("192.0.2.1"));
        tampered.getMetadata().getLabels().remove("kubernetes.io/service-name");
        store.put(s.getMetadata().getName(), tampered);
        var plan = sync(pods(0, 5));
        assertThat(plan.toUpdate()).singleElement().satisfies(u -> {
            assertThat(u.getEndpoints()).hasSize(5);
            assertThat(u.getEndpoints()).extracting(e -> e.getAddresses().get(0)).doesNotContain("192.0.2.1");
            assertThat(u.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "web");
        });
    }
}
