package io.kube4j.controller.common;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

/**
 * Pod predicates the workload controllers share, as Kubernetes' {@code podutil} and {@code controller_utils.go}:
 * readiness, availability after {@code minReadySeconds}, activeness, and the order in which a controller scaling down
 * deletes pods ({@code ActivePodsWithRanks}).
 */
public final class Pods {

    /** The annotation whose integer value ranks pods for deletion (lower goes first), Kubernetes' PodDeletionCost. */
    public static final String DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";

    private Pods() {
    }

    /** The {@code Ready} condition, or null. */
    public static PodCondition readyCondition(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return c;
            }
        }
        return null;
    }

    /** Whether the pod's {@code Ready} condition is {@code True}. */
    public static boolean isReady(Pod pod) {
        PodCondition c = readyCondition(pod);
        return c != null && "True".equals(c.getStatus());
    }

    /** When the pod last became ready, or null if it is not ready (or does not say). */
    public static Instant readySince(Pod pod) {
        PodCondition c = readyCondition(pod);
        if (c == null || !"True".equals(c.getStatus())) {
            return null;
        }
        return parseTime(c.getLastTransitionTime());
    }

    /**
     * Whether the pod has been ready for at least {@code minReadySeconds} at {@code now} (Kubernetes'
     * {@code IsPodAvailable}: any ready pod when {@code minReadySeconds} is zero).
     */
    public static boolean isAvailable(Pod pod, int minReadySeconds, Instant now) {
        if (!isReady(pod)) {
            return false;
        }
        if (minReadySeconds <= 0) {
            return true;
        }
        Instant since = readySince(pod);
        return since != null && since.plusSeconds(minReadySeconds).isBefore(now);
    }

    /** Neither finished (Succeeded/Failed) nor being deleted: Kubernetes' {@code IsPodActive}. */
    public static boolean isActive(Pod pod) {
        String phase = phase(pod);
        return !"Succeeded".equals(phase) && !"Failed".equals(phase)
                && pod.getMetadata().getDeletionTimestamp() == null;
    }

    /** The active pods of {@code pods}, in order. */
    public static List<Pod> filterActive(List<Pod> pods) {
        List<Pod> out = new ArrayList<>(pods.size());
        for (Pod p : pods) {
            if (isActive(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** The pod's key in caches and expectations: {@code namespace/name}. */
    public static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    /** The pod's deletion cost annotation; zero when absent or not an int32, as Kubernetes. */
    public static int deletionCost(Pod pod) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        String v = a == null ? null : a.get(DELETION_COST_ANNOTATION);
        if (v == null) {
            return 0;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The highest restart count of the pod's containers. */
    public static int maxContainerRestarts(Pod pod) {
        int max = 0;
        if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
            for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
                if (s.getRestartCount() != null) {
                    max = Math.max(max, s.getRestartCount());
                }
            }
        }
        return max;
    }

    /**
     * Kubernetes' {@code ActivePodsWithRanks.Less}: the order in which pods are deleted, least valuable first.
     * {@code rank} is how many related pods share the pod's node (more goes first); {@code now} drives the
     * logarithmic comparison of ages (Kubernetes' LogarithmicScaleDown: pods whose ages are within the same power of
     * two of seconds count as equally old, and are then ordered by uid, so scale-down spreads over old pods).
     * <ol>
     * <li>unassigned &lt; assigned</li>
     * <li>Pending &lt; Unknown &lt; Running</li>
     * <li>not ready &lt; ready</li>
     * <li>lower deletion cost &lt; higher</li>
     * <li>higher rank (more co-located related pods) &lt; lower</li>
     * <li>ready for a shorter time &lt; longer</li>
     * <li>more container restarts &lt; fewer</li>
     * <li>newer &lt; older (no creation time first)</li>
     * </ol>
     */
    public static Comparator<Ranked> deletionOrder(Instant now) {
        return (a, b) -> compareForDeletion(a, b, now);
    }

    /** A pod and its co-location rank. */
    public record Ranked(Pod pod, int rank) {
    }

    static int compareForDeletion(Ranked ri, Ranked rj, Instant now) {
        Pod i = ri.pod();
        Pod j = rj.pod();
        // 1. unassigned < assigned
        boolean ai = !isBlank(i.getSpec() == null ? null : i.getSpec().getNodeName());
        boolean aj = !isBlank(j.getSpec() == null ? null : j.getSpec().getNodeName());
        if (ai != aj) {
            return ai ? 1 : -1;
        }
        // 2. Pending < Unknown < Running
        int pi = phaseOrdinal(phase(i));
        int pj = phaseOrdinal(phase(j));
        if (pi != pj) {
            return Integer.compare(pi, pj);
        }
        // 3. not ready < ready
        boolean readyI = isReady(i);
        boolean readyJ = isReady(j);
        if (readyI != readyJ) {
            return readyI ? 1 : -1;
        }
        // 4. lower deletion cost < higher
        int ci = deletionCost(i);
        int cj = deletionCost(j);
        if (ci != cj) {
            return Integer.compare(ci, cj);
        }
        // 5. doubled up (more related pods on the same node) < not
        if (ri.rank() != rj.rank()) {
            return Integer.compare(rj.rank(), ri.rank());
        }
        // 6. ready for a shorter time < longer
        if (readyI && readyJ) {
            int c = compareTimes(readySince(i), readySince(j), now);
            if (c != 0) {
                return c;
            }
        }
        // 7. more restarts < fewer
        int mi = maxContainerRestarts(i);
        int mj = maxContainerRestarts(j);
        if (mi != mj) {
            return Integer.compare(mj, mi);
        }
        // 8. newer < older
        int c = compareTimes(parseTime(i.getMetadata().getCreationTimestamp()),
                parseTime(j.getMetadata().getCreationTimestamp()), now);
        if (c != 0 || now == null) {
            return c;
        }
        // 9. with the logarithmic comparison: pods alike so far, ages in the same power of two, in uid order
        return String.valueOf(i.getMetadata().getUid()).compareTo(String.valueOf(j.getMetadata().getUid()));
    }

    /**
     * Later (or missing) first; with {@code now}, times whose ages fall in the same power of two are equal here.
     * Kubernetes breaks such ties by uid on the spot (steps 6 and 8), which is not a transitive order when some
     * times are exactly equal (those fall through to the next step): Go's sort tolerates that, Java's TimSort rejects
     * it. Here the uid is the last step instead, so the order is total (a pod pair that differs only in the uid and in
     * times within one power of two is still decided by the uid).
     */
    private static int compareTimes(Instant ti, Instant tj, Instant now) {
        if (now == null || ti == null || tj == null) {
            return afterOrZero(ti, tj) ? -1 : afterOrZero(tj, ti) ? 1 : 0;
        }
        return Integer.compare(log2Rank(now, ti), log2Rank(now, tj));
    }

    /** Kubernetes' {@code afterOrZero}: t1 is missing, or (both present) after t2. */
    private static boolean afterOrZero(Instant t1, Instant t2) {
        if (t1 == null || t2 == null) {
            return t1 == null;
        }
        return t1.isAfter(t2);
    }

    /** floor(log2(age in nanoseconds)), -1 for a non-positive age, as Kubernetes' logarithmicRankDiff. */
    private static int log2Rank(Instant now, Instant t) {
        long d = Duration.between(t, now).toNanos();
        if (d <= 0) {
            return -1;
        }
        return 63 - Long.numberOfLeadingZeros(d);
    }

    private static int phaseOrdinal(String phase) {
        if ("Unknown".equals(phase)) {
            return 1;
        }
        if ("Running".equals(phase)) {
            return 2;
        }
        return 0; // Pending, and anything else, as Kubernetes' map lookup
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isEmpty();
    }

    /** An RFC 3339 time as the API writes it, or null. */
    public static Instant parseTime(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (RuntimeException e) {
            return java.time.OffsetDateTime.parse(s).toInstant();
        }
    }
}
