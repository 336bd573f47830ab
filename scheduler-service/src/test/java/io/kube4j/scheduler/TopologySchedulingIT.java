package io.kube4j.scheduler;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import reactor.core.publisher.Flux;

/**
 * PodTopologySpread and InterPodAffinity in the default profile against the real apiserver on etcd, with plain Node
 * objects in three zones (two nodes each; zone-a's nodes are much bigger, so resource scoring alone would favour
 * them). The scheduler serves its own schedulerName and the pods select this run's nodes, so other tests' nodes and
 * pods on the shared apiserver do not interfere.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopologySchedulingIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final String NS = "topo-it-" + RUN;
    private static final String SCHEDULER = "topology-it-" + RUN;
    private static final String ZONE = "topology.kubernetes.io/zone";
    private static final String HOST = "kubernetes.io/hostname";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> ZONES = List.of("zone-a", "zone-b", "zone-c");

    private static KubeClient client;
    private static Parallelizer parallelizer;
    private static EventRecorder events;
    private static Scheduler scheduler;
    private static final List<String> nodes = new ArrayList<>();
    private static final Map<String, String> zoneOfNode = new HashMap<>();

    @BeforeAll
    static void start() {
        Requirements.requireBinary("etcd");
        client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).block(WAIT);
        for (String zone : ZONES) {
            for (int i = 1; i <= 2; i++) {
                String name = zone + "-" + i + "-" + RUN;
                Node n = node(name, zone.equals("zone-a") ? "64" : "8", "256Gi").editMetadata()
                        .addToLabels(ZONE, zone).addToLabels(HOST, name).addToLabels("it-run", RUN).endMetadata()
                        .build();
                Node created = client.resources(Node.class).create(n).block(WAIT);
                created.setStatus(n.getStatus());
                client.resources(Node.class).updateStatus(created).block(WAIT);
                nodes.add(name);
                zoneOfNode.put(name, zone);
            }
        }
        parallelizer = new Parallelizer(2);
        events = new EventRecorder(client.resources(Event.class), SCHEDULER, null);
        SharedInformerFactory informers = SharedInformerFactory.forClient(client, Duration.ZERO);
        FrameworkHandle handle = new FrameworkHandle.SimpleHandle(client, events, informers, parallelizer,
                Clock.system());
        Framework fw = new Framework(DefaultPlugins.profile(SCHEDULER, new DefaultBinder(client,
                Duration.ofSeconds(10)), 0, handle), parallelizer, new Random());
        scheduler = new Scheduler(client, informers, List.of(fw), events, Clock.system(), new Scheduler.Settings(
                Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(30), 4));
        scheduler.start(WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (scheduler != null) {
            scheduler.close();
        }
        if (events != null) {
            events.close();
        }
        if (parallelizer != null) {
            parallelizer.close();
        }
        if (client != null) {
            for (String n : nodes) {
                client.resources(Node.class).delete(null, n, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
            }
            client.resources(Namespace.class).delete(null, NS, DeleteOptions.defaults()).onErrorComplete()
                    .block(WAIT);
            client.close();
        }
    }

    /** A pod of this run: its scheduler, this run's nodes only, label app. */
    private static PodBuilder runPod(String name, String app, String... requests) {
        return pod(name, requests).editMetadata().withNamespace(NS).withUid(null).addToLabels("app", app)
                .endMetadata().editSpec().withSchedulerName(SCHEDULER).addToNodeSelector("it-run", RUN).endSpec();
    }

    private static void create(Pod p) {
        client.resources(Pod.class).create(p).block(WAIT);
    }

    private static List<Pod> podsOf(String app) {
        return client.resources(Pod.class).list(NS, ListOptions.all().withLabelSelector("app=" + app)).block(WAIT)
                .getItems();
    }

    private static String nodeOf(String pod) {
        return client.resources(Pod.class).get(NS, pod).block(WAIT).getSpec().getNodeName();
    }

    @Test
    @Order(1)
    void hundredPodsSpreadOverThreeZonesWithinMaxSkewOne() {
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            pods.add(runPod("spread-" + i, "spread").editSpec().withTopologySpreadConstraints(
                    new TopologySpreadConstraintBuilder().withMaxSkew(1).withTopologyKey(ZONE)
                            .withWhenUnsatisfiable("DoNotSchedule").withLabelSelector(new LabelSelectorBuilder()
                                    .withMatchLabels(Map.of("app", "spread")).build()).build()).endSpec().build());
        }
        Flux.fromIterable(pods).flatMap(p -> client.resources(Pod.class).create(p), 8).blockLast(WAIT);
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> assertThat(podsOf("spread"))
                .hasSize(100).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNotBlank()));
        Map<String, Integer> perZone = new HashMap<>();
        for (Pod p : podsOf("spread")) {
            perZone.merge(zoneOfNode.get(p.getSpec().getNodeName()), 1, Integer::sum);
        }
        assertThat(perZone.keySet()).containsExactlyInAnyOrderElementsOf(ZONES);
        int max = perZone.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        int min = perZone.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
        assertThat(max - min).as("zones %s", perZone).isLessThanOrEqualTo(1);
    }

    private static PodBuilder antiReplica(String name) {
        return runPod(name, "anti").editSpec().withNewAffinity().withNewPodAntiAffinity()
                .addToRequiredDuringSchedulingIgnoredDuringExecution(new PodAffinityTermBuilder()
                        .withLabelSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "anti")).build())
                        .withTopologyKey(HOST).build()).endPodAntiAffinity().endAffinity().endSpec();
    }

    @Test
    @Order(2)
    void requiredAntiAffinityKeepsReplicasApartAndTheExtraOneWaitsForRoom() {
        for (int i = 0; i < 6; i++) {
            create(antiReplica("anti-" + i).build());
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(podsOf("anti")).hasSize(6)
                .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNotBlank()));
        assertThat(podsOf("anti").stream().map(p -> p.getSpec().getNodeName()).distinct()).hasSize(6);

        create(antiReplica("anti-extra").build());
        await().atMost(WAIT).untilAsserted(() -> {
            Pod p = client.resources(Pod.class).get(NS, "anti-extra").block(WAIT);
            assertThat(p.getSpec().getNodeName()).isNullOrEmpty();
            assertThat(p.getStatus()).isNotNull();
            assertThat(p.getStatus().getConditions()).isNotNull().filteredOn(c -> "PodScheduled".equals(c.getType()))
                    .singleElement().satisfies(c -> {
                        assertThat(c.getReason()).isEqualTo("Unschedulable");
                        assertThat(c.getMessage()).startsWith("0/").contains(
                                "6 node(s) didn't match pod anti-affinity rules");
                    });
        });

        // A replica goes away: the extra one takes its node.
        String freed = nodeOf("anti-3");
        client.resources(Pod.class).delete(NS, "anti-3", DeleteOptions.now())
                .block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeOf("anti-extra")).isEqualTo(freed));
    }

    @Test
    @Order(3)
    void preferredAntiAffinitySpreadsOverZonesAgainstResourceScoring() {
        // The anchor sits in zone-a, whose big nodes resource scoring favours.
        create(runPod("pref-anchor", "pref", "cpu", "1").editSpec().addToNodeSelector(ZONE, "zone-a").endSpec()
                .build());
        await().atMost(WAIT).until(() -> nodeOf("pref-anchor") != null);
        List<String> zones = new ArrayList<>(List.of("zone-a"));
        for (int i = 0; i < 2; i++) {
            String name = "pref-" + i;
            create(runPod(name, "pref", "cpu", "1").editSpec().withNewAffinity().withNewPodAntiAffinity()
                    .addToPreferredDuringSchedulingIgnoredDuringExecution(new WeightedPodAffinityTerm(
                            new PodAffinityTermBuilder().withLabelSelector(new LabelSelectorBuilder()
                                    .withMatchLabels(Map.of("app", "pref")).build()).withTopologyKey(ZONE).build(),
                            100)).endPodAntiAffinity().endAffinity().endSpec().build());
            await().atMost(WAIT).until(() -> nodeOf(name) != null);
            zones.add(zoneOfNode.get(nodeOf(name)));
        }
        assertThat(zones).containsExactlyInAnyOrderElementsOf(ZONES);
    }
}
