package io.kube4j.proxy.tracker;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.util.FakeClock;
import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortName;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.kube4j.proxy.tracker.K8sObjects.ep;
import static io.kube4j.proxy.tracker.K8sObjects.port;
import static io.kube4j.proxy.tracker.K8sObjects.slice;
import static io.kube4j.proxy.tracker.K8sObjects.svc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tracker: how slices merge into endpoints (a table of kube-proxy's rules) and which changes stay pending. */
class ProxyStateTrackerTest {

    private static final String NODE = "node-a";
    private static final ServicePortName HTTP = new ServicePortName("ns", "web", "http", "TCP");

    private FakeClock clock;
    private ProxyStateTracker tracker;
    private ResourceEventHandler<Service> services;
    private ResourceEventHandler<EndpointSlice> slices;
    private final AtomicInteger notified = new AtomicInteger();

    @BeforeEach
    void setUp() {
        clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));
        tracker = new ProxyStateTracker(NODE, clock);
        tracker.onChange(notified::incrementAndGet);
        services = tracker.serviceHandler();
        slices = tracker.endpointSliceHandler();
    }

    // ---- merging slices into endpoints: one row per rule ----

    static Stream<Arguments> sliceCases() {
        return Stream.of(
                row("conditions set: ready, serving, not terminating; local by node name",
                        List.of(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", NODE), ep("10.1.0.2", "node-b")).build()),
                        eps -> assertThat(eps.get(HTTP)).containsExactly(
                                new EndpointInfo("10.1.0.1", 8080, true, true, false, NODE, true),
                                new EndpointInfo("10.1.0.2", 8080, true, true, false, "node-b", false))),
                row("nil conditions: ready, serving (= ready), not terminating",
                        List.of(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", null, null, null, null)).build()),
                        eps -> assertThat(eps.get(HTTP)).containsExactly(
                                new EndpointInfo("10.1.0.1", 8080, true, true, false, null, false))),
                row("ready false with serving nil is not serving",
                        List.of(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", NODE, false, null, null)).build()),
                        eps -> assertThat(eps.get(HTTP)).containsExactly(
                                new EndpointInfo("10.1.0.1", 8080, false, false, false, NODE, true))),
                row("terminating but still serving",
                        List.of(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", NODE, false, true, true)).build()),
                        eps -> assertThat(eps.get(HTTP)).containsExactly(
                                new EndpointInfo("10.1.0.1", 8080, false, true, true, NODE, true))),
                row("no conditions object at all",
                        List.of(slice("ns", "web-1", "web", 8080,
                                new EndpointBuilder().withAddresses("10.1.0.1").build()).build()),
                        eps -> assertThat(eps.get(HTTP)).containsExactly(
                                new EndpointInfo("10.1.0.1", 8080, true, true, false, null, false))),
                row("slices of one Service merge, duplicates (ip:port) kept once",
                        List.of(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", "node-b"), ep("10.1.0.2", "node-b")).build(),
                                slice("ns", "web-2", "web", 8080, ep("10.1.0.2", "node-b"), ep("10.1.0.3", "node-b")).build()),
                        eps -> assertThat(eps.get(HTTP)).extracting(EndpointInfo::address)
                                .containsExactly("10.1.0.1:8080", "10.1.0.2:8080", "10.1.0.3:8080")),
                row("a local duplicate wins over a remote one",
                        List.of(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", "node-b")).build(),
                                slice("ns", "web-2", "web", 8080, ep("10.1.0.1", NODE)).build()),
                        eps -> assertThat(eps.get(HTTP)).containsExactly(
                                new EndpointInfo("10.1.0.1", 8080, true, true, false, NODE, true))),
                row("sorted by ip:port as kube-proxy sorts (string order)",
                        List.of(slice("ns", "web-1", "web", 8080, ep("10.1.0.2", "n"), ep("10.1.0.10", "n"),
                                ep("10.1.0.1", "n")).build()),
                        eps -> assertThat(eps.get(HTTP)).extracting(EndpointInfo::ip)
                                .containsExactly("10.1.0.10", "10.1.0.1", "10.1.0.2")),
                row("ports matched by name and protocol; a slice port without name is the unnamed port",
                        List.of(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", "n")).withPorts(
                                port("http", 8080, "TCP"), port("dns", 53, "UDP"), port(null, 9000, null)).build()),
                        eps -> {
                            assertThat(eps).containsOnlyKeys(HTTP, new ServicePortName("ns", "web", "dns", "UDP"),
                                    new ServicePortName("ns", "web", "", "TCP"));
                            assertThat(eps.get(new ServicePortName("ns", "web", "dns", "UDP")))
                                    .extracting(EndpointInfo::port).containsExactly(53);
                            assertThat(eps.get(new ServicePortName("ns", "web", "", "TCP")))
                                    .extracting(EndpointInfo::port).containsExactly(9000);
                        }),
                row("a slice port without port number is ignored",
                        List.of(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", "n")).withPorts(
                                port("http", 8080, "TCP"), port("other", 0, "TCP")).build()),
                        eps -> assertThat(eps).containsOnlyKeys(HTTP)),
                row("endpoints without addresses or with IPv6 addresses are ignored",
                        List.of(slice("ns", "web-1", "web", 8080, new EndpointBuilder().build(),
                                ep("fd00::1", "n"), ep("10.1.0.1", "n")).build()),
                        eps -> assertThat(eps.get(HTTP)).extracting(EndpointInfo::ip).containsExactly("10.1.0.1")),
                row("IPv6 slices are ignored",
                        List.of(slice("ns", "web-1", "web", 8080, ep("fd00::1", "n")).withAddressType("IPv6").build()),
                        eps -> assertThat(eps).isEmpty()),
                row("FQDN slices are ignored",
                        List.of(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", "n")).withAddressType("FQDN").build()),
                        eps -> assertThat(eps).isEmpty()),
                row("slices without the service-name label are ignored",
                        List.of(new EndpointSliceBuilder(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", "n")).build())
                                .editMetadata().withLabels(Map.of()).endMetadata().build()),
                        eps -> assertThat(eps).isEmpty()),
                row("slices labelled for another proxy are ignored",
                        List.of(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", "n")).editMetadata()
                                .addToLabels("service.kubernetes.io/service-proxy-name", "other").endMetadata().build()),
                        eps -> assertThat(eps).isEmpty()),
                row("slices of headless Services are ignored",
                        List.of(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", "n")).editMetadata()
                                .addToLabels("service.kubernetes.io/headless", "").endMetadata().build()),
                        eps -> assertThat(eps).isEmpty()),
                row("a slice with no endpoints gives its port no list",
                        List.of(slice("ns", "web-1", "web", 8080).build()),
                        eps -> assertThat(eps).isEmpty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sliceCases")
    void mergesSlices(String name, List<EndpointSlice> given, Consumer<Map<ServicePortName, List<EndpointInfo>>> expect) {
        services.onAdd(svc("ns", "web", "10.96.0.10"));
        given.forEach(slices::onAdd);
        expect.accept(tracker.snapshot().endpoints());
    }

    private static Arguments row(String name, List<EndpointSlice> slices,
                                 Consumer<Map<ServicePortName, List<EndpointInfo>>> expect) {
        return Arguments.of(name, slices, expect);
    }

    // ---- change tracking ----

    @Test
    void aNewServiceIsAChangeUntilApplied() {
        services.onAdd(svc("ns", "web", "10.96.0.10"));
        slices.onAdd(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", NODE)).build());

        ProxyState s = tracker.snapshot();
        assertThat(s.services()).containsOnlyKeys(HTTP);
        assertThat(s.endpointsOf(HTTP)).hasSize(1);
        assertThat(s.changedServices()).containsExactly("ns/web");
        assertThat(notified).hasValue(2);
        assertThat(tracker.pendingServiceChanges()).isEqualTo(1);
        assertThat(tracker.pendingEndpointChanges()).isEqualTo(1);

        tracker.applied(s);
        ProxyState after = tracker.snapshot();
        assertThat(after.changedServices()).isEmpty();
        assertThat(after.triggerTimes()).isEmpty();
        assertThat(after.services()).isEqualTo(s.services());
        assertThat(tracker.pendingServiceChanges()).isZero();
        assertThat(tracker.pendingEndpointChanges()).isZero();
    }

    @Test
    void resyncsAndStatusOnlyUpdatesChangeNothing() {
        Service v1 = svc("ns", "web", "10.96.0.10");
        EndpointSlice s1 = slice("ns", "web-1", "web", 8080, ep("10.1.0.1", NODE)).build();
        services.onAdd(v1);
        slices.onAdd(s1);
        tracker.applied(tracker.snapshot());
        notified.set(0);

        services.onUpdate(v1, v1); // informer resync
        slices.onUpdate(s1, s1);
        Service annotated = new ServiceBuilder(v1).editMetadata().withResourceVersion("2")
                .addToAnnotations("note", "x").endMetadata().withNewStatus().endStatus().build();
        services.onUpdate(v1, annotated);
        EndpointSlice relabelled = new EndpointSliceBuilder(s1).editMetadata().addToLabels("extra", "y")
                .addToAnnotations(ProxyStateTracker.TRIGGER_TIME_ANNOTATION, "2026-03-01T10:00:05Z").endMetadata().build();
        slices.onUpdate(s1, relabelled);

        assertThat(tracker.snapshot().changedServices()).isEmpty();
        assertThat(notified).hasValue(0);
        assertThat(tracker.serviceChangesTotal()).isEqualTo(3);
        assertThat(tracker.endpointChangesTotal()).isEqualTo(3);
    }

    @Test
    void aChangeUndoneBeforeTheSyncIsForgotten() {
        Service v1 = svc("ns", "web", "10.96.0.10");
        services.onAdd(v1);
        tracker.applied(tracker.snapshot());

        Service v2 = new ServiceBuilder(v1).editSpec().editFirstPort().withPort(81).endPort().endSpec().build();
        services.onUpdate(v1, v2);
        assertThat(tracker.snapshot().changedServices()).containsExactly("ns/web");
        services.onUpdate(v2, v1);
        assertThat(tracker.snapshot().changedServices()).isEmpty();
        assertThat(notified).hasValue(3);
    }

    @Test
    void aChangeArrivingDuringASyncStaysPending() {
        services.onAdd(svc("ns", "web", "10.96.0.10"));
        slices.onAdd(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", NODE)).build());
        ProxyState syncing = tracker.snapshot();

        // while the proxier works on `syncing`, an endpoint is added
        clock.advance(Duration.ofSeconds(1));
        slices.onUpdate(null, slice("ns", "web-1", "web", 8080, ep("10.1.0.1", NODE), ep("10.1.0.2", NODE))
                .editMetadata().addToAnnotations(ProxyStateTracker.TRIGGER_TIME_ANNOTATION, "2026-03-01T10:00:01Z")
                .endMetadata().build());
        tracker.applied(syncing);

        ProxyState next = tracker.snapshot();
        assertThat(next.changedServices()).containsExactly("ns/web");
        assertThat(next.endpointsOf(HTTP)).hasSize(2);
        assertThat(next.triggerTimes()).containsEntry("ns/web", Instant.parse("2026-03-01T10:00:01Z"));
        assertThat(tracker.pendingServiceChanges()).as("the ports were applied").isZero();
        assertThat(tracker.pendingEndpointChanges()).isEqualTo(1);

        tracker.applied(next);
        assertThat(tracker.snapshot().changedServices()).isEmpty();
    }

    @Test
    void aChangeRevertedDuringASyncIsStillPendingBecauseTheNodeGotTheIntermediateState() {
        Service v1 = svc("ns", "web", "10.96.0.10");
        services.onAdd(v1);
        tracker.applied(tracker.snapshot());

        Service v2 = new ServiceBuilder(v1).editSpec().editFirstPort().withPort(81).endPort().endSpec().build();
        services.onUpdate(v1, v2);
        ProxyState syncing = tracker.snapshot(); // has port 81
        services.onUpdate(v2, v1);               // back to 80 while syncing
        tracker.applied(syncing);

        ProxyState next = tracker.snapshot();
        assertThat(next.changedServices()).containsExactly("ns/web");
        assertThat(next.services().get(HTTP).port()).isEqualTo(80);
    }

    @Test
    void deletingAServiceAndItsSlicesIsAChangeAndRemovesThem() {
        Service v1 = svc("ns", "web", "10.96.0.10");
        EndpointSlice s1 = slice("ns", "web-1", "web", 8080, ep("10.1.0.1", NODE)).build();
        services.onAdd(v1);
        slices.onAdd(s1);
        tracker.applied(tracker.snapshot());

        services.onDelete(v1, false);
        slices.onDelete(s1, true);

        ProxyState s = tracker.snapshot();
        assertThat(s.services()).isEmpty();
        assertThat(s.endpoints()).isEmpty();
        assertThat(s.changedServices()).containsExactly("ns/web");
        tracker.applied(s);
        assertThat(tracker.snapshot().changedServices()).isEmpty();
    }

    @Test
    void headlessAndExternalNameServicesAreNeverChanges() {
        services.onAdd(new ServiceBuilder(svc("ns", "headless", "None")).build());
        services.onAdd(new ServiceBuilder(svc("ns", "ext", "10.96.0.12")).editSpec().withType("ExternalName")
                .withExternalName("example.org").endSpec().build());
        assertThat(tracker.snapshot().changedServices()).isEmpty();
        assertThat(tracker.snapshot().services()).isEmpty();
        assertThat(notified).hasValue(0);
    }

    @Test
    void aServiceTurningHeadlessIsRemoved() {
        Service v1 = svc("ns", "web", "10.96.0.10");
        services.onAdd(v1);
        tracker.applied(tracker.snapshot());
        services.onUpdate(v1, new ServiceBuilder(v1).editSpec().withClusterIP("None").withClusterIPs("None").endSpec().build());
        ProxyState s = tracker.snapshot();
        assertThat(s.services()).isEmpty();
        assertThat(s.changedServices()).containsExactly("ns/web");
    }

    @Test
    void triggerTimes_earliestPendingSliceAnnotation_serviceChangeAtClockNow_startUpSlicesIgnored() {
        // a slice listed at start-up: its change happened before the tracker ran
        slices.onAdd(slice("ns", "old", "old", 8080, ep("10.1.0.9", NODE)).editMetadata()
                .addToAnnotations(ProxyStateTracker.TRIGGER_TIME_ANNOTATION, "2026-03-01T09:00:00Z").endMetadata().build());
        clock.advance(Duration.ofSeconds(10));
        slices.onAdd(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", NODE)).editMetadata()
                .addToAnnotations(ProxyStateTracker.TRIGGER_TIME_ANNOTATION, "2026-03-01T10:00:07+00:00").endMetadata().build());
        slices.onUpdate(null, slice("ns", "web-1", "web", 8080, ep("10.1.0.1", NODE), ep("10.1.0.2", NODE)).editMetadata()
                .addToAnnotations(ProxyStateTracker.TRIGGER_TIME_ANNOTATION, "2026-03-01T10:00:09Z").endMetadata().build());
        services.onAdd(svc("ns", "api", "10.96.0.11"));

        ProxyState s = tracker.snapshot();
        assertThat(s.changedServices()).containsExactlyInAnyOrder("ns/old", "ns/web", "ns/api");
        assertThat(s.triggerTimes()).containsOnly(
                Map.entry("ns/web", Instant.parse("2026-03-01T10:00:07Z")),
                Map.entry("ns/api", Instant.parse("2026-03-01T10:00:10Z")));
    }

    @Test
    void aBadTriggerTimeIsIgnoredNotFatal() {
        clock.advance(Duration.ofSeconds(1));
        slices.onAdd(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", NODE)).editMetadata()
                .addToAnnotations(ProxyStateTracker.TRIGGER_TIME_ANNOTATION, "yesterday").endMetadata().build());
        ProxyState s = tracker.snapshot();
        assertThat(s.changedServices()).containsExactly("ns/web");
        assertThat(s.triggerTimes()).isEmpty();
    }

    @Test
    void aSliceMovedToAnotherServiceChangesBoth() {
        EndpointSlice s1 = slice("ns", "shared", "a", 8080, ep("10.1.0.1", NODE)).build();
        slices.onAdd(s1);
        tracker.applied(tracker.snapshot());
        slices.onUpdate(s1, slice("ns", "shared", "b", 8080, ep("10.1.0.1", NODE)).build());
        ProxyState s = tracker.snapshot();
        assertThat(s.changedServices()).containsExactlyInAnyOrder("ns/a", "ns/b");
        assertThat(s.endpoints()).containsOnlyKeys(new ServicePortName("ns", "b", "http", "TCP"));
    }

    @Test
    void endpointsWithoutAServiceAreTrackedAndJoinTheServiceLater() {
        slices.onAdd(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", NODE)).build());
        assertThat(tracker.snapshot().services()).isEmpty();
        services.onAdd(svc("ns", "web", "10.96.0.10"));
        ProxyState s = tracker.snapshot();
        assertThat(s.services()).containsOnlyKeys(HTTP);
        assertThat(s.endpointsOf(HTTP)).hasSize(1);
    }

    @Test
    void aServiceForAnotherProxyIsDroppedWhenRelabelled() {
        Service v1 = svc("ns", "web", "10.96.0.10");
        services.onAdd(v1);
        tracker.applied(tracker.snapshot());
        services.onUpdate(v1, new ServiceBuilder(v1).editMetadata()
                .addToLabels("service.kubernetes.io/service-proxy-name", "other").endMetadata().build());
        assertThat(tracker.snapshot().services()).isEmpty();
        assertThat(tracker.snapshot().changedServices()).containsExactly("ns/web");
    }

    @Test
    void aStateThatIsNotOneOfItsSnapshotsIsComparedByContent() {
        services.onAdd(svc("ns", "web", "10.96.0.10"));
        services.onAdd(svc("ns", "api", "10.96.0.11"));
        ProxyState own = tracker.snapshot();
        // a copy (equal, not the same object): web as it is now, api with another ClusterIP than the tracker has
        ProxyState copy = new ProxyState(new java.util.TreeMap<>(Map.of(HTTP, own.services().get(HTTP),
                new ServicePortName("ns", "api", "http", "TCP"), ServicePorts.of(svc("ns", "api", "10.96.0.99"))
                        .values().iterator().next())), Map.of(), own.changedServices(), own.triggerTimes());
        tracker.applied(copy);
        assertThat(tracker.snapshot().changedServices()).containsExactly("ns/api");
    }

    @Test
    void aNodeNameIsRequired() {
        assertThatThrownBy(() -> new ProxyStateTracker(" ", clock)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node name");
    }
}
