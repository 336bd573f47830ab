package io.kube4j.scheduler;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static io.kube4j.scheduler.testsupport.TestObjects.taint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
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
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The scheduler against the real apiserver on etcd, with plain Node objects (no agents run the pods). Ordered: the
 * second test adds a node the first one's placements must not see.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulerIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final String NS = "sched-it-" + RUN;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static KubeClient client;
    private static Parallelizer parallelizer;
    private static EventRecorder events;
    private static Scheduler scheduler;
    private static final List<String> nodes = new ArrayList<>();

    @BeforeAll
    static void start() {
        Requirements.requireBinary("etcd");
        client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).block(WAIT);
        createNode(node(name("small"), "2", "4Gi").editMetadata().addToLabels("disk", "hdd").endMetadata());
        createNode(node(name("medium"), "4", "8Gi").editMetadata().addToLabels("disk", "ssd").endMetadata());
        createNode(node(name("gpu"), "16", "64Gi").editSpec().withTaints(taint("dedicated", "gpu", "NoSchedule"))
                .endSpec());
        parallelizer = new Parallelizer(2);
        events = new EventRecorder(client.resources(Event.class), "default-scheduler", null);
        Framework fw = new Framework(DefaultPlugins.profile("default-scheduler",
                new DefaultBinder(client, Duration.ofSeconds(10)), 0), parallelizer, new Random());
        scheduler = new Scheduler(client, SharedInformerFactory.forClient(client, Duration.ZERO), List.of(fw), events,
                Clock.system(), new Scheduler.Settings(Duration.ofSeconds(1), Duration.ofSeconds(10),
                        Duration.ofSeconds(60), Duration.ofSeconds(30), 4));
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

    private static String name(String base) {
        return base + "-" + RUN;
    }

    private static void createNode(NodeBuilder b) {
        Node n = b.build();
        Node created = client.resources(Node.class).create(n).block(WAIT);
        // Status is the node agent's to write; write it as an agent would.
        created.setStatus(n.getStatus());
        client.resources(Node.class).updateStatus(created).block(WAIT);
        nodes.add(n.getMetadata().getName());
    }

    private static Pod create(Pod p) {
        p.getMetadata().setNamespace(NS);
        p.getMetadata().setUid(null);
        return client.resources(Pod.class).create(p).block(WAIT);
    }

    private static Pod get(String name) {
        return client.resources(Pod.class).get(NS, name).block(WAIT);
    }

    private static String nodeOf(String pod) {
        return get(pod).getSpec().getNodeName();
    }

    private static List<Event> eventsFor(String pod, String reason) {
        return client.resources(Event.class).list(NS, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    @Test
    @Order(1)
    void podsWithoutANodeAreBoundToNodesThatFitAndTolerate() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            names.add(create(pod("web-" + i, "cpu", "500m", "memory", "512Mi").build()).getMetadata().getName());
        }
        await().atMost(WAIT).untilAsserted(() -> {
            for (String n : names) {
                assertThat(nodeOf(n)).as(n).isIn(name("small"), name("medium"));
            }
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventsFor("web-0", "Scheduled")).singleElement()
                .satisfies(e -> assertThat(e.getMessage()).isEqualTo(
                        "Successfully assigned " + NS + "/web-0 to " + nodeOf("web-0"))));

        create(pod("fast-disk").editSpec().addToNodeSelector("disk", "ssd").endSpec().build());
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeOf("fast-disk")).isEqualTo(name("medium")));

        create(pod("trainer", "cpu", "8").editSpec().withTolerations(
                io.kube4j.scheduler.testsupport.TestObjects.toleration("dedicated", "Equal", "gpu", "NoSchedule"))
                .endSpec().build());
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeOf("trainer")).isEqualTo(name("gpu")));
    }

    @Test
    @Order(2)
    void aPodTooBigForEveryNodeStaysPendingWithTheReasonsAndSchedulesWhenABigNodeAppears() {
        create(pod("huge", "cpu", "24").build());
        await().atMost(WAIT).untilAsserted(() -> {
            Pod p = get("huge");
            assertThat(p.getSpec().getNodeName()).isNullOrEmpty();
            // Assertions only: Awaitility retries assertion errors, not exceptions such as orElseThrow's.
            assertThat(p.getStatus()).isNotNull();
            assertThat(p.getStatus().getConditions()).filteredOn(x -> "PodScheduled".equals(x.getType()))
                    .singleElement().satisfies(c -> {
                        assertThat(c.getStatus()).isEqualTo("False");
                        assertThat(c.getReason()).isEqualTo("Unschedulable");
                        assertThat(c.getMessage()).isEqualTo("0/3 nodes are available: 1 node(s) had untolerated"
                                + " taint {dedicated: gpu}, 2 Insufficient cpu.");
                    });
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventsFor("huge", "FailedScheduling")).singleElement()
                .satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getMessage()).startsWith("0/3 nodes are available:");
                }));

        createNode(node(name("big"), "32", "128Gi"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeOf("huge")).isEqualTo(name("big")));
    }
}
