package io.kube4j.controller.deployment;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.kube4j.api.codec.Codecs;

/**
 * The pure rules of the Deployment controller, after Kubernetes' {@code pkg/controller/deployment/util}: revision and
 * replica annotations, maxSurge/maxUnavailable resolution, how far a new ReplicaSet may be scaled up, proportions for
 * scaling during a rollout, conditions, and the ordering of ReplicaSets. No I/O; {@link DeploymentSync} does the writes.
 */
public final class DeploymentUtil {

    /** The revision of a ReplicaSet (and the latest revision of a Deployment). */
    public static final String REVISION = "deployment.kubernetes.io/revision";
    /** The earlier revisions a ReplicaSet had before a rollback made it new again. */
    public static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
    /** The Deployment's replicas when the ReplicaSet was last scaled by it. */
    public static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    /** The Deployment's replicas + maxSurge when the ReplicaSet was last scaled by it. */
    public static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
    /** The label that tells ReplicaSets (and their pods) of one Deployment apart. */
    public static final String POD_TEMPLATE_HASH = "pod-template-hash";
    /** Kubernetes' {@code maxRevHistoryLengthInChars}. */
    static final int MAX_REV_HISTORY_CHARS = 2000;

    public static final String RECREATE = "Recreate";
    public static final String ROLLING_UPDATE = "RollingUpdate";

    public static final String PROGRESSING = "Progressing";
    public static final String AVAILABLE = "Available";
    public static final String REPLICA_FAILURE = "ReplicaFailure";

    // Progressing reasons (Kubernetes' deploymentutil constants).
    public static final String NEW_RS_REASON = "NewReplicaSetCreated";
    public static final String FOUND_NEW_RS_REASON = "FoundNewReplicaSet";
    public static final String RS_UPDATED_REASON = "ReplicaSetUpdated";
    public static final String NEW_RS_AVAILABLE_REASON = "NewReplicaSetAvailable";
    public static final String TIMED_OUT_REASON = "ProgressDeadlineExceeded";
    public static final String PAUSED_REASON = "DeploymentPaused";
    public static final String RESUMED_REASON = "DeploymentResumed";
    public static final String FAILED_RS_CREATE_REASON = "ReplicaSetCreateError";
    // Available reasons.
    public static final String MIN_AVAILABLE_REASON = "MinimumReplicasAvailable";
    public static final String MIN_UNAVAILABLE_REASON = "MinimumReplicasUnavailable";

    /** Annotations of a Deployment that are not copied to its ReplicaSets. */
    private static final Set<String> ANNOTATIONS_TO_SKIP = Set.of(
            "kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY, DESIRED_REPLICAS,
            MAX_REPLICAS, "deprecated.deployment.rollback.to");

    private DeploymentUtil() {
    }

    // ---- replicas

    public static int replicas(Deployment d) {
        Integer r = d.getSpec().getReplicas();
        return r == null ? 1 : r;
    }

    public static int replicas(ReplicaSet rs) {
        Integer r = rs == null || rs.getSpec() == null ? null : rs.getSpec().getReplicas();
        return r == null ? 0 : r;
    }

    static int statusReplicas(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getReplicas() == null ? 0 : rs.getStatus().getReplicas();
    }

    static int statusAvailable(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getAvailableReplicas() == null ? 0
                : rs.getStatus().getAvailableReplicas();
    }

    static int statusReady(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getReadyReplicas() == null ? 0
                : rs.getStatus().getReadyReplicas();
    }

    /** Sum of {@code spec.replicas} (Kubernetes' GetReplicaCountForReplicaSets). */
    public static int specReplicas(Collection<ReplicaSet> rss) {
        int n = 0;
        for (ReplicaSet rs : rss) {
            if (rs != null) {
                n += replicas(rs);
            }
        }
        return n;
    }

    /** Sum of {@code status.replicas} (GetActualReplicaCountForReplicaSets). */
    public static int actualReplicas(Collection<ReplicaSet> rss) {
        int n = 0;
        for (ReplicaSet rs : rss) {
            if (rs != null) {
                n += statusReplicas(rs);
            }
        }
        return n;
    }

    /** Sum of {@code status.readyReplicas}. */
    public static int readyReplicas(Collection<ReplicaSet> rss) {
        int n = 0;
        for (ReplicaSet rs : rss) {
            if (rs != null) {
                n += statusReady(rs);
            }
        }
        return n;
    }

    /** Sum of {@code status.availableReplicas} (GetAvailableReplicaCountForReplicaSets). */
    public static int availableReplicas(Collection<ReplicaSet> rss) {
        int n = 0;
        for (ReplicaSet rs : rss) {
            if (rs != null) {
                n += statusAvailable(rs);
            }
        }
        return n;
    }

    /**
     * Available pods that will stay: a ReplicaSet's available count capped at its {@code spec.replicas}. A ReplicaSet
     * just scaled down still reports the pods it is about to delete as available until its controller catches up;
     * Kubernetes counts them, which lets a second scale-down decision in that window go below minAvailable. Capping
     * only ever makes the controller scale down less, never more.
     */
    static int lastingAvailable(Collection<ReplicaSet> rss) {
        int n = 0;
        for (ReplicaSet rs : rss) {
            if (rs != null) {
                n += Math.min(statusAvailable(rs), replicas(rs));
            }
        }
        return n;
    }

    /** ReplicaSets with {@code spec.replicas > 0} (FilterActiveReplicaSets); nulls dropped. */
    public static List<ReplicaSet> active(Collection<ReplicaSet> rss) {
        List<ReplicaSet> out = new ArrayList<>();
        for (ReplicaSet rs : rss) {
            if (rs != null && replicas(rs) > 0) {
                out.add(rs);
            }
        }
        return out;
    }

    // ---- strategy arithmetic

    public static boolean isRollingUpdate(Deployment d) {
        return d.getSpec().getStrategy() == null || d.getSpec().getStrategy().getType() == null
                || ROLLING_UPDATE.equals(d.getSpec().getStrategy().getType());
    }

    /**
     * An int-or-percent scaled against {@code total}: percentages round up for surge and down for unavailability
     * (Kubernetes' GetScaledValueFromIntOrPercent).
     */
    public static int scaled(IntOrString v, int total, boolean roundUp) {
        if (v == null) {
            return 0;
        }
        if (v.getIntVal() != null) {
            return v.getIntVal();
        }
        String s = v.getStrVal();
        if (s == null || !s.endsWith("%")) {
            throw new IllegalArgumentException("invalid value for IntOrString: invalid type: string is not a percentage: "
                    + s);
        }
        int pct;
        try {
            pct = Integer.parseInt(s.substring(0, s.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value \"" + s + "\": not an integer percentage");
        }
        long product = (long) pct * total;
        return (int) (roundUp ? -Math.floorDiv(-product, 100) : Math.floorDiv(product, 100));
    }

    /** {@code [maxSurge, maxUnavailable]} resolved against {@code desired} (ResolveFenceposts). */
    public static int[] resolveFenceposts(IntOrString maxSurge, IntOrString maxUnavailable, int desired) {
        int surge = scaled(maxSurge == null ? new IntOrString(0) : maxSurge, desired, true);
        int unavailable = scaled(maxUnavailable == null ? new IntOrString(0) : maxUnavailable, desired, false);
        if (surge == 0 && unavailable == 0) {
            // Validation refuses both zero, but a percentage may round down to zero: then allow one unavailable
            // pod, guessing there is more than one.
            unavailable = 1;
        }
        return new int[] {surge, unavailable};
    }

    /** maxSurge as a count (0 for Recreate). */
    public static int maxSurge(Deployment d) {
        if (!isRollingUpdate(d)) {
            return 0;
        }
        var ru = d.getSpec().getStrategy() == null ? null : d.getSpec().getStrategy().getRollingUpdate();
        return resolveFenceposts(ru == null ? null : ru.getMaxSurge(), ru == null ? null : ru.getMaxUnavailable(),
                replicas(d))[0];
    }

    /** maxUnavailable as a count, at most {@code replicas} (0 for Recreate or zero replicas). */
    public static int maxUnavailable(Deployment d) {
        if (!isRollingUpdate(d) || replicas(d) == 0) {
            return 0;
        }
        var ru = d.getSpec().getStrategy() == null ? null : d.getSpec().getStrategy().getRollingUpdate();
        int u = resolveFenceposts(ru == null ? null : ru.getMaxSurge(), ru == null ? null : ru.getMaxUnavailable(),
                replicas(d))[1];
        return Math.min(u, replicas(d));
    }

    /**
     * Pods there are or will be: per ReplicaSet the larger of {@code spec.replicas} and {@code status.replicas}.
     * Kubernetes sums {@code spec.replicas} alone, so right after it scaled an old ReplicaSet down it may scale the
     * new one up while the old pods are not yet being deleted, and for a moment more than replicas + maxSurge pods
     * run. Waiting until the old ReplicaSet's controller reports the lower count keeps the bound at every moment.
     */
    static int podsOrReplicas(Collection<ReplicaSet> rss) {
        int n = 0;
        for (ReplicaSet rs : rss) {
            if (rs != null) {
                n += Math.max(replicas(rs), statusReplicas(rs));
            }
        }
        return n;
    }

    /** How many replicas the new ReplicaSet should have now (NewRSNewReplicas, counting {@link #podsOrReplicas}). */
    public static int newRSNewReplicas(Deployment d, Collection<ReplicaSet> allRSs, ReplicaSet newRS) {
        if (!isRollingUpdate(d)) {
            return replicas(d);
        }
        int current = podsOrReplicas(allRSs);
        int maxTotal = replicas(d) + maxSurge(d);
        if (current >= maxTotal) {
            return replicas(newRS);
        }
        int scaleUp = Math.min(maxTotal - current, replicas(d) - replicas(newRS));
        return replicas(newRS) + scaleUp;
    }

    /** Whether the new ReplicaSet runs all the Deployment's replicas, all available (IsSaturated). */
    public static boolean isSaturated(Deployment d, ReplicaSet rs) {
        if (rs == null) {
            return false;
        }
        Integer desired = intAnnotation(rs, DESIRED_REPLICAS);
        return desired != null && desired == replicas(d) && replicas(rs) == replicas(d)
                && statusAvailable(rs) == replicas(d);
    }

    // ---- proportional scaling

    /**
     * How many replicas {@code rs} gets of {@code toAdd} (negative: removes), given {@code added} handed out already
     * (GetProportion).
     */
    public static int proportion(ReplicaSet rs, Deployment d, int toAdd, int added) {
        if (rs == null || replicas(rs) == 0 || toAdd == 0 || toAdd == added) {
            return 0;
        }
        int fraction = replicaSetFraction(rs, d);
        int allowed = toAdd - added;
        return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
    }

    /** The change {@code rs} should see so it keeps its share of the new size (getReplicaSetFraction). */
    static int replicaSetFraction(ReplicaSet rs, Deployment d) {
        if (replicas(d) == 0) {
            return -replicas(rs);
        }
        int deploymentReplicas = replicas(d) + maxSurge(d);
        Integer annotated = intAnnotation(rs, MAX_REPLICAS);
        int base = annotated != null ? annotated
                : (d.getStatus() == null || d.getStatus().getReplicas() == null ? 0 : d.getStatus().getReplicas());
        if (base == 0) {
            return 0; // Go divides by zero here (+Inf rounds to a huge int32); hand out nothing, leftovers go to the largest
        }
        double size = (double) replicas(rs) * deploymentReplicas / base;
        return (int) roundHalfAwayFromZero(size) - replicas(rs);
    }

    private static long roundHalfAwayFromZero(double v) {
        return v < 0 ? -Math.round(-v) : Math.round(v);
    }

    /**
     * The active ReplicaSet, or the newest when none is active; null when more than one is active
     * (FindActiveOrLatest).
     */
    public static ReplicaSet activeOrLatest(ReplicaSet newRS, List<ReplicaSet> oldRSs) {
        if (newRS == null && oldRSs.isEmpty()) {
            return null;
        }
        List<ReplicaSet> olds = new ArrayList<>(oldRSs);
        olds.sort(BY_CREATION.reversed());
        List<ReplicaSet> all = new ArrayList<>(olds);
        all.add(newRS);
        List<ReplicaSet> act = active(all);
        return switch (act.size()) {
            case 0 -> newRS != null ? newRS : olds.get(0);
            case 1 -> act.get(0);
            default -> null;
        };
    }

    // ---- annotations

    static Integer intAnnotation(ReplicaSet rs, String key) {
        Map<String, String> a = rs.getMetadata().getAnnotations();
        String v = a == null ? null : a.get(key);
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The revision of {@code rs}, 0 when none or unparseable. */
    public static long revision(ReplicaSet rs) {
        Map<String, String> a = rs.getMetadata().getAnnotations();
        String v = a == null ? null : a.get(REVISION);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public static long maxRevision(Collection<ReplicaSet> rss) {
        long max = 0;
        for (ReplicaSet rs : rss) {
            max = Math.max(max, revision(rs));
        }
        return max;
    }

    /** Whether {@code rs} lacks the desired/max replicas annotations for these values (ReplicasAnnotationsNeedUpdate). */
    public static boolean replicasAnnotationsNeedUpdate(ReplicaSet rs, int desired, int max) {
        Map<String, String> a = rs.getMetadata().getAnnotations();
        return a == null || !Integer.toString(desired).equals(a.get(DESIRED_REPLICAS))
                || !Integer.toString(max).equals(a.get(MAX_REPLICAS));
    }

    /** Sets the desired/max replicas annotations; whether anything changed. */
    public static boolean setReplicasAnnotations(ReplicaSet rs, int desired, int max) {
        Map<String, String> a = annotations(rs);
        boolean changed = !Integer.toString(desired).equals(a.get(DESIRED_REPLICAS))
                || !Integer.toString(max).equals(a.get(MAX_REPLICAS));
        a.put(DESIRED_REPLICAS, Integer.toString(desired));
        a.put(MAX_REPLICAS, Integer.toString(max));
        return changed;
    }

    private static Map<String, String> annotations(ReplicaSet rs) {
        if (rs.getMetadata().getAnnotations() == null) {
            rs.getMetadata().setAnnotations(new HashMap<>());
        }
        return rs.getMetadata().getAnnotations();
    }

    /**
     * Copies the Deployment's annotations to the new ReplicaSet, raises its revision to {@code newRevision} (keeping
     * the revision it had in {@code revision-history} when a rollback made it new again) and, when it is about to be
     * created, sets the replicas annotations; whether anything changed (SetNewReplicaSetAnnotations).
     */
    public static boolean setNewReplicaSetAnnotations(Deployment d, ReplicaSet newRS, String newRevision,
            boolean exists) {
        boolean changed = false;
        Map<String, String> a = annotations(newRS);
        Map<String, String> da = d.getMetadata().getAnnotations();
        if (da != null) {
            for (Map.Entry<String, String> e : da.entrySet()) {
                if (ANNOTATIONS_TO_SKIP.contains(e.getKey()) || Objects.equals(a.get(e.getKey()), e.getValue())) {
                    continue;
                }
                a.put(e.getKey(), e.getValue());
                changed = true;
            }
        }
        String oldRevision = a.get(REVISION);
        long oldRev;
        try {
            oldRev = oldRevision == null || oldRevision.isEmpty() ? 0 : Long.parseLong(oldRevision);
        } catch (NumberFormatException e) {
            return false; // Kubernetes leaves a ReplicaSet with a garbled revision alone
        }
        long newRev = Long.parseLong(newRevision);
        if (oldRev < newRev) {
            a.put(REVISION, newRevision);
            changed = true;
            if (oldRevision != null) {
                String history = a.get(REVISION_HISTORY);
                if (history == null || history.isEmpty()) {
                    a.put(REVISION_HISTORY, oldRevision);
                } else {
                    List<String> old = new ArrayList<>(List.of(history.split(",")));
                    int total = history.length() + oldRevision.length() + 1;
                    while (total > MAX_REV_HISTORY_CHARS && !old.isEmpty()) {
                        total -= old.remove(0).length() + 1;
                    }
                    if (total <= MAX_REV_HISTORY_CHARS) {
                        old.add(oldRevision);
                        a.put(REVISION_HISTORY, String.join(",", old));
                    }
                }
            }
        }
        if (!exists && setReplicasAnnotations(newRS, replicas(d), replicas(d) + maxSurge(d))) {
            changed = true;
        }
        return changed;
    }

    /** Sets the Deployment's revision annotation; whether it changed. */
    public static boolean setDeploymentRevision(Deployment d, String revision) {
        if (d.getMetadata().getAnnotations() == null) {
            d.getMetadata().setAnnotations(new HashMap<>());
        }
        return !Objects.equals(d.getMetadata().getAnnotations().put(REVISION, revision), revision);
    }

    // ---- templates

    /** Whether two pod templates are equal once the pod-template-hash label is ignored (EqualIgnoreHash). */
    public static boolean equalIgnoreHash(PodTemplateSpec a, PodTemplateSpec b) {
        return PodTemplateHash.canonicalJson(withoutHash(a)).equals(PodTemplateHash.canonicalJson(withoutHash(b)));
    }

    private static PodTemplateSpec withoutHash(PodTemplateSpec t) {
        PodTemplateSpec c = Codecs.json().convertValue(t, PodTemplateSpec.class);
        if (c.getMetadata() != null && c.getMetadata().getLabels() != null) {
            c.getMetadata().getLabels().remove(POD_TEMPLATE_HASH);
        }
        return c;
    }

    /** The oldest ReplicaSet whose template equals the Deployment's (FindNewReplicaSet), or null. */
    public static ReplicaSet findNewReplicaSet(Deployment d, List<ReplicaSet> rsList) {
        List<ReplicaSet> sorted = new ArrayList<>(rsList);
        sorted.sort(BY_CREATION);
        for (ReplicaSet rs : sorted) {
            if (equalIgnoreHash(rs.getSpec().getTemplate(), d.getSpec().getTemplate())) {
                return rs;
            }
        }
        return null;
    }

    /** Every ReplicaSet but the new one (FindOldReplicaSets' allOldRSs). */
    public static List<ReplicaSet> findOldReplicaSets(ReplicaSet newRS, List<ReplicaSet> rsList) {
        List<ReplicaSet> old = new ArrayList<>();
        for (ReplicaSet rs : rsList) {
            if (newRS != null && Objects.equals(rs.getMetadata().getUid(), newRS.getMetadata().getUid())) {
                continue;
            }
            old.add(rs);
        }
        return old;
    }

    // ---- orderings

    /** Oldest first, then by name (ReplicaSetsByCreationTimestamp). */
    public static final Comparator<ReplicaSet> BY_CREATION = Comparator
            .comparing((ReplicaSet rs) -> instant(rs.getMetadata().getCreationTimestamp()))
            .thenComparing(rs -> rs.getMetadata().getName());

    /** Larger first; ties older first (ReplicaSetsBySizeOlder). */
    public static final Comparator<ReplicaSet> BY_SIZE_OLDER = Comparator
            .comparingInt((ReplicaSet rs) -> -replicas(rs)).thenComparing(BY_CREATION);

    /** Larger first; ties newer first (ReplicaSetsBySizeNewer). */
    public static final Comparator<ReplicaSet> BY_SIZE_NEWER = Comparator
            .comparingInt((ReplicaSet rs) -> -replicas(rs)).thenComparing(BY_CREATION.reversed());

    /** Lower revision first; ties by creation (ReplicaSetsByRevision). */
    public static final Comparator<ReplicaSet> BY_REVISION = Comparator
            .comparingLong(DeploymentUtil::revision).thenComparing(BY_CREATION);

    static Instant instant(String ts) {
        if (ts == null || ts.isEmpty()) {
            return Instant.EPOCH;
        }
        return Instant.parse(ts);
    }

    // ---- conditions

    static String time(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    public static DeploymentCondition newCondition(String type, String status, String reason, String message,
            Instant now) {
        DeploymentCondition c = new DeploymentCondition();
        c.setType(type);
        c.setStatus(status);
        c.setReason(reason);
        c.setMessage(message);
        c.setLastUpdateTime(time(now));
        c.setLastTransitionTime(time(now));
        return c;
    }

    public static DeploymentCondition condition(DeploymentStatus status, String type) {
        if (status == null || status.getConditions() == null) {
            return null;
        }
        for (DeploymentCondition c : status.getConditions()) {
            if (type.equals(c.getType())) {
                return c;
            }
        }
        return null;
    }

    /**
     * Sets {@code c}, unless one of its type with the same status and reason is there; keeps the transition time when
     * the status did not change (SetDeploymentCondition).
     */
    public static void setCondition(DeploymentStatus status, DeploymentCondition c) {
        DeploymentCondition current = condition(status, c.getType());
        if (current != null && Objects.equals(current.getStatus(), c.getStatus())
                && Objects.equals(current.getReason(), c.getReason())) {
            return;
        }
        if (current != null && Objects.equals(current.getStatus(), c.getStatus())) {
            c.setLastTransitionTime(current.getLastTransitionTime());
        }
        removeCondition(status, c.getType());
        status.getConditions().add(c);
    }

    public static void removeCondition(DeploymentStatus status, String type) {
        List<DeploymentCondition> out = new ArrayList<>();
        if (status.getConditions() != null) {
            for (DeploymentCondition c : status.getConditions()) {
                if (!type.equals(c.getType())) {
                    out.add(c);
                }
            }
        }
        status.setConditions(out);
    }

    static DeploymentCondition fromReplicaSetCondition(ReplicaSetCondition c) {
        DeploymentCondition d = new DeploymentCondition();
        d.setType(c.getType());
        d.setStatus(c.getStatus());
        d.setReason(c.getReason());
        d.setMessage(c.getMessage());
        d.setLastTransitionTime(c.getLastTransitionTime());
        d.setLastUpdateTime(c.getLastTransitionTime());
        return d;
    }

    public static boolean hasProgressDeadline(Deployment d) {
        Integer p = d.getSpec().getProgressDeadlineSeconds();
        return p != null && p != Integer.MAX_VALUE;
    }

    static long generation(Deployment d) {
        return d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    }

    static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    /** All replicas updated and available, and the status is of the current generation (DeploymentComplete). */
    public static boolean complete(Deployment d, DeploymentStatus s) {
        int r = replicas(d);
        return nz(s.getUpdatedReplicas()) == r && nz(s.getReplicas()) == r && nz(s.getAvailableReplicas()) == r
                && (s.getObservedGeneration() == null ? 0 : s.getObservedGeneration()) >= generation(d);
    }

    /** Whether {@code s} shows progress over the Deployment's recorded status (DeploymentProgressing). */
    public static boolean progressing(Deployment d, DeploymentStatus s) {
        DeploymentStatus old = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        int oldOld = nz(old.getReplicas()) - nz(old.getUpdatedReplicas());
        int newOld = nz(s.getReplicas()) - nz(s.getUpdatedReplicas());
        return nz(s.getUpdatedReplicas()) > nz(old.getUpdatedReplicas()) || newOld < oldOld
                || nz(s.getReadyReplicas()) > nz(old.getReadyReplicas())
                || nz(s.getAvailableReplicas()) > nz(old.getAvailableReplicas());
    }

    /** Whether the Progressing condition in {@code s} is older than the deadline (DeploymentTimedOut). */
    public static boolean timedOut(Deployment d, DeploymentStatus s, Instant now) {
        if (!hasProgressDeadline(d)) {
            return false;
        }
        DeploymentCondition c = condition(s, PROGRESSING);
        if (c == null || NEW_RS_AVAILABLE_REASON.equals(c.getReason())) {
            return false;
        }
        if (TIMED_OUT_REASON.equals(c.getReason())) {
            return true;
        }
        Instant from = instant(c.getLastUpdateTime());
        return from.plus(Duration.ofSeconds(d.getSpec().getProgressDeadlineSeconds())).isBefore(now);
    }
}
