package io.kube4j.controller.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.controller.endpointslice.EndpointSliceControllerFactory;
import io.kube4j.controller.endpointslice.EndpointSliceControllerProperties;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Endpoints and EndpointSlice controllers against the real apiserver on etcd. No node agent: pods are bound by
 * {@code spec.nodeName} to a Node object of this test and their status (IP, Ready) is written through {@code /status}
 * as an agent would.
 */
class EndpointControllersIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final String NODE = "ep-it-node-" + RUN;

    private static KubeClient client;
    private static String ns;
    private static ControllerManager manager;
    private static int nextIp = 1;

    @BeforeAll
    static void start() {
        client = ControllerTestEnv.client();
        ns = ControllerTestEnv.namespace("ep-it");
        client.resources(Node.class).create(new NodeBuilder().withNewMetadata().withName(NODE)
                .withLabels(Map.of("topology.kubernetes.io/zone", "zone-a")).endMetadata().build()).block(WAIT);
        manager = ControllerTestEnv.start(new EndpointControllerFactory(EndpointControllerProperties.defaults()),
                new EndpointSliceControllerFactory(EndpointSliceControllerProperties.defaults()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (manager != null) {
            manager.stop();
        }
        if (client != null) {
            for (Pod p : client.resources(Pod.class).list(ns, ListOptions.all()).block(WAIT).getItems()) {
                client.resources(Pod.class).delete(ns, p.getMetadata().getName(), DeleteOptions.now())
                        .onErrorComplete().block(WAIT);
            }
            client.resources(Node.class).delete(null, NODE, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
            client.resources(Namespace.class).delete(null, ns, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
        }
    }

    // ---- helpers

    private static Service service(String name, boolean publishNotReady, String targetPort) {
        IntOrString target = targetPort.chars().allMatch(Character::isDigit)
                ? new IntOrString(Integer.parseInt(targetPort)) : new IntOrString(targetPort);
        return client.resources(Service.class).create(new ServiceBuilder().withNewMetadata().withName(name)
                .withNamespace(ns).withLabels(Map.of("tier", "front")).endMetadata().withNewSpec()
                .withSelector(Map.of("app", name)).withPublishNotReadyAddresses(publishNotReady)
                .withPorts(new ServicePortBuilder().withName("web").withPort(80).withProtocol("TCP")
                        .withTargetPort(target).build())
                .endSpec().build()).block(WAIT);
    }

    /** Creates a pod of app {@code app} bound to the node, with container port {@code http:<httpPort>} (0: none). */
    private static Pod pod(String app, String name, int httpPort) {
        var c = new ContainerBuilder().withName("c").withImage("busybox");
        if (httpPort > 0) {
            c.withPorts(new ContainerPortBuilder().withName("http").withContainerPort(httpPort).withProtocol("TCP").build());
        }
        return client.resources(Pod.class).create(new PodBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .withLabels(Map.of("app", app)).endMetadata().withNewSpec().withNodeName(NODE)
                .withContainers(c.build()).endSpec().build()).block(WAIT);
    }

    private static synchronized String nextIp() {
        int i = nextIp++;
        return "10.244." + (i / 250) + "." + (i % 250 + 1);
    }

    /** Writes Running, an IP and the Ready condition through /status, as a node agent would. */
    private static Pod setStatus(String name, String ip, boolean ready) {
        return client.resources(Pod.class).updateWithRetry(ns, name, p -> {
            PodCondition cond = new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False")
                    .withLastTransitionTime(Instant.now().toString()).build();
            p.getStatus().setPhase("Running");
            p.getStatus().setPodIP(ip);
            p.getStatus().setConditions(new ArrayList<>(List.of(cond)));
            return p;
        }, true).block(WAIT);
    }

    private static Endpoints endpoints(String name) {
        try {
            return client.resources(Endpoints.class).get(ns, name).block(WAIT);
        } catch (ApiStatusException.NotFound e) {
            return null;
        }
    }

    private static List<EndpointSlice> slices(String service) {
        return client.resources(EndpointSlice.class)
                .list(ns, ListOptions.all().withLabelSelector("kubernetes.io/service-name=" + service)).block(WAIT)
                .getItems();
    }

    private static List<String> ips(List<EndpointAddress> l) {
        return l == null ? List.of() : l.stream().map(EndpointAddress::getIp).sorted().toList();
    }

    private static List<String> ready(Endpoints ep) {
        return ep == null ? List.of() : ep.getSubsets().stream().flatMap(s -> ips(s.getAddresses()).stream()).sorted().toList();
    }

    private static List<String> notReady(Endpoints ep) {
        return ep == null ? List.of()
                : ep.getSubsets().stream().flatMap(s -> ips(s.getNotReadyAddresses()).stream()).sorted().toList();
    }

    private static List<Endpoint> sliceEndpoints(String service) {
        return slices(service).stream().flatMap(s -> s.getEndpoints().stream()).toList();
    }

    // ---- tests

    @Test
    void endpointsAndSlicesFollowReadiness() {
        service("web", false, "http");
        pod("web", "web-0", 8080);
        pod("web", "web-1", 8080);
        pod("web", "web-2", 8080);
        String ip0 = setStatus("web-0", nextIp(), true).getStatus().getPodIP();
        String ip1 = setStatus("web-1", nextIp(), true).getStatus().getPodIP();
        String ip2 = setStatus("web-2", nextIp(), false).getStatus().getPodIP();

        await().atMost(WAIT).untilAsserted(() -> {
            Endpoints ep = endpoints("web");
            assertThat(ready(ep)).containsExactlyInAnyOrder(ip0, ip1);
            assertThat(notReady(ep)).containsExactly(ip2);
            EndpointSubset s = ep.getSubsets().get(0);
            assertThat(s.getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getPort()).isEqualTo(8080);
                assertThat(p.getName()).isEqualTo("web");
            });
            EndpointAddress a = s.getAddresses().get(0);
            assertThat(a.getNodeName()).isEqualTo(NODE);
            assertThat(a.getTargetRef().getKind()).isEqualTo("Pod");
            assertThat(a.getTargetRef().getUid()).isNotEmpty();
            assertThat(ep.getMetadata().getLabels()).containsEntry("tier", "front")
                    .doesNotContainKey(PodEndpoints.HEADLESS_LABEL);
        });
        await().atMost(WAIT).untilAsserted(() -> {
            List<EndpointSlice> sl = slices("web");
            assertThat(sl).singleElement().satisfies(s -> {
                assertThat(s.getAddressType()).isEqualTo("IPv4");
                assertThat(s.getMetadata().getLabels()).containsEntry("endpointslice.kubernetes.io/managed-by",
                        "endpointslice-controller.k8s.io").containsEntry("tier", "front");
                assertThat(s.getMetadata().getOwnerReferences()).singleElement()
                        .satisfies(r -> assertThat(r.getKind()).isEqualTo("Service"));
                assertThat(s.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
            });
            List<Endpoint> eps = sliceEndpoints("web");
            assertThat(eps).hasSize(3);
            assertThat(eps).allSatisfy(e -> {
                assertThat(e.getZone()).isEqualTo("zone-a");
                assertThat(e.getNodeName()).isEqualTo(NODE);
            });
            assertThat(eps).filteredOn(e -> e.getAddresses().get(0).equals(ip2)).singleElement()
                    .satisfies(e -> assertThat(e.getConditions().getReady()).isFalse());
        });

        // readiness flips: measure status write → Endpoints update (polled every 10 ms)
        List<Long> millis = new ArrayList<>();
        boolean readyNow = false;
        for (int i = 0; i < 6; i++) {
            readyNow = !readyNow;
            boolean want = readyNow;
            long t0 = System.nanoTime();
            setStatus("web-2", ip2, want);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).pollDelay(Duration.ZERO)
                    .until(() -> ready(endpoints("web")).contains(ip2) == want);
            millis.add((System.nanoTime() - t0) / 1_000_000);
        }
        System.out.println("[EndpointControllersIT] pod Ready change (status write) -> Endpoints updated, ms: " + millis
                + " (batch period 250 ms, poll 10 ms)");
        assertThat(endpoints("web").getMetadata().getAnnotations()).containsKey(PodEndpoints.LAST_CHANGE_TRIGGER_TIME);

        // slices follow too
        boolean last = readyNow;
        await().atMost(WAIT).untilAsserted(() -> assertThat(sliceEndpoints("web"))
                .filteredOn(e -> e.getAddresses().get(0).equals(ip2)).singleElement()
                .satisfies(e -> assertThat(e.getConditions().getReady()).isEqualTo(last)));

        // a terminating pod leaves Endpoints but stays in the slices as terminating (no agent finishes the delete)
        client.resources(Pod.class).delete(ns, "web-1", new DeleteOptions(30L, null, null, null)).block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(ready(endpoints("web"))).doesNotContain(ip1).contains(ip0);
            assertThat(notReady(endpoints("web"))).doesNotContain(ip1);
            assertThat(sliceEndpoints("web")).filteredOn(e -> e.getAddresses().get(0).equals(ip1)).singleElement()
                    .satisfies(e -> {
                        assertThat(e.getConditions().getTerminating()).isTrue();
                        assertThat(e.getConditions().getServing()).isTrue();
                        assertThat(e.getConditions().getReady()).isFalse();
                    });
        });
    }

    @Test
    void publishNotReadyAddressesListsPodsThatAreNotReady() {
        service("pub", true, "8080");
        pod("pub", "pub-0", 0);
        String ip = setStatus("pub-0", nextIp(), false).getStatus().getPodIP();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(ready(endpoints("pub"))).containsExactly(ip);
            assertThat(sliceEndpoints("pub")).singleElement().satisfies(e -> {
                assertThat(e.getConditions().getReady()).isTrue();
                assertThat(e.getConditions().getServing()).isFalse();
            });
        });
    }

    @Test
    void namedPortsResolvePerPodAndPodsLackingThePortAreLeftOut() {
        service("named", false, "http");
        pod("named", "named-a", 8080);
        pod("named", "named-b", 9090);
        pod("named", "named-none", 0);
        String a = setStatus("named-a", nextIp(), true).getStatus().getPodIP();
        String b = setStatus("named-b", nextIp(), true).getStatus().getPodIP();
        String none = setStatus("named-none", nextIp(), true).getStatus().getPodIP();
        await().atMost(WAIT).untilAsserted(() -> {
            Endpoints ep = endpoints("named");
            assertThat(ep).isNotNull();
            assertThat(ep.getSubsets()).extracting(s -> ips(s.getAddresses()) + "@" + s.getPorts().get(0).getPort())
                    .containsExactlyInAnyOrder("[" + a + "]@8080", "[" + b + "]@9090");
            assertThat(ready(ep)).doesNotContain(none);
            // slices: one per port set (the pod without the port in a slice without ports, as Kubernetes)
            assertThat(slices("named")).extracting(s -> s.getPorts().stream().map(p -> p.getPort()).toList()
                    + "" + s.getEndpoints().stream().map(e -> e.getAddresses().get(0)).toList())
                    .containsExactlyInAnyOrder("[8080][" + a + "]", "[9090][" + b + "]", "[][" + none + "]");
        });
    }

    @Test
    void selectorRemovalDeletesWhatTheControllersWroteButNeverUserEndpoints() {
        Service svc = service("sel", false, "8080");
        pod("sel", "sel-0", 0);
        setStatus("sel-0", nextIp(), true);
        // a selector-less service whose Endpoints a user manages
        client.resources(Service.class).create(new ServiceBuilder().withNewMetadata().withName("manual")
                .withNamespace(ns).endMetadata().withNewSpec().withPorts(new ServicePortBuilder().withPort(80)
                        .withProtocol("TCP").build()).endSpec().build()).block(WAIT);
        client.resources(Endpoints.class).create(new EndpointsBuilder().withNewMetadata().withName("manual")
                .withNamespace(ns).endMetadata().addNewSubset().addNewAddress().withIp("192.0.2.10").endAddress()
                .addNewPort().withPort(80).withProtocol("TCP").endPort().endSubset().build()).block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(ready(endpoints("sel"))).hasSize(1);
            assertThat(slices("sel")).hasSize(1);
        });
        client.resources(Service.class).updateWithRetry(ns, svc.getMetadata().getName(), s -> {
            s.getSpec().setSelector(null);
            return s;
        }, false).block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(endpoints("sel")).isNull();
            assertThat(slices("sel")).isEmpty();
        });
        assertThat(ips(endpoints("manual").getSubsets().get(0).getAddresses())).containsExactly("192.0.2.10");
        assertThat(slices("manual")).isEmpty();
    }

    @Test
    void serviceDeletionDeletesItsEndpointsAndSlicesAndDeletedSlicesAreRepaired() {
        service("gone", false, "8080");
        pod("gone", "gone-0", 0);
        String ip = setStatus("gone-0", nextIp(), true).getStatus().getPodIP();
        await().atMost(WAIT).untilAsserted(() -> assertThat(sliceEndpoints("gone")).hasSize(1));
        // someone deletes the managed slice: it comes back
        EndpointSlice s = slices("gone").get(0);
        client.resources(EndpointSlice.class).delete(ns, s.getMetadata().getName(), DeleteOptions.defaults()).block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(sliceEndpoints("gone"))
                .singleElement().satisfies(e -> assertThat(e.getAddresses()).containsExactly(ip)));
        assertThat(ready(endpoints("gone"))).containsExactly(ip);
        client.resources(Service.class).delete(ns, "gone", DeleteOptions.defaults()).block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(endpoints("gone")).isNull();
            assertThat(slices("gone")).isEmpty();
        });
    }
}
