package io.kube4j.controller.deployment;

import static io.kube4j.controller.deployment.Fixtures.T0;
import static io.kube4j.controller.deployment.Fixtures.rolling;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeploymentUtilTest {

    private static IntOrString ios(String v) {
        return v.endsWith("%") ? new IntOrString(v) : new IntOrString(Integer.parseInt(v));
    }

    /** Surge rounds up, unavailability down; both resolving to zero allow one unavailable pod. */
    @ParameterizedTest(name = "{0} replicas, surge {1}, unavailable {2} -> {3}/{4}")
    @CsvSource({
            "10, 25%, 25%, 3, 2",
            "10, 3, 2, 3, 2",
            "1, 25%, 25%, 1, 0",
            "4, 25%, 25%, 1, 1",
            "3, 50%, 50%, 2, 1",
            "10, 0, 5%, 0, 1",
            "10, 0%, 0%, 0, 1",
            "10, 100%, 0, 10, 0",
            "0, 25%, 25%, 0, 1",
            "7, 10%, 10%, 1, 0",
    })
    void fenceposts(int replicas, String surge, String unavailable, int expSurge, int expUnavailable) {
        int[] f = DeploymentUtil.resolveFenceposts(ios(surge), ios(unavailable), replicas);
        assertThat(f).containsExactly(expSurge, expUnavailable);
    }

    @ParameterizedTest(name = "{0} replicas, surge {1}, unavailable {2}: maxSurge {3}, maxUnavailable {4}")
    @CsvSource({
            "10, 3, 2, 3, 2",
            "2, 0, 5, 0, 2",   // maxUnavailable is capped at replicas
            "0, 1, 1, 1, 0",   // nothing can be unavailable of zero
    })
    void maxSurgeAndMaxUnavailable(int replicas, int surge, int unavailable, int expSurge, int expUnavailable) {
        Deployment d = rolling(replicas, surge, unavailable);
        assertThat(DeploymentUtil.maxSurge(d)).isEqualTo(expSurge);
        assertThat(DeploymentUtil.maxUnavailable(d)).isEqualTo(expUnavailable);
        assertThat(DeploymentUtil.maxSurge(Fixtures.recreate(replicas))).isZero();
        assertThat(DeploymentUtil.maxUnavailable(Fixtures.recreate(replicas))).isZero();
    }

    @Test
    void badPercentagesAreClearErrors() {
        assertThatThrownBy(() -> DeploymentUtil.scaled(new IntOrString("abc"), 10, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a percentage");
        assertThatThrownBy(() -> DeploymentUtil.scaled(new IntOrString("x%"), 10, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x%");
    }

    /** NewRSNewReplicas: the new ReplicaSet grows up to replicas + maxSurge pods in all, never past replicas. */
    @ParameterizedTest(name = "replicas {0} surge {1}: old {2} new {3} -> {4}")
    @CsvSource({
            "10, 3, 10, 0, 3",
            "10, 3, 8, 3, 5",
            "10, 3, 10, 3, 3",   // at replicas + surge: no growth
            "10, 2, 5, 0, 7",
            "10, 20, 10, 0, 10", // never past replicas
            "10, 3, 0, 8, 10",
    })
    void newRSNewReplicas(int replicas, int surge, int oldReplicas, int newReplicas, int expected) {
        Deployment d = rolling(replicas, surge, 1);
        ReplicaSet old = Fixtures.rs(d, "old", "img:0", oldReplicas, oldReplicas, 0);
        ReplicaSet nw = Fixtures.rs(d, "new", "img:1", newReplicas, 0, 1);
        assertThat(DeploymentUtil.newRSNewReplicas(d, List.of(old, nw), nw)).isEqualTo(expected);
        assertThat(DeploymentUtil.newRSNewReplicas(Fixtures.recreate(replicas), List.of(old, nw), nw))
                .isEqualTo(replicas);
    }

    @Test
    void newReplicaSetWaitsForOldPodsToGoBeforeSurgingFurther() {
        Deployment d = rolling(10, 3, 2);
        ReplicaSet old = Fixtures.rs(d, "old", "img:0", 8, 10, 0);
        old.getStatus().setReplicas(10); // scaled to 8, its controller has not deleted the 2 pods yet
        ReplicaSet nw = Fixtures.rs(d, "new", "img:1", 3, 3, 1);
        assertThat(DeploymentUtil.newRSNewReplicas(d, List.of(old, nw), nw)).isEqualTo(3);
        old.getStatus().setReplicas(8);
        assertThat(DeploymentUtil.newRSNewReplicas(d, List.of(old, nw), nw)).isEqualTo(5);
    }

    @Test
    void saturatedNeedsDesiredAnnotationSpecAndAvailability() {
        Deployment d = rolling(3, 1, 1);
        ReplicaSet rs = Fixtures.rs(d, "new", "img:1", 3, 3, 0);
        assertThat(DeploymentUtil.isSaturated(d, rs)).isFalse();
        Fixtures.annotate(rs, DeploymentUtil.DESIRED_REPLICAS, 3);
        assertThat(DeploymentUtil.isSaturated(d, rs)).isTrue();
        rs.getStatus().setAvailableReplicas(2);
        assertThat(DeploymentUtil.isSaturated(d, rs)).isFalse();
        assertThat(DeploymentUtil.isSaturated(d, null)).isFalse();
    }

    @Test
    void newReplicaSetRevisionAndRollbackHistory() {
        Deployment d = rolling(3, 1, 1);
        d.getMetadata().setAnnotations(Map.of("team", "a", "kubectl.kubernetes.io/last-applied-configuration", "{}",
                DeploymentUtil.REVISION, "2"));
        ReplicaSet fresh = Fixtures.rs(d, "new", "img:1", 0, 0, 0);
        assertThat(DeploymentUtil.setNewReplicaSetAnnotations(d, fresh, "3", false)).isTrue();
        assertThat(fresh.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "3")
                .containsEntry("team", "a").containsEntry(DeploymentUtil.DESIRED_REPLICAS, "3")
                .containsEntry(DeploymentUtil.MAX_REPLICAS, "4")
                .doesNotContainKeys("kubectl.kubernetes.io/last-applied-configuration", DeploymentUtil.REVISION_HISTORY);
        // Nothing to change the second time.
        assertThat(DeploymentUtil.setNewReplicaSetAnnotations(d, fresh, "3", true)).isFalse();
        // A rollback makes it new again: the revision rises and the old one goes to the history.
        assertThat(DeploymentUtil.setNewReplicaSetAnnotations(d, fresh, "5", true)).isTrue();
        assertThat(fresh.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "5")
                .containsEntry(DeploymentUtil.REVISION_HISTORY, "3");
        DeploymentUtil.setNewReplicaSetAnnotations(d, fresh, "7", true);
        assertThat(fresh.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "7")
                .containsEntry(DeploymentUtil.REVISION_HISTORY, "3,5");
        // A smaller "new" revision (old ReplicaSets were deleted) never lowers it.
        assertThat(DeploymentUtil.setNewReplicaSetAnnotations(d, fresh, "2", true)).isFalse();
        assertThat(fresh.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "7");
    }

    @Test
    void revisionOrderingAndMax() {
        Deployment d = rolling(3, 1, 1);
        ReplicaSet a = Fixtures.annotate(Fixtures.rs(d, "a", "img:1", 0, 0, 5), DeploymentUtil.REVISION, 3);
        ReplicaSet b = Fixtures.annotate(Fixtures.rs(d, "b", "img:2", 0, 0, 1), DeploymentUtil.REVISION, 10);
        ReplicaSet c = Fixtures.rs(d, "c", "img:3", 0, 0, 2);
        assertThat(DeploymentUtil.maxRevision(List.of(a, b, c))).isEqualTo(10);
        List<ReplicaSet> sorted = new java.util.ArrayList<>(List.of(a, b, c));
        sorted.sort(DeploymentUtil.BY_REVISION);
        assertThat(sorted).extracting(r -> r.getMetadata().getName()).containsExactly("c", "a", "b");
    }

    @Test
    void conditionsKeepTransitionTimeWhileStatusHolds() {
        DeploymentStatus s = new DeploymentStatus();
        DeploymentUtil.setCondition(s, DeploymentUtil.newCondition("Progressing", "True", "NewReplicaSetCreated", "m",
                T0));
        DeploymentUtil.setCondition(s, DeploymentUtil.newCondition("Progressing", "True", "ReplicaSetUpdated", "m2",
                T0.plusSeconds(60)));
        DeploymentCondition c = DeploymentUtil.condition(s, "Progressing");
        assertThat(c.getReason()).isEqualTo("ReplicaSetUpdated");
        assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(c.getLastUpdateTime()).isEqualTo("2026-01-01T00:01:00Z");
        // Same status and reason: left alone.
        DeploymentUtil.setCondition(s, DeploymentUtil.newCondition("Progressing", "True", "ReplicaSetUpdated", "m3",
                T0.plusSeconds(120)));
        assertThat(DeploymentUtil.condition(s, "Progressing").getMessage()).isEqualTo("m2");
        DeploymentUtil.setCondition(s, DeploymentUtil.newCondition("Progressing", "False", "ProgressDeadlineExceeded",
                "m4", T0.plusSeconds(180)));
        assertThat(DeploymentUtil.condition(s, "Progressing").getLastTransitionTime())
                .isEqualTo("2026-01-01T00:03:00Z");
        assertThat(s.getConditions()).hasSize(1);
    }

    @ParameterizedTest(name = "reason {0}, updated {1}s after, deadline {2}: timed out {3}")
    @CsvSource({
            "ReplicaSetUpdated, 601, 600, true",
            "ReplicaSetUpdated, 600, 600, false",
            "ReplicaSetUpdated, 30, 600, false",
            "NewReplicaSetCreated, 11, 10, true",
            "NewReplicaSetAvailable, 9999, 10, false",
            "ProgressDeadlineExceeded, 0, 600, true",
    })
    void timedOut(String reason, int secondsLater, int deadline, boolean expected) {
        Deployment d = rolling(3, 1, 1);
        d.getSpec().setProgressDeadlineSeconds(deadline);
        DeploymentStatus s = new DeploymentStatus();
        DeploymentUtil.setCondition(s, DeploymentUtil.newCondition("Progressing", "True", reason, "m", T0));
        assertThat(DeploymentUtil.timedOut(d, s, T0.plusSeconds(secondsLater))).isEqualTo(expected);
    }

    @Test
    void progressingMeansAnyCountMovedTheRightWay() {
        Deployment d = rolling(3, 1, 1);
        d.getStatus().setReplicas(4);
        d.getStatus().setUpdatedReplicas(1);
        d.getStatus().setReadyReplicas(3);
        d.getStatus().setAvailableReplicas(3);
        DeploymentStatus same = Fixtures.copy(d.getStatus());
        assertThat(DeploymentUtil.progressing(d, same)).isFalse();
        DeploymentStatus moreUpdated = Fixtures.copy(same);
        moreUpdated.setUpdatedReplicas(2);
        assertThat(DeploymentUtil.progressing(d, moreUpdated)).isTrue();
        DeploymentStatus fewerOld = Fixtures.copy(same);
        fewerOld.setReplicas(3);
        assertThat(DeploymentUtil.progressing(d, fewerOld)).isTrue();
        DeploymentStatus lessReady = Fixtures.copy(same);
        lessReady.setReadyReplicas(2);
        assertThat(DeploymentUtil.progressing(d, lessReady)).isFalse();
    }
}
