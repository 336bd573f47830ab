package io.kube4j.controller.deployment;

import static io.kube4j.controller.deployment.DeploymentUtil.*;
import static io.kube4j.controller.deployment.Fixtures.T0;
import static io.kube4j.controller.deployment.Fixtures.annotate;
import static io.kube4j.controller.deployment.Fixtures.rolling;
import static io.kube4j.controller.deployment.Fixtures.rs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.util.FakeClock;
import io.kube4j.controller.deployment.Fixtures.FakeWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeploymentSyncTest {

    private final FakeClock clock = new FakeClock(T0.plusSeconds(3600));

    private DeploymentSync.Outcome run(FakeWriter w) {
        return run(w, Map.of());
    }

    private DeploymentSync.Outcome run(FakeWriter w, Map<String, List<Pod>> pods) {
        return new DeploymentSync(w, clock, w.deployment).run(w.list(), pods);
    }

    private DeploymentSync sync(FakeWriter w) {
        return new DeploymentSync(w, clock, w.deployment);
    }

    /** Kubernetes' reconcileNewReplicaSet table (rolling_test.go). */
    @ParameterizedTest(name = "replicas {0} surge {1}: old {2} new {3} -> scaled {4} to {5}")
    @CsvSource({
            "10, 0, 10, 0, false, 0",
            "10, 2, 10, 0, true, 2",
            "10, 2, 5, 0, true, 7",
            "10, 2, 10, 2, false, 2",
            "2, 2, 2, 4, true, 2",
    })
    void reconcileNewReplicaSet(int replicas, int surge, int oldReplicas, int newReplicas, boolean scaled,
            int expected) {
        Deployment d = rolling(replicas, surge, surge == 0 ? 1 : 0);
        ReplicaSet old = rs(d, "old", "img:0", oldReplicas, oldReplicas, 0);
        ReplicaSet nw = rs(d, "new", "img:1", newReplicas, 0, 1);
        FakeWriter w = new FakeWriter(d, old, nw);
        assertThat(sync(w).reconcileNewReplicaSet(w.list(), w.list().get(1))).isEqualTo(scaled);
        assertThat(w.replicasOf("new")).isEqualTo(expected);
    }

    /** Kubernetes' reconcileOldReplicaSets table (maxSurge 1). */
    @ParameterizedTest(name = "replicas {0} maxUnavailable {1}: old {2} ({4} ready) new {3} ({5} ready) -> {6}, old {7}")
    @CsvSource({
            "10, 0, 10, 0, 10, 0, false, 10",
            "10, 2, 10, 0, 10, 0, true, 8",
            "10, 2, 10, 0, 8, 0, true, 8",   // the unhealthy go first
            "10, 2, 10, 0, 9, 0, true, 8",   // one unhealthy, one healthy
            "10, 2, 8, 2, 8, 0, false, 8",   // new pods not available yet: no further step
            "10, 2, 8, 3, 8, 3, true, 5",
    })
    void reconcileOldReplicaSets(int replicas, int maxUnavailable, int oldReplicas, int newReplicas, int oldReady,
            int newReady, boolean scaled, int expectedOld) {
        Deployment d = rolling(replicas, 1, maxUnavailable);
        ReplicaSet old = rs(d, "old", "img:0", oldReplicas, oldReady, 0);
        ReplicaSet nw = rs(d, "new", "img:1", newReplicas, newReady, 1);
        FakeWriter w = new FakeWriter(d, old, nw);
        List<ReplicaSet> all = w.list();
        assertThat(sync(w).reconcileOldReplicaSets(all, List.of(all.get(0)), all.get(1))).isEqualTo(scaled);
        assertThat(w.replicasOf("old")).isEqualTo(expectedOld);
    }

    /** cleanupUnhealthyReplicas: unavailable replicas of old ReplicaSets go, at most maxCleanup. */
    @ParameterizedTest(name = "old {0} ({1} available), max {2} -> {3}")
    @CsvSource({
            "10, 8, 1, 1",
            "10, 8, 3, 2",
            "10, 8, 0, 0",
            "10, 10, 3, 0",
            "0, 0, 3, 0",
    })
    void cleanupUnhealthyReplicas(int replicas, int available, int maxCleanup, int expected) {
        Deployment d = rolling(10, 1, 2);
        FakeWriter w = new FakeWriter(d, rs(d, "old", "img:0", replicas, available, 0));
        List<ReplicaSet> olds = new ArrayList<>(w.list());
        assertThat(sync(w).cleanupUnhealthyReplicas(olds, maxCleanup)).isEqualTo(expected);
        assertThat(w.replicasOf("old")).isEqualTo(replicas - expected);
        assertThat(olds.get(0).getSpec().getReplicas()).isEqualTo(replicas - expected);
    }

    /**
     * scaleDownOldReplicaSetsForRollingUpdate. The last row differs from Kubernetes on purpose: a ReplicaSet scaled
     * to 1 whose status still says 10 available has at most 1 pod that will stay; Kubernetes counts 10 and scales it
     * to 0, we count 1 (see DeploymentUtil.lastingAvailable).
     */
    @ParameterizedTest(name = "replicas 10 maxUnavailable {0}: old {2} ({1} available) -> {3}")
    @CsvSource({
            "0, 10, 10, 9",  // 0 and surge 0 resolve to one unavailable
            "2, 10, 10, 8",
            "2, 8, 10, 10",
            "2, 10, 0, 0",
            "2, 10, 1, 1",
    })
    void scaleDownOldForRollingUpdate(int maxUnavailable, int available, int oldReplicas, int expected) {
        Deployment d = rolling(10, 0, maxUnavailable);
        FakeWriter w = new FakeWriter(d, rs(d, "old", "img:0", oldReplicas, available, 0));
        List<ReplicaSet> all = w.list();
        sync(w).scaleDownOldReplicaSetsForRollingUpdate(all, all);
        assertThat(w.replicasOf("old")).isEqualTo(expected);
    }

    /** Kubernetes' TestScale proportional rows (sync_test.go): maxSurge 0, maxUnavailable 0 (resolves to 1). */
    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "5 -> 10        | 5  | 10 | 2,3     | 4,6",
            "5 -> 3         | 5  | 3  | 2,3     | 1,2",
            "9 -> 4         | 9  | 4  | 8,1     | 4,0",
            "7 -> 10        | 7  | 10 | 2,3,2   | 3,4,3",
            "13 -> 8        | 13 | 8  | 2,8,3   | 1,5,2",
            "leftover 3->4  | 3  | 4  | 1,1,1   | 2,1,1",
            "leftover 10->9 | 10 | 9  | 4,3,3   | 3,3,3",
            "to zero        | 10 | 0  | 4,3,3   | 0,0,0",
    })
    void proportionalScaling(String name, int oldReplicas, int newReplicas, String sizes, String expected) {
        Deployment d = rolling(newReplicas, 0, 0);
        String[] s = sizes.split(",");
        String[] e = expected.split(",");
        List<ReplicaSet> rss = new ArrayList<>();
        // s[0] is the new ReplicaSet (newest), then older ones.
        for (int i = 0; i < s.length; i++) {
            ReplicaSet r = rs(d, "v" + (s.length - i), "img:" + (s.length - i), Integer.parseInt(s[i]),
                    Integer.parseInt(s[i]), s.length - i);
            annotate(r, MAX_REPLICAS, oldReplicas);
            annotate(r, DESIRED_REPLICAS, oldReplicas);
            rss.add(r);
        }
        FakeWriter w = new FakeWriter(d, rss.toArray(ReplicaSet[]::new));
        List<ReplicaSet> current = new ArrayList<>();
        for (ReplicaSet r : rss) {
            current.add(w.cachedReplicaSet("ns", r.getMetadata().getName()));
        }
        sync(w).scale(current.get(0), current.subList(1, current.size()));
        for (int i = 0; i < s.length; i++) {
            assertThat(w.replicasOf("v" + (s.length - i))).as("v" + (s.length - i)).isEqualTo(Integer.parseInt(e[i]));
            assertThat(w.replicaSets.get("v" + (s.length - i)).getMetadata().getAnnotations())
                    .containsEntry(DESIRED_REPLICAS, Integer.toString(newReplicas));
        }
    }

    @Test
    void scalingDuringARolloutIsProportionalThroughRun() {
        Deployment d = rolling(10, 3, 2);
        d.getSpec().setTemplate(Fixtures.template("img:2"));
        ReplicaSet old = annotate(annotate(rs(d, "web-old", "img:1", 8, 8, 0), DESIRED_REPLICAS, 10), MAX_REPLICAS, 13);
        annotate(old, REVISION, 1);
        FakeWriter w = new FakeWriter(d, old);
        run(w); // starts the rollout: new ReplicaSet of 5 (13 - 8)
        String newName = w.newest().getMetadata().getName();
        assertThat(w.replicasOf(newName)).isEqualTo(5);
        // Scale 10 -> 20 mid-rollout: 23 allowed (maxSurge 3), 13 there; the 10 extra go in proportion 8:5 of the
        // 13 they were sized for: round(8 * 23 / 13) = 14, round(5 * 23 / 13) = 9.
        w.deployment.getSpec().setReplicas(20);
        w.deployment.getMetadata().setGeneration(2L);
        run(w);
        assertThat(w.replicasOf("web-old")).isEqualTo(14);
        assertThat(w.replicasOf(newName)).isEqualTo(9);
        assertThat(w.events).anyMatch(e -> e.contains("Scaled up replica set web-old to 14 from 8"));
        assertThat(w.replicaSets.get("web-old").getMetadata().getAnnotations()).containsEntry(DESIRED_REPLICAS, "20")
                .containsEntry(MAX_REPLICAS, "23");
    }

    /**
     * A whole rolling update of 10 replicas with maxSurge 3 / maxUnavailable 2, the ReplicaSet controller simulated
     * with new pods becoming available one step after they were asked for: never more than 13 pods,
     * never fewer than 8 available, and it completes.
     */
    @Test
    void rollingUpdateStaysWithinSurgeAndUnavailability() {
        Deployment d = rolling(10, 3, 2);
        ReplicaSet old = annotate(annotate(rs(d, "web-old", "img:1", 10, 10, 0), DESIRED_REPLICAS, 10),
                MAX_REPLICAS, 13);
        annotate(old, REVISION, 1);
        d.getSpec().setTemplate(Fixtures.template("img:2"));
        d.getMetadata().setGeneration(2L);
        FakeWriter w = new FakeWriter(d, old);
        Map<String, Integer> asked = new java.util.HashMap<>();
        for (int step = 0; step < 30; step++) {
            run(w);
            int total = 0;
            for (ReplicaSet r : w.replicaSets.values()) {
                // pods there are (status, not yet caught up with a scale-down) or soon will be (spec)
                total += Math.max(r.getSpec().getReplicas(), r.getStatus() == null ? 0 : r.getStatus().getReplicas());
            }
            assertThat(total).as("pods at step %d", step).isLessThanOrEqualTo(13);
            // The ReplicaSet controller: old pods go at once; new pods become available one step later.
            for (ReplicaSet r : new ArrayList<>(w.replicaSets.values())) {
                String n = r.getMetadata().getName();
                int available = n.equals("web-old") ? r.getSpec().getReplicas()
                        : Math.min(r.getSpec().getReplicas(), asked.getOrDefault(n, 0));
                asked.put(n, r.getSpec().getReplicas());
                w.settle(n, available);
            }
            int available = 0;
            for (ReplicaSet r : w.replicaSets.values()) {
                available += r.getStatus().getAvailableReplicas();
            }
            assertThat(available).as("available at step %d", step).isGreaterThanOrEqualTo(8);
        }
        ReplicaSet nw = w.newest();
        assertThat(nw.getSpec().getReplicas()).isEqualTo(10);
        assertThat(w.replicasOf("web-old")).isZero();
        assertThat(nw.getMetadata().getName()).isEqualTo("web-" + nw.getMetadata().getLabels().get(POD_TEMPLATE_HASH));
        assertThat(nw.getSpec().getSelector().getMatchLabels()).containsEntry(POD_TEMPLATE_HASH,
                nw.getMetadata().getLabels().get(POD_TEMPLATE_HASH));
        assertThat(nw.getMetadata().getAnnotations()).containsEntry(REVISION, "2");
        Deployment done = w.deployment;
        assertThat(done.getMetadata().getAnnotations()).containsEntry(REVISION, "2");
        assertThat(done.getStatus().getUpdatedReplicas()).isEqualTo(10);
        assertThat(done.getStatus().getAvailableReplicas()).isEqualTo(10);
        assertThat(done.getStatus().getObservedGeneration()).isEqualTo(2L);
        assertThat(condition(done.getStatus(), PROGRESSING).getReason()).isEqualTo(NEW_RS_AVAILABLE_REASON);
        assertThat(condition(done.getStatus(), AVAILABLE).getStatus()).isEqualTo("True");
        assertThat(w.events).contains("Normal ScalingReplicaSet Scaled up replica set " + nw.getMetadata().getName()
                + " from 0 to 3");
        assertThat(w.events).anyMatch(e -> e.equals("Normal ScalingReplicaSet Scaled down replica set web-old to 8 from 10"));
    }

    @Test
    void recreateScalesDownWaitsForOldPodsThenCreates() {
        Deployment d = Fixtures.recreate(3);
        ReplicaSet old = annotate(annotate(rs(d, "web-old", "img:1", 3, 3, 0), DESIRED_REPLICAS, 3), REVISION, 1);
        d.getSpec().setTemplate(Fixtures.template("img:2"));
        FakeWriter w = new FakeWriter(d, old);
        Pod oldPod = new PodBuilder().withNewMetadata().withName("p").withDeletionTimestamp("2026-01-01T00:00:00Z")
                .endMetadata().withNewStatus().withPhase("Running").endStatus().build();
        run(w, Map.of("web-old-uid", List.of(oldPod)));
        assertThat(w.replicasOf("web-old")).isZero();
        assertThat(w.replicaSets).hasSize(1); // no new ReplicaSet while old pods may run
        w.settle("web-old", 0);
        run(w, Map.of("web-old-uid", List.of(oldPod))); // a terminating pod is still an old pod
        assertThat(w.replicaSets).hasSize(1);
        Pod finished = new PodBuilder(oldPod).editStatus().withPhase("Succeeded").endStatus().build();
        run(w, Map.of("web-old-uid", List.of(finished)));
        assertThat(w.replicaSets).hasSize(2);
        assertThat(w.newest().getSpec().getReplicas()).isEqualTo(3);
        assertThat(w.actions).containsExactly("scale web-old 3->0", "create " + w.newest().getMetadata().getName()
                + " 3");
    }

    @Test
    void stuckRolloutRequeuesAtTheDeadlineThenTimesOut() {
        Deployment d = rolling(2, 1, 0);
        d.getSpec().setProgressDeadlineSeconds(60);
        ReplicaSet old = annotate(annotate(rs(d, "web-old", "img:1", 2, 2, 0), DESIRED_REPLICAS, 2), REVISION, 1);
        d.getSpec().setTemplate(Fixtures.template("img:broken"));
        d.getStatus().setReplicas(2);
        d.getStatus().setUpdatedReplicas(2);
        d.getStatus().setReadyReplicas(2);
        d.getStatus().setAvailableReplicas(2);
        FakeWriter w = new FakeWriter(d, old);
        run(w); // creates the new ReplicaSet with 1 (surge)
        assertThat(condition(w.deployment.getStatus(), PROGRESSING).getReason()).isEqualTo(NEW_RS_REASON);
        String newName = w.newest().getMetadata().getName();
        w.settle(newName, 0); // its pod never becomes available
        run(w);
        clock.advance(Duration.ofSeconds(20));
        DeploymentSync.Outcome o = run(w);
        // Nothing moved: come back when the deadline passes (60 s after the condition's last update).
        assertThat(o.requeueAfter()).isEqualTo(Duration.ofSeconds(40));
        clock.advance(Duration.ofSeconds(41));
        run(w);
        var c = condition(w.deployment.getStatus(), PROGRESSING);
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo(TIMED_OUT_REASON);
        assertThat(c.getMessage()).isEqualTo("ReplicaSet \"" + newName + "\" has timed out progressing.");
        assertThat(condition(w.deployment.getStatus(), AVAILABLE).getStatus()).isEqualTo("True");
        assertThat(run(w).requeueAfter()).isNull(); // timed out: nothing more to wait for
        assertThat(w.replicasOf("web-old")).isEqualTo(2); // availability kept
    }

    @Test
    void pausedDeploymentScalesButDoesNotRollOut() {
        Deployment d = rolling(3, 1, 0);
        ReplicaSet old = annotate(annotate(rs(d, "web-old", "img:1", 3, 3, 0), DESIRED_REPLICAS, 3), REVISION, 1);
        d.getSpec().setTemplate(Fixtures.template("img:2"));
        d.getSpec().setPaused(true);
        d.getSpec().setReplicas(5);
        FakeWriter w = new FakeWriter(d, old);
        run(w);
        assertThat(w.replicaSets).hasSize(1);
        assertThat(w.replicasOf("web-old")).isEqualTo(5); // scaling still applies
        var c = condition(w.deployment.getStatus(), PROGRESSING);
        assertThat(c.getStatus()).isEqualTo("Unknown");
        assertThat(c.getReason()).isEqualTo(PAUSED_REASON);
        w.deployment.getSpec().setPaused(false);
        run(w);
        assertThat(w.replicaSets).hasSize(2);
        assertThat(w.events).anyMatch(e -> e.contains("Scaled up replica set web-"));
        // The resumed condition was written, then the rollout's own progress replaced it.
        assertThat(condition(w.deployment.getStatus(), PROGRESSING).getReason()).isEqualTo(NEW_RS_REASON);
    }

    @Test
    void resumeWritesDeploymentResumed() {
        Deployment d = rolling(3, 1, 0);
        ReplicaSet cur = annotate(annotate(rs(d, "web-cur", "img:1", 3, 3, 0), DESIRED_REPLICAS, 3), REVISION, 1);
        annotate(cur, MAX_REPLICAS, 4);
        d.getStatus().setConditions(new ArrayList<>(List.of(newCondition(PROGRESSING, "Unknown", PAUSED_REASON,
                "Deployment is paused", T0))));
        FakeWriter w = new FakeWriter(d, cur);
        run(w);
        var c = condition(w.deployment.getStatus(), PROGRESSING);
        assertThat(c.getReason()).isIn(RESUMED_REASON, NEW_RS_AVAILABLE_REASON);
        assertThat(w.statusWrites).isGreaterThanOrEqualTo(1);
    }

    @Test
    void rollbackMakesTheOldReplicaSetNewWithTheNextRevision() {
        Deployment d = rolling(3, 1, 0);
        ReplicaSet v1 = annotate(annotate(rs(d, "web-v1", "img:1", 0, 0, 0), DESIRED_REPLICAS, 3), REVISION, 1);
        ReplicaSet v2 = annotate(annotate(rs(d, "web-v2", "img:2", 3, 3, 1), DESIRED_REPLICAS, 3), REVISION, 2);
        annotate(v2, MAX_REPLICAS, 4);
        // `kubectl rollout undo` patched the template back to v1's.
        FakeWriter w = new FakeWriter(d, v1, v2);
        run(w);
        assertThat(w.replicaSets.get("web-v1").getMetadata().getAnnotations()).containsEntry(REVISION, "3")
                .containsEntry(REVISION_HISTORY, "1");
        assertThat(w.replicasOf("web-v1")).isEqualTo(1); // surging back
        assertThat(w.replicaSets).hasSize(2); // no new ReplicaSet
        assertThat(w.deployment.getMetadata().getAnnotations()).containsEntry(REVISION, "3");
    }

    @Test
    void historyBeyondTheLimitIsDeletedOldestFirstOnceComplete() {
        Deployment d = rolling(2, 1, 0);
        d.getSpec().setRevisionHistoryLimit(2);
        List<ReplicaSet> rss = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            rss.add(annotate(rs(d, "web-v" + i, "img:" + i, 0, 0, i), REVISION, i));
        }
        ReplicaSet cur = annotate(annotate(annotate(rs(d, "web-v9", "img:1", 2, 2, 9), REVISION, 9),
                DESIRED_REPLICAS, 2), MAX_REPLICAS, 3);
        rss.set(0, annotate(rs(d, "web-v1", "img:0", 0, 0, 1), REVISION, 1));
        rss.add(cur);
        ReplicaSet scalingDown = rss.get(1);
        scalingDown.getMetadata().setGeneration(2L); // web-v2's last scale-down not yet observed: kept
        FakeWriter w = new FakeWriter(d, rss.toArray(ReplicaSet[]::new));
        run(w); // status becomes complete
        run(w);
        assertThat(w.deleted).containsExactly("web-v1");
    }

    @Test
    void hashCollisionBumpsCollisionCountAndTheNextSyncUsesAnotherName() {
        Deployment d = rolling(2, 1, 0);
        String hash = PodTemplateHash.compute(d.getSpec().getTemplate(), null);
        Deployment other = rolling(2, 1, 0);
        other.getMetadata().setUid("someone-else");
        ReplicaSet squatter = rs(other, "web-" + hash, "img:other", 0, 0, 0);
        squatter.getMetadata().setLabels(Map.of("unrelated", "x")); // not selected by d: never claimed
        FakeWriter w = new FakeWriter(d, squatter);
        List<ReplicaSet> mine = List.of(); // d owns nothing
        assertThatThrownBy(() -> new DeploymentSync(w, clock, w.deployment).run(mine, Map.of()))
                .isInstanceOf(ApiStatusException.AlreadyExists.class);
        assertThat(w.deployment.getStatus().getCollisionCount()).isEqualTo(1);
        new DeploymentSync(w, clock, w.deployment).run(mine, Map.of());
        String next = "web-" + PodTemplateHash.compute(d.getSpec().getTemplate(), 1);
        assertThat(w.replicaSets).containsKey(next);
        assertThat(w.replicaSets.get(next).getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry(POD_TEMPLATE_HASH, PodTemplateHash.compute(d.getSpec().getTemplate(), 1));
    }

    @Test
    void staleCachesFailWithAConflictInsteadOfOverwriting() {
        Deployment d = rolling(10, 3, 2);
        ReplicaSet cur = annotate(annotate(rs(d, "web-cur", "img:1", 10, 10, 0), DESIRED_REPLICAS, 10), REVISION, 1);
        FakeWriter w = new FakeWriter(d, cur);
        List<ReplicaSet> stale = w.list();
        w.settle("web-cur", 10); // someone wrote meanwhile
        w.deployment.getSpec().setReplicas(12);
        assertThatThrownBy(() -> new DeploymentSync(w, clock, w.deployment).run(stale, Map.of()))
                .isInstanceOf(ApiStatusException.Conflict.class);
        assertThat(w.replicasOf("web-cur")).isEqualTo(10);
    }

    @Test
    void emptySelectorIsRefusedWithAnEvent() {
        Deployment d = rolling(1, 1, 0);
        d.getSpec().getSelector().setMatchLabels(Map.of());
        d.getMetadata().setGeneration(3L);
        FakeWriter w = new FakeWriter(d);
        run(w);
        assertThat(w.events).containsExactly(
                "Warning SelectingAll This deployment is selecting all pods. A non-empty selector is required.");
        assertThat(w.deployment.getStatus().getObservedGeneration()).isEqualTo(3L);
        assertThat(w.replicaSets).isEmpty();
    }
}
