package io.kube4j.controller.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.watch.WatchEvent;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Churn against the real apiserver: while the test changes {@code spec.replicas} (some changes back-to-back) and
 * deletes pods, a watch counts the ReplicaSet's live (not terminating) pods at every event and checks:
 * <ul>
 * <li>once the controller has converged on a value, no later state (etcd revision) has more live pods than that
 * value, until the next change — "converged" meaning the controller replaced a pod the test deleted after the count
 * reached the value: it acts only when every create it issued before was observed, so nothing is in flight;</li>
 * <li>between a change and that convergence, never more live pods than the largest value involved (the previous
 * one and every value of the change).</li>
 * </ul>
 */
class ReplicaSetChurnIT {

    private static final Duration WAIT = ControllerTestEnv.WAIT;

    private static ControllerManager manager;
    private static ResourceClient<ReplicaSet> rss;
    private static ResourceClient<Pod> pods;
    private static String ns;

    @BeforeAll
    static void start() {
        rss = ControllerTestEnv.client().resources(ReplicaSet.class);
        pods = ControllerTestEnv.client().resources(Pod.class);
        ns = ControllerTestEnv.namespace("rs-churn");
        manager = ControllerTestEnv.start(new ReplicaSetControllerFactory(ReplicaSetControllerProperties.defaults()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (manager != null) {
            manager.stop();
        }
    }

    /** The live-pod counter; see the class comment for what it checks. */
    static final class LivePodWatcher {
        private final String ownerUid;
        private final Set<String> live = new HashSet<>();
        final List<String> violations = Collections.synchronizedList(new ArrayList<>());
        private int looseLimit;
        private long strictFrom = Long.MAX_VALUE;
        private int strictTarget;
        private int count;
        private int events;
        private final Set<String> seenNames = new HashSet<>();
        private Disposable subscription;

        LivePodWatcher(String ownerUid) {
            this.ownerUid = ownerUid;
        }

        LivePodWatcher start(String fromResourceVersion) {
            subscription = pods.watch(ns, ListOptions.all(), fromResourceVersion).subscribe(this::onEvent,
                    e -> violations.add("the watch failed: " + e));
            return this;
        }

        /** A change to these values begins (the limit is loose until {@link #convergedFrom}). */
        synchronized void changing(int[] values) {
            int max = strictFrom == Long.MAX_VALUE ? looseLimit : Math.max(looseLimit, strictTarget);
            for (int v : values) {
                max = Math.max(max, v);
            }
            looseLimit = max;
            strictFrom = Long.MAX_VALUE;
        }

        /** States after revision {@code rv} may not have more than {@code target} live pods. */
        synchronized void convergedFrom(long rv, int target) {
            strictFrom = rv;
            strictTarget = target;
        }

        synchronized boolean seen(String podName) {
            return seenNames.contains(podName);
        }

        synchronized int events() {
            return events;
        }

        private synchronized void onEvent(WatchEvent<Pod> e) {
            if (e.type() == WatchEvent.Type.BOOKMARK) {
                return;
            }
            Pod p = e.object();
            String uid = p.getMetadata().getUid();
            if (e.type() != WatchEvent.Type.DELETED && p.getMetadata().getDeletionTimestamp() == null
                    && OwnerReferences.isControlledBy(p, ownerUid)) {
                live.add(uid);
            } else {
                live.remove(uid);
            }
            events++;
            seenNames.add(p.getMetadata().getName());
            count = live.size();
            long rv = Long.parseLong(e.resourceVersion());
            int limit = rv > strictFrom ? strictTarget : looseLimit;
            if (count > limit) {
                violations.add("revision " + rv + " (" + e.type() + " " + p.getMetadata().getName() + "): " + count
                        + " live pods, at most " + limit + " allowed");
            }
        }

        void stop() {
            subscription.dispose();
        }
    }

    private static List<Pod> livePods(String uid) {
        return pods.list(ns, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(p -> OwnerReferences.isControlledBy(p, uid))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static void awaitLive(String uid, int replicas) {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(livePods(uid)).hasSize(replicas);
            ReplicaSet cur = rss.get(ns, "churn").block(WAIT);
            assertThat(cur.getStatus().getReplicas()).isEqualTo(replicas);
            assertThat(cur.getStatus().getObservedGeneration()).isEqualTo(cur.getMetadata().getGeneration());
        });
    }

    private static void delete(Pod p) {
        pods.delete(ns, p.getMetadata().getName(), DeleteOptions.defaults())
                .onErrorResume(ApiStatusException.NotFound.class, x -> Mono.empty()).block(WAIT);
    }

    /**
     * Deletes one pod and waits for the controller to replace it; returns the revision of the first listing showing
     * the replacement (and {@code replicas} live pods).
     */
    private static long deleteAndAwaitReplacement(String uid, int replicas, int count) {
        List<Pod> before = livePods(uid);
        Set<String> old = new HashSet<>();
        before.forEach(p -> old.add(p.getMetadata().getUid()));
        before.subList(0, count).forEach(ReplicaSetChurnIT::delete);
        return await().atMost(WAIT).until(() -> {
            var list = pods.list(ns, ListOptions.all()).block(WAIT);
            List<Pod> live = list.getItems().stream().filter(p -> OwnerReferences.isControlledBy(p, uid))
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
            boolean replaced = live.size() == replicas && live.stream()
                    .filter(p -> !old.contains(p.getMetadata().getUid())).count() == count;
            return replaced ? Long.parseLong(list.getMetadata().getResourceVersion()) : -1L;
        }, rv -> rv >= 0);
    }

    @Test
    void neverMoreLivePodsThanReplicasOnceConverged() {
        ReplicaSet rs = rss.create(new ReplicaSetBuilder(ReplicaSetControllerIT.replicaSet("churn", 0,
                Map.of("app", "churn"))).editMetadata().withNamespace(ns).endMetadata().build()).block(WAIT);
        String uid = rs.getMetadata().getUid();
        LivePodWatcher watcher = new LivePodWatcher(uid).start(rs.getMetadata().getResourceVersion());
        try {
            int[][] changes = {{4}, {7}, {2}, {6, 1}, {3, 8, 2}, {5}};
            for (int[] values : changes) {
                watcher.changing(values);
                for (int replicas : values) {
                    rss.updateWithRetry(ns, "churn", cur -> {
                        cur.getSpec().setReplicas(replicas);
                        return cur;
                    }, false).block(WAIT);
                }
                int target = values[values.length - 1];
                awaitLive(uid, target);
                watcher.convergedFrom(deleteAndAwaitReplacement(uid, target, 1), target);
                deleteAndAwaitReplacement(uid, target, Math.min(2, target));
            }
            // a pod of no ReplicaSet as a sentinel: once the watch delivered it, it delivered everything before it
            pods.create(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("sentinel")
                    .withNamespace(ns).withLabels(Map.of("app", "none")).endMetadata().withNewSpec().addNewContainer()
                    .withName("c").withImage("registry.k8s.io/pause:3.9").endContainer().endSpec().build())
                    .block(WAIT);
            await().atMost(WAIT).until(() -> watcher.seen("sentinel"));
            assertThat(watcher.violations).isEmpty();
            assertThat(watcher.events()).isGreaterThan(40);
        } finally {
            watcher.stop();
        }
    }
}
