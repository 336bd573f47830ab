package io.kube4j.scheduler;

import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.node.config.PodLifecycleProperties;
import io.kube4j.node.hollow.HollowFleet;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.status.NodeLeaseRenewer;
import io.kube4j.node.testsupport.NodeTestSupport;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import io.kube4j.scheduler.plugins.defaultpreemption.DefaultPreemption;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * Preemption through the real apiserver on etcd, with three small hollow nodes running full node agents (they run the
 * pods and finish graceful deletions). A full cluster of {@code batch} pods plus one {@code prod} pod; a
 * {@code preemptionPolicy: Never} prod pod stays Pending; then a prod pod that fits nowhere preempts the batch pods of
 * exactly one node — not the node whose batch pods a PodDisruptionBudget guards, never the prod pod — is nominated
 * there, and ends Running there once its victims are gone.
 */
class PreemptionIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final String NS = "preempt-it-" + RUN;
    private static final String PREFIX = "preempt-" + RUN + "-";
    private static final String SCHEDULER = "preempt-it-" + RUN;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int BATCH = 1000;
    private static final int PROD = 1_000_000;
    private static final String NEVER_CLASS = "prod-never-" + RUN;

    @TempDir
    Path root;

    @Test
    void aProdPodPreemptsTheBatchPodsOfOneNodeAndRunsThere() throws Exception {
        Requirements.requireBinary("etcd");
        ExecutorService podWorkers = Executors.newFixedThreadPool(4);
        KubeClient client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).block(WAIT);
        // 2 CPUs each, 100m reserved: 1900m allocatable, room for two 900m pods
        HollowFleet fleet = new HollowFleet(client, NodeTestSupport.properties("hollow.name-prefix=" + PREFIX,
                "root-dir=" + root, "labels.preempt-it=" + RUN), 3, new HollowRuntime.Resources(2, 4L << 30,
                20L << 30), new SimpleMeterRegistry(), HollowFleet.fullAgents(PodLifecycleProperties.defaults(),
                podWorkers));
        Parallelizer parallelizer = new Parallelizer(2);
        EventRecorder events = new EventRecorder(client.resources(Event.class), SCHEDULER, null);
        SharedInformerFactory informers = SharedInformerFactory.forClient(client, Duration.ZERO);
        Scheduler scheduler = null;
        try {
            fleet.start();
            await().atMost(WAIT).until(() -> readyNodes(client).size() == 3);

            List<Integer> victimCounts = new CopyOnWriteArrayList<>();
            FrameworkHandle handle = new FrameworkHandle.SimpleHandle(client, events, informers, parallelizer,
                    Clock.system());
            Framework fw = new Framework(DefaultPlugins.profile(SCHEDULER, new DefaultBinder(client, WAIT), 0,
                    handle), parallelizer, new Random());
            fw.profile().plugins().stream().filter(p -> p instanceof DefaultPreemption)
                    .forEach(p -> ((DefaultPreemption) p).addVictimsListener(victimCounts::add));
            scheduler = new Scheduler(client, informers, List.of(fw), events, Clock.system(), new Scheduler.Settings(
                    Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(30), 4));
            scheduler.start(WAIT);

            // fill the cluster: one prod pod and five batch pods, 900m each, six slots
            create(client, workload("prod-0", "prod", PROD, "900m"));
            await().atMost(WAIT).until(() -> running(client, "prod-0"));
            for (int i = 0; i < 5; i++) {
                create(client, workload("batch-" + i, "batch", BATCH, "900m"));
            }
            await().atMost(WAIT).until(() -> pods(client).values().stream().filter(p -> "Running".equals(phase(p)))
                    .count() == 6);
            Map<String, List<String>> byNode = podsByNode(client);
            String prodNode = nodeOf(client, "prod-0");
            List<String> batchNodes = byNode.keySet().stream().filter(n -> !n.equals(prodNode)).sorted().toList();
            assertThat(batchNodes).hasSize(2);
            assertThat(byNode.get(batchNodes.get(0))).hasSize(2).allMatch(n -> n.startsWith("batch-"));
            assertThat(byNode.get(batchNodes.get(1))).hasSize(2).allMatch(n -> n.startsWith("batch-"));

            // a budget guards the batch pods of the first batch node (no disruption controller fills its status:
            // it allows no disruption)
            String guardedNode = batchNodes.get(0);
            String freeNode = batchNodes.get(1);
            for (String name : byNode.get(guardedNode)) {
                client.resources(Pod.class).updateWithRetry(NS, name, p -> {
                    p.getMetadata().getLabels().put("app", "guarded");
                    return p;
                }, false).block(WAIT);
            }
            client.resources(PodDisruptionBudget.class).create(new PodDisruptionBudgetBuilder().withNewMetadata()
                    .withName("guard").withNamespace(NS).endMetadata().withNewSpec().withMinAvailable(
                            new io.fabric8.kubernetes.api.model.IntOrString(2)).withSelector(
                            new LabelSelectorBuilder().addToMatchLabels("app", "guarded").build()).endSpec().build())
                    .block(WAIT);
            var podLister = informers.informerFor(Pod.class, null).lister();
            await().atMost(WAIT).until(() -> informers.informerFor(PodDisruptionBudget.class, null).lister()
                    .get(NS, "guard") != null && byNode.get(guardedNode).stream().allMatch(n ->
                    "guarded".equals(podLister.get(NS, n).getMetadata().getLabels().get("app"))));

            // preemptionPolicy Never (a class of prod's value that never preempts, as priority admission requires the
            // pod's policy to be its class's): stays Pending, says why, evicts nobody
            client.resources(PriorityClass.class).create(new PriorityClassBuilder().withNewMetadata()
                    .withName(NEVER_CLASS).endMetadata().withValue(PROD).withPreemptionPolicy("Never")
                    .withDescription("PreemptionIT: prod priority without preemption").build()).block(WAIT);
            Pod never = workload("prod-never", NEVER_CLASS, PROD, "900m");
            never.getSpec().setPreemptionPolicy("Never");
            create(client, never);
            await().atMost(WAIT).untilAsserted(() -> assertThat(unschedulableMessage(client, "prod-never"))
                    .contains("preemption: not eligible due to preemptionPolicy=Never."));
            assertThat(pods(client)).hasSize(7);
            assertThat(victimCounts).isEmpty();

            // a prod pod that fits nowhere (1500m): only a node with both its batch pods gone has room
            Pod preemptor = create(client, workload("prod-big", "prod", PROD, "1500m"));
            await().atMost(WAIT).until(() -> freeNode.equals(nominatedNode(client, "prod-big"))
                    || freeNode.equals(nodeOf(client, "prod-big")));
            await().atMost(Duration.ofSeconds(45)).until(() -> running(client, "prod-big"));
            assertThat(nodeOf(client, "prod-big")).isEqualTo(freeNode);

            Map<String, Pod> after = pods(client);
            List<String> victims = byNode.get(freeNode);
            assertThat(after.keySet()).doesNotContainAnyElementsOf(victims);
            // nothing else was evicted: the prod pod, the guarded batch pods, the Never pod
            assertThat(after.keySet()).contains("prod-0", "prod-never");
            assertThat(after.keySet()).containsAll(byNode.get(guardedNode));
            assertThat(after.get("prod-0").getMetadata().getDeletionTimestamp()).isNull();
            assertThat(victimCounts).containsExactly(2);
            for (String v : victims) {
                await().atMost(WAIT).untilAsserted(() -> assertThat(events(client, v, "Preempted"))
                        .anySatisfy(e -> {
                            assertThat(e.getType()).isEqualTo("Normal");
                            assertThat(e.getMessage()).isEqualTo("Preempted by pod "
                                    + preemptor.getMetadata().getUid() + " on node " + freeNode);
                        }));
            }
            // the Never pod is still Pending: the room went to the pod that made it
            assertThat(after.get("prod-never").getSpec().getNodeName()).isNull();
        } finally {
            if (scheduler != null) {
                scheduler.close();
            }
            informers.stopAll();
            client.resources(Pod.class).list(NS, ListOptions.all()).block(WAIT).getItems().forEach(p ->
                    client.resources(Pod.class).delete(NS, p.getMetadata().getName(), DeleteOptions.now())
                            .onErrorResume(e -> Mono.empty()).block(WAIT));
            client.resources(PodDisruptionBudget.class).delete(NS, "guard", DeleteOptions.defaults())
                    .onErrorResume(e -> Mono.empty()).block(WAIT);
            client.resources(PriorityClass.class).delete(null, NEVER_CLASS, DeleteOptions.defaults())
                    .onErrorResume(e -> Mono.empty()).block(WAIT);
            fleet.close();
            for (int i = 0; i < 3; i++) {
                String n = PREFIX + i;
                client.resources(Lease.class).delete(NodeLeaseRenewer.NAMESPACE, n, DeleteOptions.defaults())
                        .onErrorResume(e -> Mono.empty()).block(WAIT);
                client.resources(Node.class).delete(null, n, DeleteOptions.defaults())
                        .onErrorResume(e -> Mono.empty()).block(WAIT);
            }
            client.resources(Namespace.class).delete(null, NS, DeleteOptions.defaults())
                    .onErrorResume(e -> Mono.empty()).block(WAIT);
            events.close();
            parallelizer.close();
            podWorkers.shutdownNow();
            client.close();
        }
    }

    /** A pod of {@code priorityClassName} with its explicit {@code priority}, on this test's nodes only. */
    private static Pod workload(String name, String priorityClass, int priority, String cpu) {
        Pod p = pod(name, "cpu", cpu).build();
        p.getMetadata().setNamespace(NS);
        p.getMetadata().setUid(null);
        p.getMetadata().setLabels(new HashMap<>(Map.of("tier", name.startsWith("batch") ? "batch" : "prod")));
        p.getSpec().setSchedulerName(SCHEDULER);
        p.getSpec().setPriorityClassName(priorityClass);
        p.getSpec().setPriority(priority);
        p.getSpec().setNodeSelector(Map.of("preempt-it", RUN));
        p.getSpec().setTerminationGracePeriodSeconds(3L);
        p.getSpec().getContainers().get(0).setImage("hollow/app:1");
        return p;
    }

    private static Pod create(KubeClient client, Pod p) {
        return client.resources(Pod.class).create(p).block(WAIT);
    }

    private static Map<String, Pod> pods(KubeClient client) {
        return client.resources(Pod.class).list(NS, ListOptions.all()).block(WAIT).getItems().stream()
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p));
    }

    private static Map<String, List<String>> podsByNode(KubeClient client) {
        Map<String, List<String>> out = new HashMap<>();
        pods(client).values().stream().filter(p -> p.getSpec().getNodeName() != null).forEach(p -> out
                .computeIfAbsent(p.getSpec().getNodeName(), k -> new ArrayList<>()).add(p.getMetadata().getName()));
        return out;
    }

    private static String phase(Pod p) {
        return p.getStatus() == null ? null : p.getStatus().getPhase();
    }

    private static boolean running(KubeClient client, String name) {
        Pod p = pods(client).get(name);
        return p != null && "Running".equals(phase(p));
    }

    private static String nodeOf(KubeClient client, String name) {
        Pod p = pods(client).get(name);
        return p == null ? null : p.getSpec().getNodeName();
    }

    private static String nominatedNode(KubeClient client, String name) {
        Pod p = pods(client).get(name);
        return p == null || p.getStatus() == null ? null : p.getStatus().getNominatedNodeName();
    }

    private static String unschedulableMessage(KubeClient client, String name) {
        Pod p = pods(client).get(name);
        if (p == null || p.getStatus() == null || p.getStatus().getConditions() == null) {
            return "";
        }
        return p.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())
                && "Unschedulable".equals(c.getReason())).map(c -> c.getMessage()).findFirst().orElse("");
    }

    private static List<Event> events(KubeClient client, String pod, String reason) {
        return client.resources(Event.class).list(NS, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    private static List<Node> readyNodes(KubeClient client) {
        return client.resources(Node.class).list(null, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(n -> n.getMetadata().getName().startsWith(PREFIX) && n.getStatus() != null
                        && n.getStatus().getConditions() != null && n.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .toList();
    }
}
