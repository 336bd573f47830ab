package io.kube4j.controller.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.PatchType;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.client.watch.WatchEvent;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.replicaset.ReplicaSetControllerFactory;
import io.kube4j.controller.replicaset.ReplicaSetControllerProperties;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import io.kube4j.node.config.PodLifecycleProperties;
import io.kube4j.node.hollow.HollowFleet;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.testsupport.NodeTestSupport;
import io.kube4j.scheduler.Scheduler;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Node failure on three hollow nodes against the real apiserver: a node whose agent stops goes Ready=Unknown and
 * gets the unreachable taints within the grace period (plus a monitor pass or two), its pods go not Ready, the taint
 * manager deletes a pod tolerating the taint for 0 s at once and one tolerating it for 3 s about 3 s later, while pods
 * tolerating it forever (or for the admission default of 300 s) stay; the agent coming back makes the node Ready and
 * untainted again and cancels the pending eviction. A ReplicaSet's pods on the failed node are evicted and recreated
 * by the ReplicaSet controller, and the in-process scheduler puts the new ones on the healthy nodes.
 */
class NodeLifecycleIT {

    private static final Logger log = LoggerFactory.getLogger(NodeLifecycleIT.class);
    private static final Duration GRACE = Duration.ofSeconds(8);
    private static final Duration MONITOR = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    @Test
    void aSilentNodeIsTaintedItsPodsEvictedByTolerationAndItRecovers() throws Exception {
        KubeClient client = ControllerTestEnv.client();
        String ns = ControllerTestEnv.namespace("nlc");
        String prefix = "nlc-" + UUID.randomUUID().toString().substring(0, 6) + "-";
        // a zone of its own, so that nodes other tests left in the shared apiserver do not change this zone's state
        HollowFleet fleet = new HollowFleet(client, NodeTestSupport.properties("hollow.name-prefix=" + prefix,
                "root-dir=" + root, "lease.renew-interval=1s", "lease.duration=8s", "status-update-frequency=1s",
                "labels[topology.kubernetes.io/zone]=" + prefix + "zone"), 3, HollowRuntime.Resources.DEFAULT,
                new SimpleMeterRegistry(), HollowFleet.fullAgents(PodLifecycleProperties.defaults(),
                Executors.newFixedThreadPool(2)));
        ExecutorService restartedWorkers = Executors.newFixedThreadPool(1);
        HollowFleet.HollowNode restarted = null;
        ControllerManager manager = null;
        Scheduler scheduler = null;
        EventRecorder schedulerEvents = new EventRecorder(client.resources(Event.class), SCHEDULER, null);
        Map<String, Instant> deletionSeen = new ConcurrentHashMap<>();
        Disposable watch = null;
        Disposable nodeWatch = null;
        String node0 = fleet.nodeName(0);
        try {
            fleet.start();
            await().atMost(WAIT).until(() -> readyNodes(client, prefix) == 3);
            assertThat(client.resources(Node.class).get(null, node0).block(WAIT).getMetadata().getLabels())
                    .containsEntry(ZoneState.LABEL_ZONE, prefix + "zone");
            manager = ControllerTestEnv.start(new NodeLifecycleControllerFactory(
                    NodeLifecycleProperties.defaults().withTiming(MONITOR, GRACE)),
                    new ReplicaSetControllerFactory(ReplicaSetControllerProperties.defaults()));
            // a scheduler of its own name: it binds only this test's ReplicaSet pods
            Framework fw = new Framework(DefaultPlugins.profile(SCHEDULER, new DefaultBinder(client, WAIT), 0),
                    new Parallelizer(2), new java.util.Random());
            scheduler = new Scheduler(client, SharedInformerFactory.forClient(client, Duration.ZERO), List.of(fw),
                    schedulerEvents, Clock.system(), new Scheduler.Settings(Duration.ofSeconds(1),
                    Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(30), 2));
            scheduler.start(WAIT);

            // cordoned nodes get the unschedulable taint; with nodes 1 and 2 cordoned the ReplicaSet lands on node 0
            for (int i : new int[] {1, 2}) {
                cordon(client, fleet.nodeName(i), true);
            }
            await().atMost(WAIT).until(() -> taintIds(client, fleet.nodeName(1)).contains(NodeTaints.UNSCHEDULABLE
                    + ":NoSchedule") && taintIds(client, fleet.nodeName(2)).contains(NodeTaints.UNSCHEDULABLE + ":NoSchedule"));
            client.resources(ReplicaSet.class).create(replicaSet(ns, prefix)).block(WAIT);
            await().atMost(WAIT).until(() -> rsPods(client, ns).stream().filter(p -> node0.equals(p.getSpec()
                    .getNodeName())).filter(NodeLifecycleIT::podReady).count() == 2);
            for (int i : new int[] {1, 2}) {
                cordon(client, fleet.nodeName(i), false);
            }
            await().atMost(WAIT).until(() -> !taintIds(client, fleet.nodeName(1)).contains(NodeTaints.UNSCHEDULABLE
                    + ":NoSchedule") && !taintIds(client, fleet.nodeName(2)).contains(NodeTaints.UNSCHEDULABLE + ":NoSchedule"));

            watch = client.resources(Pod.class).watch(ns, ListOptions.all(), null)
                    .filter(e -> e.type() != WatchEvent.Type.BOOKMARK
                            && e.object().getMetadata().getDeletionTimestamp() != null)
                    .subscribe(e -> deletionSeen.putIfAbsent(e.object().getMetadata().getName(), Instant.now()));

            // when the NoExecute taint reaches a watcher (as it reaches the taint manager's informer)
            nodeWatch = client.resources(Node.class).watch(null, ListOptions.all(), null)
                    .filter(e -> e.type() != WatchEvent.Type.BOOKMARK && node0.equals(e.object().getMetadata().getName())
                            && NodeTaints.exists(NodeTaints.of(e.object()), NodeTaints.UNREACHABLE_NO_EXECUTE))
                    .subscribe(e -> deletionSeen.putIfAbsent("node-tainted", Instant.now()));

            create(client, ns, "zero", node0, unreachable(0L));
            create(client, ns, "three", node0, unreachable(3L));
            create(client, ns, "forever", node0, unreachable(null));
            create(client, ns, "default", node0, null);
            create(client, ns, "other", fleet.nodeName(1), unreachable(0L));
            await().atMost(WAIT).until(() -> client.resources(Pod.class).list(ns, ListOptions.all()).block(WAIT)
                    .getItems().stream().filter(NodeLifecycleIT::podReady).count() == 7);
            // DefaultTolerationSeconds admission gave the pod without tolerations the two 300 s ones
            assertThat(pod(client, ns, "default").getSpec().getTolerations())
                    .extracting(Toleration::getKey, Toleration::getEffect, Toleration::getTolerationSeconds)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(NodeTaints.NOT_READY, "NoExecute", 300L),
                            org.assertj.core.groups.Tuple.tuple(NodeTaints.UNREACHABLE, "NoExecute", 300L));
            // a healthy node: no taints of the controller
            assertThat(taintIds(client, node0)).doesNotContain(NodeTaints.UNREACHABLE + ":NoExecute");

            Instant stopped = Instant.now();
            fleet.nodes().get(0).close();
            log.info("stopped the agent of {}", node0);

            Instant unknownAt = await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
                NodeCondition ready = ready(client, node0);
                return ready != null && "Unknown".equals(ready.getStatus()) ? Instant.now() : null;
            }, java.util.Objects::nonNull);
            NodeCondition ready = ready(client, node0);
            assertThat(ready.getReason()).isEqualTo("NodeStatusUnknown");
            assertThat(ready.getMessage()).isEqualTo("Kubelet stopped posting node status.");
            Instant taintedAt = await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> taintIds(client, node0).contains(NodeTaints.UNREACHABLE + ":NoExecute")
                            ? Instant.now() : null, java.util.Objects::nonNull);
            await().atMost(WAIT).until(() -> taintIds(client, node0).contains(NodeTaints.UNREACHABLE + ":NoSchedule"));
            log.info("{}: agent stopped → Ready=Unknown after {} ms, NoExecute taint after {} ms (grace {}, monitor {})",
                    node0, Duration.between(stopped, unknownAt).toMillis(), Duration.between(stopped, taintedAt).toMillis(),
                    GRACE, MONITOR);
            // the other nodes keep their heartbeats and stay untainted
            assertThat(taintIds(client, fleet.nodeName(1))).doesNotContain(NodeTaints.UNREACHABLE + ":NoExecute");
            assertThat(ready(client, fleet.nodeName(2)).getStatus()).isEqualTo("True");

            // pods on the node are no longer Ready (Endpoints drop them)
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(podReady(pod(client, ns, "forever"))).isFalse();
                assertThat(podReady(pod(client, ns, "default"))).isFalse();
            });
            assertThat(podReady(pod(client, ns, "other"))).isTrue();

            // tolerationSeconds 0: deleted at once; 3: about 3 s later; forever and 300 s: stay
            await().atMost(WAIT).until(() -> deletionSeen.containsKey("zero") && deletionSeen.containsKey("three"));
            Instant taintSeen = deletionSeen.get("node-tainted");
            long zeroMs = Duration.between(taintSeen, deletionSeen.get("zero")).toMillis();
            long threeMs = Duration.between(taintSeen, deletionSeen.get("three")).toMillis();
            log.info("evictions after the NoExecute taint reached a watcher: tolerationSeconds=0 deleted after {} ms,"
                    + " tolerationSeconds=3 after {} ms", zeroMs, threeMs);
            // a lower bound only (the machine may be slow, never early): the 3 s toleration is honoured
            assertThat(threeMs).as("the 3 s toleration is honoured").isGreaterThanOrEqualTo(2500);
            assertThat(pod(client, ns, "three").getStatus().getConditions()).extracting(PodCondition::getType,
                    PodCondition::getReason).contains(org.assertj.core.groups.Tuple.tuple("DisruptionTarget",
                    "DeletionByTaintManager"));
            assertThat(events(client, ns, "zero", "TaintManagerEviction")).containsExactly(
                    "Marking for deletion Pod " + ns + "/zero");
            assertThat(events(client, ns, "forever", "NodeNotReady")).containsExactly("Node is not ready");
            assertThat(pod(client, ns, "forever").getMetadata().getDeletionTimestamp()).isNull();
            assertThat(pod(client, ns, "default").getMetadata().getDeletionTimestamp()).isNull();
            assertThat(deletionSeen).doesNotContainKeys("forever", "default", "other");
            assertThat(deletionSeen.get("zero")).isBefore(deletionSeen.get("three"));

            // the ReplicaSet's pods (tolerating the taint for 2 s) are evicted and recreated on the healthy nodes
            await().atMost(WAIT).untilAsserted(() -> {
                List<Pod> live = rsPods(client, ns).stream()
                        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
                assertThat(live).hasSize(2).allSatisfy(p -> {
                    assertThat(p.getSpec().getNodeName()).isIn(fleet.nodeName(1), fleet.nodeName(2));
                    assertThat(podReady(p)).isTrue();
                });
            });
            assertThat(rsPods(client, ns).stream().filter(p -> node0.equals(p.getSpec().getNodeName())))
                    .hasSize(2).allSatisfy(p -> assertThat(p.getMetadata().getDeletionTimestamp()).isNotNull());

            // the agent comes back: Ready, untainted, the 300 s eviction cancelled, the evicted pods finish deleting
            restarted = HollowFleet.fullAgents(PodLifecycleProperties.defaults(), restartedWorkers)
                    .apply(fleet.contexts().get(0));
            restarted.start();
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(ready(client, node0).getStatus()).isEqualTo("True");
                assertThat(taintIds(client, node0)).doesNotContain(NodeTaints.UNREACHABLE + ":NoExecute",
                        NodeTaints.UNREACHABLE + ":NoSchedule");
            });
            await().atMost(WAIT).untilAsserted(() -> assertThat(events(client, ns, "default", "TaintManagerEviction"))
                    .containsExactly("Cancelling deletion of Pod " + ns + "/default"));
            await().atMost(WAIT).until(() -> pod(client, ns, "zero") == null && pod(client, ns, "three") == null
                    && rsPods(client, ns).size() == 2);
            assertThat(pod(client, ns, "forever")).isNotNull();
            assertThat(pod(client, ns, "default").getMetadata().getDeletionTimestamp()).isNull();
        } finally {
            if (watch != null) {
                watch.dispose();
            }
            if (nodeWatch != null) {
                nodeWatch.dispose();
            }
            if (scheduler != null) {
                scheduler.close();
            }
            schedulerEvents.close(Duration.ofSeconds(5));
            if (manager != null) {
                manager.stop();
            }
            if (restarted != null) {
                restarted.close();
            }
            fleet.close();
            restartedWorkers.shutdownNow();
            client.resources(ReplicaSet.class).delete(ns, "web", DeleteOptions.now()).onErrorResume(e -> Mono.empty())
                    .block(WAIT);
            for (Pod p : rsPods(client, ns)) {
                client.resources(Pod.class).delete(ns, p.getMetadata().getName(), DeleteOptions.now())
                        .onErrorResume(e -> Mono.empty()).block(WAIT);
            }
            for (String p : List.of("zero", "three", "forever", "default", "other")) {
                client.resources(Pod.class).delete(ns, p, DeleteOptions.now()).onErrorResume(e -> Mono.empty())
                        .block(WAIT);
            }
            for (int i = 0; i < 3; i++) {
                String n = fleet.nodeName(i);
                client.resources(Lease.class).delete("kube-node-lease", n, DeleteOptions.defaults())
                        .onErrorResume(e -> Mono.empty()).block(WAIT);
                client.resources(Node.class).delete(null, n, DeleteOptions.defaults()).onErrorResume(e -> Mono.empty())
                        .block(WAIT);
            }
        }
    }

    private static final String SCHEDULER = "nlc-it-scheduler";

    static ReplicaSet replicaSet(String ns, String prefix) {
        return new ReplicaSetBuilder().withNewMetadata().withNamespace(ns).withName("web").endMetadata().withNewSpec()
                .withReplicas(2).withNewSelector().addToMatchLabels("app", "web").endSelector().withNewTemplate()
                .withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec().withSchedulerName(SCHEDULER)
                .addToNodeSelector(ZoneState.LABEL_ZONE, prefix + "zone").withTolerations(unreachable(2L))
                .addNewContainer().withName("c").withImage("hollow/web:1").endContainer().endSpec().endTemplate()
                .endSpec().build();
    }

    static List<Pod> rsPods(KubeClient client, String ns) {
        return client.resources(Pod.class).list(ns, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(p -> p.getMetadata().getLabels() != null && "web".equals(p.getMetadata().getLabels().get("app")))
                .toList();
    }

    static void cordon(KubeClient client, String node, boolean unschedulable) {
        client.resources(Node.class).patch(null, node, PatchType.MERGE,
                "{\"spec\":{\"unschedulable\":" + unschedulable + "}}").block(WAIT);
    }

    static Toleration unreachable(Long seconds) {
        return new TolerationBuilder().withKey(NodeTaints.UNREACHABLE).withOperator("Exists").withEffect("NoExecute")
                .withTolerationSeconds(seconds).build();
    }

    static void create(KubeClient client, String ns, String name, String node, Toleration toleration) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata().withNewSpec()
                .withNodeName(node).addNewContainer().withName("c").withImage("hollow/anything:1").endContainer()
                .endSpec();
        if (toleration != null) {
            b.editSpec().withTolerations(toleration).endSpec();
        }
        client.resources(Pod.class).create(b.build()).block(WAIT);
    }

    static Pod pod(KubeClient client, String ns, String name) {
        return client.resources(Pod.class).get(ns, name).onErrorResume(
                io.kube4j.client.ApiStatusException.NotFound.class, e -> Mono.empty()).block(WAIT);
    }

    static boolean podReady(Pod p) {
        return p != null && p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus()
                .getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static NodeCondition ready(KubeClient client, String node) {
        Node n = client.resources(Node.class).get(null, node).block(WAIT);
        return NodeHealthTracker.condition(n.getStatus(), "Ready");
    }

    static List<String> taintIds(KubeClient client, String node) {
        Node n = client.resources(Node.class).get(null, node).block(WAIT);
        List<Taint> taints = n.getSpec().getTaints() == null ? List.of() : n.getSpec().getTaints();
        return taints.stream().map(t -> t.getKey() + ":" + t.getEffect()).toList();
    }

    static long readyNodes(KubeClient client, String prefix) {
        return client.resources(Node.class).list(null, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(n -> n.getMetadata().getName().startsWith(prefix))
                .filter(n -> {
                    NodeCondition c = NodeHealthTracker.condition(n.getStatus(), "Ready");
                    return c != null && "True".equals(c.getStatus());
                }).count();
    }

    static List<String> events(KubeClient client, String ns, String pod, String reason) {
        return client.resources(Event.class).list(ns, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .map(Event::getMessage).toList();
    }
}
