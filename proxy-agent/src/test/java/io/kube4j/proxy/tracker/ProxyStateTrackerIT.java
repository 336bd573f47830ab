package io.kube4j.proxy.tracker;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static io.kube4j.proxy.tracker.K8sObjects.ep;
import static io.kube4j.proxy.tracker.K8sObjects.port;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tracker fed by real shared informers from the real apiserver on etcd: Services and EndpointSlices written by
 * hand (no controller) show up in its snapshots, updates and deletes become changes, and applied changes go away.
 */
class ProxyStateTrackerIT {

    private static final String NS = "proxy-tracker-it-" + UUID.randomUUID().toString().substring(0, 6);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String NODE = "node-it";

    private static KubeClient client;
    private static SharedInformerFactory informers;
    private static ProxyStateTracker tracker;
    private static final AtomicInteger changes = new AtomicInteger();

    @BeforeAll
    static void start() {
        Requirements.requireBinary("etcd");
        client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).block(WAIT);
        tracker = new ProxyStateTracker(NODE, Clock.system());
        tracker.onChange(changes::incrementAndGet);
        informers = SharedInformerFactory.forClient(client, Duration.ZERO);
        informers.informerFor(Service.class, NS).addEventHandler(tracker.serviceHandler());
        informers.informerFor(EndpointSlice.class, NS).addEventHandler(tracker.endpointSliceHandler());
        informers.startAll();
        assertThat(informers.waitForCacheSync(WAIT)).as("informers synced").isTrue();
    }

    @AfterAll
    static void stop() {
        if (informers != null) {
            informers.stopAll();
        }
        if (client != null) {
            client.resources(Namespace.class).delete(null, NS, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
            client.close();
        }
    }

    @Test
    void servicesAndSlicesFromTheApiserverBecomeStateAndChanges() {
        // a NodePort Service with two ports; the apiserver allocates its ClusterIP and node ports
        Service created = client.resources(Service.class).create(new ServiceBuilder()
                .withNewMetadata().withNamespace(NS).withName("web").endMetadata()
                .withNewSpec().withType("NodePort").withSelector(java.util.Map.of("app", "web"))
                .addNewPort().withName("http").withPort(80).withNewTargetPort(8080).endPort()
                .addNewPort().withName("dns").withPort(53).withProtocol("UDP").withNewTargetPort(5353).endPort()
                .endSpec().build()).block(WAIT);
        String clusterIP = created.getSpec().getClusterIP();
        assertThat(clusterIP).as("allocated by the apiserver").isNotBlank();
        ServicePortName http = new ServicePortName(NS, "web", "http", "TCP");
        ServicePortName dns = new ServicePortName(NS, "web", "dns", "UDP");

        await().atMost(WAIT).until(() -> tracker.snapshot().services().containsKey(http));
        ProxyState s1 = tracker.snapshot();
        ServicePortInfo info = s1.services().get(http);
        assertThat(info.clusterIP()).isEqualTo(clusterIP);
        assertThat(info.type()).isEqualTo("NodePort");
        assertThat(info.nodePort()).isEqualTo(created.getSpec().getPorts().get(0).getNodePort()).isPositive();
        assertThat(s1.services()).containsKey(dns);
        assertThat(s1.changedServices()).contains(NS + "/web");
        tracker.applied(s1);
        assertThat(tracker.snapshot().changedServices()).isEmpty();

        // two hand-written slices: one local endpoint, one remote, one shared (deduplicated)
        String trigger = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1).toString();
        client.resources(EndpointSlice.class).create(sliceBuilder("web-a", trigger)
                .withEndpoints(ep("10.244.1.5", NODE), ep("10.244.2.7", "other-node")).build()).block(WAIT);
        client.resources(EndpointSlice.class).create(sliceBuilder("web-b", trigger)
                .withEndpoints(ep("10.244.2.7", "other-node"), ep("10.244.1.6", NODE, false, true, true)).build())
                .block(WAIT);
        await().atMost(WAIT).until(() -> tracker.snapshot().endpointsOf(http).size() == 3);
        ProxyState s2 = tracker.snapshot();
        assertThat(s2.endpointsOf(http)).containsExactly(
                new EndpointInfo("10.244.1.5", 8080, true, true, false, NODE, true),
                new EndpointInfo("10.244.1.6", 8080, false, true, true, NODE, true),
                new EndpointInfo("10.244.2.7", 8080, true, true, false, "other-node", false));
        assertThat(s2.endpointsOf(dns)).extracting(EndpointInfo::port).containsOnly(5353);
        assertThat(s2.changedServices()).containsExactly(NS + "/web");
        assertThat(s2.triggerTimes()).containsEntry(NS + "/web", Instant.parse(trigger));
        tracker.applied(s2);

        // a label-only update of a slice changes nothing; dropping an endpoint does
        int before = changes.get();
        client.resources(EndpointSlice.class).updateWithRetry(NS, "web-a", es -> {
            es.getMetadata().getLabels().put("touched", "yes");
            return es;
        }, false).block(WAIT);
        client.resources(EndpointSlice.class).updateWithRetry(NS, "web-b", es -> {
            es.getEndpoints().remove(1);
            return es;
        }, false).block(WAIT);
        await().atMost(WAIT).until(() -> tracker.snapshot().endpointsOf(http).size() == 2);
        assertThat(changes.get() - before).as("only the endpoint removal notified").isEqualTo(1);
        ProxyState s3 = tracker.snapshot();
        assertThat(s3.changedServices()).containsExactly(NS + "/web");
        tracker.applied(s3);

        // a Service update that alters a port is a change; delete removes the Service and, with its slices, the endpoints
        client.resources(Service.class).updateWithRetry(NS, "web", svc -> {
            svc.getSpec().setSessionAffinity("ClientIP");
            return svc;
        }, false).block(WAIT);
        await().atMost(WAIT).until(() -> tracker.snapshot().services().get(http).clientIPAffinity());
        assertThat(tracker.snapshot().services().get(http).stickyMaxAgeSeconds()).isEqualTo(10800);
        tracker.applied(tracker.snapshot());

        client.resources(Service.class).delete(NS, "web", DeleteOptions.defaults()).block(WAIT);
        client.resources(EndpointSlice.class).delete(NS, "web-a", DeleteOptions.defaults()).block(WAIT);
        client.resources(EndpointSlice.class).delete(NS, "web-b", DeleteOptions.defaults()).block(WAIT);
        await().atMost(WAIT).until(() -> {
            ProxyState s = tracker.snapshot();
            return s.services().isEmpty() && s.endpoints().isEmpty();
        });
        ProxyState gone = tracker.snapshot();
        assertThat(gone.changedServices()).containsExactly(NS + "/web");
        tracker.applied(gone);
        assertThat(tracker.snapshot().changedServices()).isEmpty();
    }

    @Test
    void headlessServicesNeverReachTheState() {
        client.resources(Service.class).create(new ServiceBuilder()
                .withNewMetadata().withNamespace(NS).withName("headless").endMetadata()
                .withNewSpec().withClusterIP("None").addNewPort().withName("http").withPort(80).endPort().endSpec()
                .build()).block(WAIT);
        // a normal Service created after it: once it is seen, the headless one has been handled too (same informer)
        client.resources(Service.class).create(new ServiceBuilder()
                .withNewMetadata().withNamespace(NS).withName("marker").endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(80).endPort().endSpec().build()).block(WAIT);
        await().atMost(WAIT).until(() -> tracker.snapshot().services().keySet().stream()
                .anyMatch(n -> n.name().equals("marker")));
        assertThat(tracker.snapshot().services().keySet()).noneMatch(n -> n.name().equals("headless"));
        assertThat(tracker.snapshot().changedServices()).doesNotContain(NS + "/headless");
    }

    private static EndpointSliceBuilder sliceBuilder(String name, String trigger) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(NS).withName(name)
                .addToLabels("kubernetes.io/service-name", "web")
                .addToAnnotations(ProxyStateTracker.TRIGGER_TIME_ANNOTATION, trigger).endMetadata()
                .withAddressType("IPv4")
                .withPorts(port("http", 8080, "TCP"), port("dns", 5353, "UDP"));
    }
}
