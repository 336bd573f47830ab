package io.kube4j.controller.daemon;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDaemonSet;
import io.kube4j.controller.common.Pods;
import io.kube4j.controller.deployment.DeploymentUtil;

/**
 * The RollingUpdate arithmetic of Kubernetes' {@code pkg/controller/daemon/update.go}, free of I/O so it can be unit
 * tested: given each eligible node's daemon pods and the current revision's hash, which old pods to delete and on
 * which nodes to start an updated pod now.
 */
public final class DaemonSetUpdate {

    /** The pod label naming the revision a daemon pod was made from. */
    public static final String HASH_LABEL = "controller-revision-hash";

    private DaemonSetUpdate() {
    }

    /** What one rolling-update step does. */
    public record Plan(List<Pod> oldPodsToDelete, List<String> nodesToCreate) {
    }

    /**
     * {@code [maxSurge, maxUnavailable]} of {@code ds} against {@code desired} nodes; percentages round up, and when
     * both come to zero one pod may be unavailable ({@code updatedDesiredNodeCounts}).
     */
    public static int[] limits(DaemonSet ds, int desired) {
        RollingUpdateDaemonSet ru = ds.getSpec().getUpdateStrategy() == null ? null
                : ds.getSpec().getUpdateStrategy().getRollingUpdate();
        IntOrString surge = ru == null || ru.getMaxSurge() == null ? new IntOrString(0) : ru.getMaxSurge();
        IntOrString unavailable = ru == null || ru.getMaxUnavailable() == null ? new IntOrString(1)
                : ru.getMaxUnavailable();
        int s = DeploymentUtil.scaled(surge, desired, true);
        int u = DeploymentUtil.scaled(unavailable, desired, true);
        if (s == 0 && u == 0) {
            u = 1;
        }
        return new int[] {s, u};
    }

    /**
     * One step of the rolling update over {@code podsByNode} (only the nodes that should run the daemon, in a stable
     * order). Without surge, unavailable old pods are deleted at once and available ones while fewer than
     * {@code maxUnavailable} nodes lack an available pod (the next sync creates their replacements); with surge, a new
     * pod is started beside an available old pod while fewer than {@code maxSurge} such pairs exist, and the old pod
     * is deleted once the new one is available.
     */
    public static Plan plan(Map<String, List<Pod>> podsByNode, String hash, int maxSurge, int maxUnavailable,
                            int minReadySeconds, Instant now) {
        List<Pod> delete = new ArrayList<>();
        List<String> create = new ArrayList<>();
        if (maxSurge == 0) {
            int numUnavailable = 0;
            List<Pod> candidates = new ArrayList<>();
            for (Map.Entry<String, List<Pod>> e : podsByNode.entrySet()) {
                Pod[] no = newAndOld(e.getValue(), hash);
                if (no == null) {
                    numUnavailable++; // several pods of one kind: the sync's manage step cleans up first
                    continue;
                }
                Pod newPod = no[0];
                Pod oldPod = no[1];
                if (oldPod == null) {
                    if (newPod == null || !Pods.isAvailable(newPod, minReadySeconds, now)) {
                        numUnavailable++;
                    }
                } else if (newPod != null) {
                    if (!Pods.isAvailable(newPod, minReadySeconds, now)) {
                        numUnavailable++;
                    }
                } else if (!Pods.isAvailable(oldPod, minReadySeconds, now)) {
                    delete.add(oldPod); // replacing an unavailable pod costs no availability
                } else if (numUnavailable < maxUnavailable) {
                    candidates.add(oldPod);
                }
            }
            int remaining = Math.max(0, maxUnavailable - numUnavailable);
            delete.addAll(candidates.subList(0, Math.min(remaining, candidates.size())));
            return new Plan(delete, create);
        }
        int numSurge = 0;
        List<String> candidateNodes = new ArrayList<>();
        for (Map.Entry<String, List<Pod>> e : podsByNode.entrySet()) {
            Pod[] no = newAndOld(e.getValue(), hash);
            if (no == null || no[1] == null) {
                continue;
            }
            Pod newPod = no[0];
            Pod oldPod = no[1];
            if (newPod == null) {
                if (!Pods.isAvailable(oldPod, minReadySeconds, now)) {
                    create.add(e.getKey());
                } else if (numSurge < maxSurge) {
                    candidateNodes.add(e.getKey());
                }
            } else {
                numSurge++;
                if (Pods.isAvailable(newPod, minReadySeconds, now)) {
                    delete.add(oldPod);
                }
            }
        }
        int remaining = Math.max(0, maxSurge - numSurge);
        create.addAll(candidateNodes.subList(0, Math.min(remaining, candidateNodes.size())));
        return new Plan(delete, create);
    }

    /** {@code [newPod, oldPod]} on a node, or null when it has more than one of either ({@code findUpdatedPodsOnNode}). */
    static Pod[] newAndOld(List<Pod> pods, String hash) {
        Pod newPod = null;
        Pod oldPod = null;
        for (Pod p : pods) {
            if (p.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (isUpdated(p, hash)) {
                if (newPod != null) {
                    return null;
                }
                newPod = p;
            } else {
                if (oldPod != null) {
                    return null;
                }
                oldPod = p;
            }
        }
        return new Pod[] {newPod, oldPod};
    }

    /** Whether {@code pod} was made from the revision with {@code hash}. */
    public static boolean isUpdated(Pod pod, String hash) {
        Map<String, String> l = pod.getMetadata().getLabels();
        return l != null && hash.equals(l.get(HASH_LABEL));
    }
}
