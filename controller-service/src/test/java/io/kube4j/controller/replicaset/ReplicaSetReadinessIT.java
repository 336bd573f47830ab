package io.kube4j.controller.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.watch.WatchEvent;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.common.Pods;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import io.kube4j.node.config.PodLifecycleProperties;
import io.kube4j.node.hollow.HollowFleet;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.status.NodeLeaseRenewer;
import io.kube4j.node.testsupport.NodeTestSupport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * readyReplicas and availableReplicas with pods that really become ready: two hollow nodes run the pods (the
 * templates name the node, so no scheduler is needed).
 */
class ReplicaSetReadinessIT {

    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final String PREFIX = "rs-ready-" + RUN + "-";
    private static final int MIN_READY_SECONDS = 4;

    @TempDir
    static Path root;

    private static KubeClient client;
    private static ResourceClient<ReplicaSet> rss;
    private static ResourceClient<Pod> pods;
    private static String ns;
    private static ExecutorService podWorkers;
    private static HollowFleet fleet;
    private static ControllerManager manager;

    @BeforeAll
    static void start() {
        client = ControllerTestEnv.client();
        rss = client.resources(ReplicaSet.class);
        pods = client.resources(Pod.class);
        ns = ControllerTestEnv.namespace("rs-ready");
        podWorkers = Executors.newFixedThreadPool(2);
        fleet = new HollowFleet(client, NodeTestSupport.properties("hollow.name-prefix=" + PREFIX,
                "root-dir=" + root), 2, HollowRuntime.Resources.DEFAULT, new SimpleMeterRegistry(),
                HollowFleet.fullAgents(PodLifecycleProperties.defaults(), podWorkers));
        fleet.start();
        manager = ControllerTestEnv.start(new ReplicaSetControllerFactory(ReplicaSetControllerProperties.defaults()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (manager != null) {
            manager.stop();
        }
        if (pods != null) {
            pods.list(ns, ListOptions.all()).block(WAIT).getItems().forEach(p -> pods.delete(ns,
                    p.getMetadata().getName(), DeleteOptions.now()).onErrorResume(e -> Mono.empty()).block(WAIT));
        }
        if (fleet != null) {
            fleet.close();
            for (int i = 0; i < 2; i++) {
                client.resources(Lease.class).delete(NodeLeaseRenewer.NAMESPACE, PREFIX + i, DeleteOptions.defaults())
                        .onErrorResume(e -> Mono.empty()).block(WAIT);
                client.resources(Node.class).delete(null, PREFIX + i, DeleteOptions.defaults())
                        .onErrorResume(e -> Mono.empty()).block(WAIT);
            }
        }
        if (podWorkers != null) {
            podWorkers.shutdownNow();
        }
    }

    private static ReplicaSet create(String name, int replicas, String node, int minReadySeconds) {
        ReplicaSet rs = new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(replicas).withMinReadySeconds(minReadySeconds)
                .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("hollow/app:1")
                .endContainer().endSpec().endTemplate().endSpec().build();
        return rss.create(rs).block(WAIT);
    }

    private static List<Pod> ownedPods(ReplicaSet rs) {
        return pods.list(ns, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(p -> OwnerReferences.isControlledBy(p, rs.getMetadata().getUid())).toList();
    }

    @Test
    void readyAndAvailableFollowThePods() {
        ReplicaSet fast = create("fast", 3, fleet.nodeName(0), 0);
        await().atMost(WAIT).untilAsserted(() -> {
            ReplicaSet cur = rss.get(ns, "fast").block(WAIT);
            assertThat(cur.getStatus()).isNotNull();
            assertThat(cur.getStatus().getReplicas()).isEqualTo(3);
            assertThat(cur.getStatus().getReadyReplicas()).isEqualTo(3);
            assertThat(cur.getStatus().getAvailableReplicas()).isEqualTo(3);
        });
        assertThat(ownedPods(fast)).hasSize(3).allSatisfy(p -> assertThat(Pods.isReady(p)).isTrue());

        // scale down on a real node: graceful deletes, terminating pods no longer count
        rss.updateWithRetry(ns, "fast", cur -> {
            cur.getSpec().setReplicas(1);
            return cur;
        }, false).block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> {
            ReplicaSet cur = rss.get(ns, "fast").block(WAIT);
            assertThat(cur.getStatus()).isNotNull();
            assertThat(cur.getStatus().getReplicas()).isEqualTo(1);
            assertThat(cur.getStatus().getReadyReplicas()).isEqualTo(1);
            assertThat(cur.getStatus().getAvailableReplicas()).isEqualTo(1);
        });
        await().atMost(WAIT).until(() -> ownedPods(fast).size() == 1); // the node agent finished the deletes
    }

    @Test
    void availableCountsPodsOnlyAfterMinReadySeconds() {
        // every status the controller writes is checked when seen: available <= pods ready for minReadySeconds
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        List<Integer> availableSeen = Collections.synchronizedList(new ArrayList<>());
        ReplicaSet slow = create("slow", 2, fleet.nodeName(1), MIN_READY_SECONDS);
        Disposable watch = rss.watch(ns, ListOptions.all(), slow.getMetadata().getResourceVersion())
                .filter(e -> e.type() == WatchEvent.Type.MODIFIED && "slow".equals(e.object().getMetadata().getName()))
                .publishOn(Schedulers.boundedElastic()) // the check lists pods, blocking: not on the event loop
                .subscribe(e -> {
                    Instant seen = Instant.now();
                    var status = e.object().getStatus();
                    if (status == null || status.getAvailableReplicas() == null) {
                        return;
                    }
                    long availableNow = ownedPods(slow).stream()
                            .filter(p -> Pods.isAvailable(p, MIN_READY_SECONDS, seen)).count();
                    availableSeen.add(status.getAvailableReplicas());
                    if (status.getAvailableReplicas() > availableNow) {
                        violations.add("status says " + status.getAvailableReplicas() + " available at " + seen
                                + ", only " + availableNow + " pods were ready for " + MIN_READY_SECONDS + "s");
                    }
                }, e -> violations.add("the watch failed: " + e));
        try {
            // nothing but the controller's own requeue after minReadySeconds makes the count go up: no pod changes
            await().atMost(WAIT).untilAsserted(() -> {
                ReplicaSet cur = rss.get(ns, "slow").block(WAIT);
            assertThat(cur.getStatus()).isNotNull();
                assertThat(cur.getStatus().getReadyReplicas()).isEqualTo(2);
                assertThat(cur.getStatus().getAvailableReplicas()).isEqualTo(2);
            });
            await().atMost(WAIT).until(() -> availableSeen.contains(2));
            assertThat(violations).isEmpty();
        } finally {
            watch.dispose();
        }
    }
}
