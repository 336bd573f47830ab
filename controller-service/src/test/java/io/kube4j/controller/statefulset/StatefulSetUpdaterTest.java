package io.kube4j.controller.statefulset;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kube4j.api.codec.Codecs;
import io.kube4j.client.ApiStatusException;
import org.junit.jupiter.api.Test;

/** The ordering, update and scale logic of one sync, on a recording fake of the pod control. */
class StatefulSetUpdaterTest {

    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    /** Records calls as "create web-0", "delete web-2", ... */
    static final class RecordingControl implements StatefulPodControl {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final Set<String> staleClaims = new java.util.HashSet<>();
        RuntimeException createError;

        @Override
        public void createPod(StatefulSet set, Pod pod) {
            if (createError != null) {
                throw createError;
            }
            calls.add("create " + pod.getMetadata().getName());
        }

        @Override
        public void updatePod(StatefulSet set, Pod pod) {
            calls.add("update " + pod.getMetadata().getName());
        }

        @Override
        public void deletePod(StatefulSet set, Pod pod) {
            calls.add("delete " + pod.getMetadata().getName());
        }

        @Override
        public void createMissingClaims(StatefulSet set, Pod pod) {
            calls.add("claims " + pod.getMetadata().getName());
        }

        @Override
        public boolean claimsMatchRetentionPolicy(StatefulSet set, Pod pod) {
            return true;
        }

        @Override
        public void updateClaimsForRetentionPolicy(StatefulSet set, Pod pod) {
            calls.add("retention " + pod.getMetadata().getName());
        }

        @Override
        public boolean podClaimIsStale(StatefulSet set, Pod pod) {
            return staleClaims.contains(pod.getMetadata().getName());
        }
    }

    static StatefulSet set(int replicas, String extraSpec) {
        return Codecs.yaml().readValue("""
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: web, namespace: ns, uid: set-uid, generation: 4}
                spec:
                  replicas: REPLICAS
                  serviceName: web
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: c, image: img}]}
                  volumeClaimTemplates:
                  - metadata: {name: www, labels: {tier: data}}
                    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
                """.replace("REPLICAS", Integer.toString(replicas)) + extraSpec, StatefulSet.class);
    }

    /** An existing pod of {@code set} at {@code revision}: "ready", "pending", "failed" or "terminating". */
    static Pod pod(StatefulSet set, int ordinal, String revision, String state) {
        Pod p = StatefulSetPods.newPod(set, ordinal, revision);
        p.getMetadata().setUid("uid-" + ordinal + "-" + revision);
        switch (state) {
            case "ready" -> p.setStatus(new PodStatusBuilder().withPhase("Running").withConditions(
                    new PodConditionBuilder().withType("Ready").withStatus("True")
                            .withLastTransitionTime("2026-11-28T09:00:00Z").build()).build());
            case "pending" -> p.setStatus(new PodStatusBuilder().withPhase("Pending").build());
            case "failed" -> p.setStatus(new PodStatusBuilder().withPhase("Failed").build());
            case "terminating" -> {
                p.setStatus(new PodStatusBuilder().withPhase("Running").build());
                p.getMetadata().setDeletionTimestamp("2026-11-28T09:59:00Z");
            }
            default -> throw new IllegalArgumentException(state);
        }
        return p;
    }

    private final RecordingControl control = new RecordingControl();

    private StatefulSetUpdater.Outcome sync(StatefulSet set, List<Pod> pods) {
        return sync(set, pods, "web-r1", "web-r1");
    }

    private StatefulSetUpdater.Outcome sync(StatefulSet set, List<Pod> pods, String current, String update) {
        return new StatefulSetUpdater(control).update(set, set, set, current, update, 0, pods, NOW);
    }

    private static List<Pod> ready(StatefulSet set, String revision, int... ordinals) {
        List<Pod> out = new ArrayList<>();
        for (int o : ordinals) {
            out.add(pod(set, o, revision, "ready"));
        }
        return out;
    }

    @Test
    void orderedReadyCreatesOnePodAtATimeWaitingForReady() {
        StatefulSet set = set(3, "");
        StatefulSetUpdater.Outcome o = sync(set, List.of());
        assertThat(control.calls).containsExactly("create web-0");
        assertThat(o.status().getReplicas()).isEqualTo(1);
        assertThat(o.status().getUpdatedReplicas()).isEqualTo(1);

        control.calls.clear();
        sync(set, List.of(pod(set, 0, "web-r1", "pending")));
        assertThat(control.calls).containsExactly("claims web-0"); // waits for web-0 to be Running and Ready

        control.calls.clear();
        sync(set, ready(set, "web-r1", 0));
        assertThat(control.calls).containsExactly("create web-1");
    }

    @Test
    void minReadySecondsHoldsTheNextPodUntilAvailable() {
        StatefulSet set = set(2, "  minReadySeconds: 600\n");
        StatefulSetUpdater.Outcome o = sync(set, ready(set, "web-r1", 0)); // ready for an hour: available
        assertThat(control.calls).containsExactly("create web-1");
        set = set(2, "  minReadySeconds: 7200\n");
        control.calls.clear();
        o = sync(set, ready(set, "web-r1", 0));
        assertThat(control.calls).isEmpty();
        assertThat(o.status().getReadyReplicas()).isEqualTo(1);
        assertThat(o.status().getAvailableReplicas()).isZero();
        assertThat(o.requeueAfter()).hasSeconds(7200);
    }

    @Test
    void parallelCreatesEveryMissingPodInOneSync() {
        StatefulSet set = set(3, "  podManagementPolicy: Parallel\n");
        sync(set, List.of(pod(set, 1, "web-r1", "pending")));
        assertThat(control.calls).containsExactly("create web-0", "claims web-1", "create web-2");
    }

    @Test
    void ordinalsStartWhereTheSpecSays() {
        StatefulSet set = set(2, "  ordinals: {start: 5}\n  podManagementPolicy: Parallel\n");
        sync(set, ready(set, "web-r1", 0));
        // web-0 is outside [5, 7): condemned
        assertThat(control.calls).containsExactly("create web-5", "create web-6", "delete web-0");
    }

    @Test
    void aFailedPodIsDeletedAndRecreatedLaterUnderItsName() {
        StatefulSet set = set(3, "");
        List<Pod> pods = new ArrayList<>(ready(set, "web-r1", 0, 2));
        pods.add(pod(set, 1, "web-r1", "failed"));
        sync(set, pods);
        assertThat(control.calls).containsExactly("delete web-1");
        control.calls.clear();
        sync(set, ready(set, "web-r1", 0, 2)); // web-1 gone
        assertThat(control.calls).containsExactly("create web-1");
    }

    @Test
    void aStaleClaimHoldsBackThePodsCreation() {
        StatefulSet set = set(1, "");
        control.staleClaims.add("web-0");
        sync(set, List.of());
        assertThat(control.calls).isEmpty();
    }

    @Test
    void anAlreadyExistingPodIsNotAnError() {
        StatefulSet set = set(1, "");
        control.createError = ApiStatusException.of(409,
                new io.fabric8.kubernetes.api.model.StatusBuilder().withReason("AlreadyExists").build(), "exists");
        assertThat(sync(set, List.of()).error()).isNull();
        control.createError = ApiStatusException.of(500, null, "boom");
        StatefulSetUpdater.Outcome o = sync(set, List.of());
        assertThat(o.error()).hasMessageContaining("boom");
        assertThat(o.status().getObservedGeneration()).isEqualTo(4L); // the status is still written
    }

    @Test
    void scaleDownDeletesTheHighestOrdinalFirstOneAtATime() {
        StatefulSet set = set(2, "");
        sync(set, ready(set, "web-r1", 0, 1, 2, 3));
        assertThat(control.calls).containsExactly("delete web-3");
        control.calls.clear();
        List<Pod> pods = new ArrayList<>(ready(set, "web-r1", 0, 1, 2));
        pods.add(pod(set, 3, "web-r1", "terminating"));
        sync(set, pods);
        assertThat(control.calls).isEmpty(); // waits for web-3 to be gone
    }

    @Test
    void anUnhealthyPodBlocksOrderedScaleDownButNotParallel() {
        StatefulSet set = set(2, "");
        List<Pod> pods = new ArrayList<>(ready(set, "web-r1", 0, 2, 3));
        pods.add(pod(set, 1, "web-r1", "pending"));
        sync(set, pods);
        assertThat(control.calls).containsExactly("claims web-1");

        StatefulSet parallel = set(2, "  podManagementPolicy: Parallel\n");
        control.calls.clear();
        sync(parallel, pods);
        assertThat(control.calls).containsExactly("claims web-1", "delete web-3", "delete web-2");
    }

    @Test
    void aRollingUpdateReplacesFromTheHighestOrdinalDown() {
        StatefulSet set = set(3, "");
        StatefulSetUpdater.Outcome o = sync(set, ready(set, "web-r1", 0, 1, 2), "web-r1", "web-r2");
        assertThat(control.calls).containsExactly("delete web-2");
        assertThat(o.status().getCurrentReplicas()).isEqualTo(2);
        assertThat(o.status().getCurrentRevision()).isEqualTo("web-r1");
        assertThat(o.status().getUpdateRevision()).isEqualTo("web-r2");

        control.calls.clear();
        List<Pod> pods = new ArrayList<>(ready(set, "web-r1", 0, 1));
        pods.add(pod(set, 2, "web-r2", "pending"));
        sync(set, pods, "web-r1", "web-r2");
        assertThat(control.calls).containsExactly("claims web-2"); // waits for the updated web-2

        control.calls.clear();
        pods = new ArrayList<>(ready(set, "web-r1", 0, 1));
        pods.addAll(ready(set, "web-r2", 2));
        sync(set, pods, "web-r1", "web-r2");
        assertThat(control.calls).containsExactly("delete web-1");

        control.calls.clear();
        o = sync(set, ready(set, "web-r2", 0, 1, 2), "web-r1", "web-r2");
        assertThat(control.calls).isEmpty();
        assertThat(o.status().getCurrentRevision()).isEqualTo("web-r2"); // the rollout completed
        assertThat(o.status().getCurrentReplicas()).isEqualTo(3);
    }

    @Test
    void aPartitionKeepsTheLowerOrdinalsAtTheCurrentRevision() {
        StatefulSet set = set(3, "  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}\n");
        List<Pod> pods = new ArrayList<>(ready(set, "web-r1", 0, 1));
        pods.addAll(ready(set, "web-r2", 2));
        StatefulSetUpdater.Outcome o = sync(set, pods, "web-r1", "web-r2");
        assertThat(control.calls).isEmpty();
        assertThat(o.status().getCurrentRevision()).isEqualTo("web-r1");
        assertThat(o.status().getUpdatedReplicas()).isEqualTo(1);
        // a deleted pod below the partition comes back at the current revision, above it at the update revision
        assertThat(StatefulSetPods.revision(StatefulSetUpdater.newVersionedPod(set, set, set, "web-r1", "web-r2", 1)))
                .isEqualTo("web-r1");
        assertThat(StatefulSetPods.revision(StatefulSetUpdater.newVersionedPod(set, set, set, "web-r1", "web-r2", 2)))
                .isEqualTo("web-r2");
    }

    @Test
    void maxUnavailableReplacesSeveralPodsAtOnceCountingThoseDown() {
        StatefulSet set = set(4, "  podManagementPolicy: Parallel\n"
                + "  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2, maxUnavailable: 50%}}\n");
        sync(set, ready(set, "web-r1", 0, 1, 2, 3), "web-r1", "web-r2");
        assertThat(control.calls).containsExactly("delete web-3", "delete web-2");

        control.calls.clear();
        List<Pod> pods = new ArrayList<>(ready(set, "web-r1", 0, 1, 2));
        pods.add(pod(set, 3, "web-r2", "pending")); // one down already: one more may go
        sync(set, pods, "web-r1", "web-r2");
        assertThat(control.calls).containsExactly("claims web-3", "delete web-2");

        control.calls.clear();
        pods = new ArrayList<>(ready(set, "web-r1", 0, 1));
        pods.addAll(ready(set, "web-r2", 2, 3));
        sync(set, pods, "web-r1", "web-r2");
        assertThat(control.calls).isEmpty(); // web-1 is below the partition

        assertThat(StatefulSetUpdater.maxUnavailable(set(4, "  updateStrategy: {rollingUpdate: {maxUnavailable: 10%}}\n"), 4))
                .isEqualTo(1); // rounds down, at least one
        assertThat(StatefulSetUpdater.maxUnavailable(set(4, ""), 4)).isNull();
    }

    @Test
    void onDeleteReplacesNothingButRecreatesAtTheUpdateRevision() {
        StatefulSet set = set(3, "  updateStrategy: {type: OnDelete}\n");
        sync(set, ready(set, "web-r1", 0, 1, 2), "web-r1", "web-r2");
        assertThat(control.calls).isEmpty();
        List<Pod> pods = new ArrayList<>(ready(set, "web-r1", 0, 2));
        sync(set, pods, "web-r1", "web-r2");
        assertThat(control.calls).containsExactly("create web-1");
        assertThat(StatefulSetPods.revision(StatefulSetUpdater.newVersionedPod(set, set, set, "web-r1", "web-r2", 1)))
                .isEqualTo("web-r2");
    }

    @Test
    void aPodThatLostItsIdentityIsUpdated() {
        StatefulSet set = set(1, "");
        Pod p = pod(set, 0, "web-r1", "ready");
        p.getMetadata().setLabels(Map.of("app", "web", StatefulSetPods.REVISION_LABEL, "web-r1"));
        sync(set, List.of(p));
        assertThat(control.calls).containsExactly("update web-0");
    }

    @Test
    void aSetBeingDeletedIsLeftToTheGarbageCollector() {
        StatefulSet set = set(3, "");
        set.getMetadata().setDeletionTimestamp("2026-11-28T09:00:00Z");
        StatefulSetUpdater.Outcome o = sync(set, ready(set, "web-r1", 0));
        assertThat(control.calls).isEmpty();
        assertThat(o.status().getReplicas()).isEqualTo(1);
    }

    @Test
    void statusCountsReadyCurrentAndUpdatedButNotTerminatingRevisions() {
        StatefulSet set = set(3, "");
        List<Pod> pods = new ArrayList<>(ready(set, "web-r1", 0));
        pods.addAll(ready(set, "web-r2", 1));
        pods.add(pod(set, 2, "web-r1", "terminating"));
        var s = StatefulSetUpdater.computeStatus(pods, 0, NOW, "web-r1", "web-r2");
        assertThat(s.getReplicas()).isEqualTo(3);
        assertThat(s.getReadyReplicas()).isEqualTo(2);
        assertThat(s.getAvailableReplicas()).isEqualTo(2);
        assertThat(s.getCurrentReplicas()).isEqualTo(1);
        assertThat(s.getUpdatedReplicas()).isEqualTo(1);
    }
}
