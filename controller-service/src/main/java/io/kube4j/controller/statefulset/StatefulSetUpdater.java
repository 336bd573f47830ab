package io.kube4j.controller.statefulset;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.kube4j.client.ApiStatusException;

/**
 * One sync of a StatefulSet's pods, as Kubernetes' {@code defaultStatefulSetControl.updateStatefulSet}: given the
 * set at its current and update revisions and its pods, it creates the missing ordinals, deletes failed pods (to be
 * recreated under the same name), deletes the condemned ordinals (beyond the replicas) from the highest down, and in
 * a RollingUpdate deletes the highest-ordinal pod not at the update revision (down to {@code partition}), one at a
 * time and only once the rest are healthy. With {@code podManagementPolicy: OrderedReady} (monotonic) it does one
 * thing per sync and waits for each pod to be Running and Ready (and available for {@code minReadySeconds}) before
 * the next; {@code Parallel} creates and deletes all at once. With {@code rollingUpdate.maxUnavailable} set (Kubernetes'
 * MaxUnavailableStatefulSet) it replaces up to that many pods at once. Its outcome is the status the pods give, which the
 * caller writes even when a call failed.
 */
final class StatefulSetUpdater {

    private final StatefulPodControl control;

    StatefulSetUpdater(StatefulPodControl control) {
        this.control = control;
    }

    /** The status after the sync, the error a call met (or null), and when to look again for minReadySeconds. */
    record Outcome(StatefulSetStatus status, RuntimeException error, Duration requeueAfter) {
    }

    /**
     * @param set             the live set (strategy, replicas, policy)
     * @param currentSet      the set with the current revision's template
     * @param updateSet       the set with the update revision's template
     * @param currentRevision the current revision's name
     * @param updateRevision  the update revision's name
     * @param pods            the pods the set owns (claimed), in any order
     */
    Outcome update(StatefulSet set, StatefulSet currentSet, StatefulSet updateSet, String currentRevision,
            String updateRevision, int collisionCount, List<Pod> pods, Instant now) {
        int minReady = set.getSpec().getMinReadySeconds() == null ? 0 : set.getSpec().getMinReadySeconds();
        StatefulSetStatus status = computeStatus(pods, minReady, now, currentRevision, updateRevision);
        status.setObservedGeneration(set.getMetadata().getGeneration());
        status.setCurrentRevision(currentRevision);
        status.setUpdateRevision(updateRevision);
        status.setCollisionCount(collisionCount);
        Duration requeue = null;
        for (Pod p : pods) {
            if (minReady > 0 && StatefulSetPods.isRunningAndReady(p)
                    && !StatefulSetPods.isRunningAndAvailable(p, minReady, now)) {
                requeue = Duration.ofSeconds(minReady);
            }
        }
        try {
            sync(set, currentSet, updateSet, currentRevision, updateRevision, pods, status, minReady, now);
            return new Outcome(completeRollingUpdate(set, status), null, requeue);
        } catch (RuntimeException e) {
            return new Outcome(completeRollingUpdate(set, status), e, requeue);
        }
    }

    private void sync(StatefulSet set, StatefulSet currentSet, StatefulSet updateSet, String currentRevision,
            String updateRevision, List<Pod> pods, StatefulSetStatus status, int minReady, Instant now) {
        int n = StatefulSetPods.replicas(set);
        int start = StatefulSetPods.startOrdinal(set);
        Pod[] replicas = new Pod[n];
        List<Pod> condemned = new ArrayList<>();
        for (Pod p : pods) {
            int ord = StatefulSetPods.ordinal(p);
            if (StatefulSetPods.inRange(set, ord)) {
                replicas[ord - start] = p;
            } else if (ord >= 0) {
                condemned.add(p);
            }
        }
        for (int i = 0; i < n; i++) {
            if (replicas[i] == null) {
                replicas[i] = newVersionedPod(set, currentSet, updateSet, currentRevision, updateRevision, i + start);
            }
        }
        condemned.sort(Comparator.comparingInt((Pod p) -> StatefulSetPods.ordinal(p)).reversed());
        Pod firstUnhealthy = null;
        for (Pod p : replicas) {
            if (!StatefulSetPods.isHealthy(p)) {
                firstUnhealthy = p;
                break;
            }
        }
        if (firstUnhealthy == null) {
            for (Pod p : condemned) {
                if (!StatefulSetPods.isHealthy(p)) {
                    firstUnhealthy = p;
                    break;
                }
            }
        }
        if (set.getMetadata().getDeletionTimestamp() != null) {
            return; // the garbage collector removes the pods
        }
        boolean monotonic = !"Parallel".equals(set.getSpec().getPodManagementPolicy());
        RuntimeException parallelError = null;
        for (int i = 0; i < n; i++) {
            try {
                if (processReplica(set, updateSet, currentSet, currentRevision, updateRevision, replicas, i, status,
                        monotonic, minReady, now)) {
                    return;
                }
            } catch (RuntimeException e) {
                if (monotonic) {
                    throw e;
                }
                parallelError = parallelError == null ? e : parallelError;
            }
        }
        if (parallelError != null) {
            throw parallelError;
        }
        // a condemned pod's claims follow the whenScaled policy before the pod goes
        for (Pod p : condemned) {
            if (!control.claimsMatchRetentionPolicy(updateSet, p)) {
                control.updateClaimsForRetentionPolicy(updateSet, p);
            }
        }
        for (Pod p : condemned) {
            if (StatefulSetPods.isTerminating(p)) {
                if (monotonic) {
                    return; // wait for it to be gone before the next
                }
                continue;
            }
            if (monotonic && p != firstUnhealthy && (!StatefulSetPods.isRunningAndReady(p)
                    || !StatefulSetPods.isRunningAndAvailable(p, minReady, now))) {
                return; // an unhealthy pod elsewhere blocks scale-down; the first unhealthy may go
            }
            try {
                control.deletePod(set, p);
            } catch (RuntimeException e) {
                if (monotonic) {
                    throw e;
                }
                parallelError = parallelError == null ? e : parallelError;
                continue;
            }
            if (monotonic) {
                return;
            }
        }
        if (parallelError != null) {
            throw parallelError;
        }
        if (!rollingUpdate(set)) {
            return; // OnDelete: pods take the update revision when someone deletes them
        }
        int updateMin = partition(set);
        Integer maxUnavailable = maxUnavailable(set, n);
        if (maxUnavailable != null) {
            // Kubernetes' MaxUnavailableStatefulSet: replace up to maxUnavailable pods at once, counting those down
            int unavailable = 0;
            for (Pod p : replicas) {
                if (!StatefulSetPods.isHealthy(p) || !StatefulSetPods.isRunningAndAvailable(p, minReady, now)) {
                    unavailable++;
                }
            }
            int deleted = 0;
            for (int target = n - 1; target >= updateMin && deleted < maxUnavailable - unavailable; target--) {
                Pod p = replicas[target];
                if (!updateRevision.equals(StatefulSetPods.revision(p)) && !StatefulSetPods.isTerminating(p)) {
                    control.deletePod(set, p);
                    status.setCurrentReplicas(status.getCurrentReplicas() - 1);
                    deleted++;
                }
            }
            return;
        }
        for (int target = n - 1; target >= updateMin; target--) {
            Pod p = replicas[target];
            if (!updateRevision.equals(StatefulSetPods.revision(p)) && !StatefulSetPods.isTerminating(p)) {
                control.deletePod(set, p);
                status.setCurrentReplicas(status.getCurrentReplicas() - 1);
                return;
            }
            if (!StatefulSetPods.isHealthy(p)) {
                return; // wait for it before touching a lower ordinal
            }
        }
    }

    /** Returns true when the sync must stop here (Kubernetes' processReplica's shouldExit). */
    private boolean processReplica(StatefulSet set, StatefulSet updateSet, StatefulSet currentSet,
            String currentRevision, String updateRevision, Pod[] replicas, int i, StatefulSetStatus status,
            boolean monotonic, int minReady, Instant now) {
        Pod pod = replicas[i];
        if (StatefulSetPods.isFailed(pod) || StatefulSetPods.isSucceeded(pod)) {
            if (!StatefulSetPods.isTerminating(pod)) {
                control.deletePod(set, pod);
            }
            return true; // recreated by a later sync once it is gone
        }
        if (!StatefulSetPods.isCreated(pod)) {
            if (control.podClaimIsStale(set, pod)) {
                return true; // a claim still owned by the previous pod: wait for the garbage collector
            }
            try {
                control.createPod(set, pod);
            } catch (ApiStatusException.AlreadyExists e) {
                return true; // our cache is behind; the watch brings it
            }
            status.setReplicas(status.getReplicas() + 1);
            if (currentRevision.equals(StatefulSetPods.revision(pod))) {
                status.setCurrentReplicas(status.getCurrentReplicas() + 1);
            }
            if (updateRevision.equals(StatefulSetPods.revision(pod))) {
                status.setUpdatedReplicas(status.getUpdatedReplicas() + 1);
            }
            return monotonic;
        }
        if (pod.getStatus() != null && "Pending".equals(pod.getStatus().getPhase())) {
            control.createMissingClaims(set, pod); // e.g. a claim deleted under a pending pod
        }
        if (StatefulSetPods.isTerminating(pod) && monotonic) {
            return true;
        }
        if (monotonic && !StatefulSetPods.isRunningAndReady(pod)) {
            return true;
        }
        if (monotonic && !StatefulSetPods.isRunningAndAvailable(pod, minReady, now)) {
            return true;
        }
        if (StatefulSetPods.isTerminating(pod)) {
            return false;
        }
        if (StatefulSetPods.identityMatches(set, pod) && StatefulSetPods.storageMatches(set, pod)
                && control.claimsMatchRetentionPolicy(updateSet, pod)) {
            return false;
        }
        control.updatePod(updateSet, pod);
        return false;
    }

    /** A pod of {@code ordinal} at the current revision below the partition, else at the update revision. */
    static Pod newVersionedPod(StatefulSet set, StatefulSet currentSet, StatefulSet updateSet, String currentRevision,
            String updateRevision, int ordinal) {
        if (rollingUpdate(set)) {
            var ru = set.getSpec().getUpdateStrategy() == null ? null : set.getSpec().getUpdateStrategy().getRollingUpdate();
            int start = StatefulSetPods.startOrdinal(set);
            int currentReplicas = set.getStatus() == null || set.getStatus().getCurrentReplicas() == null ? 0
                    : set.getStatus().getCurrentReplicas();
            if ((ru == null && ordinal < start + currentReplicas) || (ru != null && ordinal < start + partition(set))) {
                return StatefulSetPods.newPod(currentSet, ordinal, currentRevision);
            }
        }
        return StatefulSetPods.newPod(updateSet, ordinal, updateRevision);
    }

    /** Counts replicas, ready, available, current and updated ({@code computeReplicaStatus}). */
    static StatefulSetStatus computeStatus(List<Pod> pods, int minReady, Instant now, String currentRevision,
            String updateRevision) {
        int replicas = 0;
        int ready = 0;
        int available = 0;
        int current = 0;
        int updated = 0;
        for (Pod p : pods) {
            replicas++;
            if (StatefulSetPods.isRunningAndReady(p)) {
                ready++;
                if (StatefulSetPods.isRunningAndAvailable(p, minReady, now)) {
                    available++;
                }
            }
            if (!StatefulSetPods.isTerminating(p)) {
                String rev = StatefulSetPods.revision(p);
                if (currentRevision.equals(rev)) {
                    current++;
                }
                if (updateRevision.equals(rev)) {
                    updated++;
                }
            }
        }
        StatefulSetStatus s = new StatefulSetStatus();
        s.setReplicas(replicas);
        s.setReadyReplicas(ready);
        s.setAvailableReplicas(available);
        s.setCurrentReplicas(current);
        s.setUpdatedReplicas(updated);
        return s;
    }

    /** When every replica is updated and ready, the update revision becomes the current one. */
    static StatefulSetStatus completeRollingUpdate(StatefulSet set, StatefulSetStatus s) {
        int n = StatefulSetPods.replicas(set);
        if (rollingUpdate(set) && s.getUpdatedReplicas() == n && s.getReadyReplicas() == n && s.getReplicas() == n) {
            s.setCurrentReplicas(s.getUpdatedReplicas());
            s.setCurrentRevision(s.getUpdateRevision());
        }
        return s;
    }

    static boolean rollingUpdate(StatefulSet set) {
        var st = set.getSpec().getUpdateStrategy();
        return st == null || st.getType() == null || "RollingUpdate".equals(st.getType());
    }

    /**
     * {@code rollingUpdate.maxUnavailable} scaled to {@code replicas} (a percentage rounds down, at least 1), or null
     * when unset: then one pod at a time, each waiting for the higher ones to be healthy.
     */
    static Integer maxUnavailable(StatefulSet set, int replicas) {
        var st = set.getSpec().getUpdateStrategy();
        var v = st == null || st.getRollingUpdate() == null ? null : st.getRollingUpdate().getMaxUnavailable();
        if (v == null || v.getValue() == null) {
            return null;
        }
        int n;
        if (v.getValue() instanceof Integer i) {
            n = i;
        } else {
            String s = String.valueOf(v.getValue());
            try {
                n = s.endsWith("%") ? (int) Math.floor(Integer.parseInt(s.substring(0, s.length() - 1))
                        * (double) replicas / 100) : Integer.parseInt(s);
            } catch (NumberFormatException e) {
                n = 1; // the apiserver rejects it; an object stored before that validation rolls one at a time
            }
        }
        return Math.max(n, 1);
    }

    static int partition(StatefulSet set) {
        var st = set.getSpec().getUpdateStrategy();
        if (st == null || st.getRollingUpdate() == null || st.getRollingUpdate().getPartition() == null) {
            return 0;
        }
        return st.getRollingUpdate().getPartition();
    }
}
