package io.kube4j.controller.disruption;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.common.Pods;

/**
 * The arithmetic of Kubernetes' {@code pkg/controller/disruption/disruption.go}, free of I/O: the expected pod count
 * and desired healthy count from {@code minAvailable}/{@code maxUnavailable} (integers or percentages, rounded up),
 * the healthy pods (Ready, not being deleted, not recently evicted), the evictions still awaited in
 * {@code disruptedPods}, and the status they make.
 */
final class DisruptionBudgets {

    private DisruptionBudgets() {
    }

    /** The replicas of a pod's controller ({@code getExpectedScale}'s finders); throws when it cannot be found. */
    @FunctionalInterface
    interface ScaleFinder {
        int replicas(String namespace, OwnerReference controller);
    }

    /** What a budget's pods add up to. */
    record Counts(int expectedCount, int desiredHealthy, List<String> unmanagedPods) {
    }

    /** The computed status and when it must be looked at again (an awaited eviction's deadline), or null. */
    record Computed(PodDisruptionBudgetStatus status, Instant recheck, List<String> notDeleted) {
    }

    /** {@code getExpectedPodCount}. */
    static Counts expected(PodDisruptionBudget pdb, List<Pod> pods, ScaleFinder scales) {
        IntOrString maxUnavailable = pdb.getSpec().getMaxUnavailable();
        IntOrString minAvailable = pdb.getSpec().getMinAvailable();
        List<String> unmanaged = new ArrayList<>();
        if (maxUnavailable != null) {
            int expected = expectedScale(pods, scales, unmanaged);
            int max = scaled(maxUnavailable, expected, "maxUnavailable");
            return new Counts(expected, Math.max(0, expected - max), unmanaged);
        }
        if (minAvailable != null) {
            if (minAvailable.getStrVal() == null) {
                return new Counts(pods.size(), intValue(minAvailable), unmanaged);
            }
            int expected = expectedScale(pods, scales, unmanaged);
            return new Counts(expected, scaled(minAvailable, expected, "minAvailable"), unmanaged);
        }
        // neither is set (the apiserver's validation requires one): Kubernetes' default, minAvailable 1
        return new Counts(pods.size(), 1, unmanaged);
    }

    /** {@code getExpectedScale}: the sum of the replicas of the distinct controllers of the pods. */
    static int expectedScale(List<Pod> pods, ScaleFinder scales, List<String> unmanaged) {
        Map<String, Integer> byController = new LinkedHashMap<>();
        for (Pod pod : pods) {
            OwnerReference ref = OwnerReferences.controllerOf(pod);
            if (ref == null) {
                unmanaged.add(pod.getMetadata().getName());
                continue;
            }
            String key = ref.getUid() == null ? ref.getKind() + "/" + ref.getName() : ref.getUid();
            if (!byController.containsKey(key)) {
                byController.put(key, scales.replicas(pod.getMetadata().getNamespace(), ref));
            }
        }
        int sum = 0;
        for (int n : byController.values()) {
            sum += n;
        }
        return sum;
    }

    /** {@code intstr.GetScaledValueFromIntOrPercent(v, total, roundUp=true)}. */
    static int scaled(IntOrString v, int total, String field) {
        if (v.getStrVal() == null) {
            return intValue(v);
        }
        String s = v.getStrVal();
        if (!s.endsWith("%")) {
            throw new IllegalArgumentException("invalid value for " + field + " \"" + s + "\": must be an integer or a percentage");
        }
        int percent;
        try {
            percent = Integer.parseInt(s.substring(0, s.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value for " + field + " \"" + s + "\": must be an integer or a percentage");
        }
        return (int) Math.ceil(percent * (double) total / 100.0);
    }

    private static int intValue(IntOrString v) {
        return v.getIntVal() == null ? 0 : v.getIntVal();
    }

    /**
     * {@code buildDisruptedPodMap}: the recorded evictions whose pods still exist, are not yet being deleted and were
     * recorded less than {@code timeout} ago; older ones are reported in {@code notDeleted}.
     */
    static Map<String, String> awaitedEvictions(PodDisruptionBudget pdb, List<Pod> pods, Instant now, Duration timeout,
                                                List<String> notDeleted, Instant[] recheck) {
        Map<String, String> recorded = pdb.getStatus() == null || pdb.getStatus().getDisruptedPods() == null
                ? Map.of() : pdb.getStatus().getDisruptedPods();
        Map<String, String> kept = new LinkedHashMap<>();
        for (Pod pod : pods) {
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            String at = recorded.get(pod.getMetadata().getName());
            if (at == null) {
                continue;
            }
            Instant deadline;
            try {
                deadline = Instant.parse(at).plus(timeout);
            } catch (DateTimeParseException e) {
                continue;
            }
            if (deadline.isBefore(now)) {
                notDeleted.add(pod.getMetadata().getName());
                continue;
            }
            if (recheck[0] == null || deadline.isBefore(recheck[0])) {
                recheck[0] = deadline;
            }
            kept.put(pod.getMetadata().getName(), at);
        }
        return kept;
    }

    /** {@code countHealthyPods}: Ready pods that are not being deleted and whose eviction is not awaited. */
    static int healthy(List<Pod> pods, Map<String, String> awaited) {
        int n = 0;
        for (Pod pod : pods) {
            if (pod.getMetadata().getDeletionTimestamp() == null && !awaited.containsKey(pod.getMetadata().getName())
                    && Pods.isReady(pod)) {
                n++;
            }
        }
        return n;
    }

    /** The whole status of {@code trySync} + {@code updatePdbStatus}, conditions included. */
    static Computed compute(PodDisruptionBudget pdb, List<Pod> pods, ScaleFinder scales, Instant now, Duration timeout) {
        Counts counts = expected(pdb, pods, scales);
        List<String> notDeleted = new ArrayList<>();
        Instant[] recheck = new Instant[1];
        Map<String, String> awaited = awaitedEvictions(pdb, pods, now, timeout, notDeleted, recheck);
        int current = healthy(pods, awaited);
        int allowed = counts.expectedCount() <= 0 ? 0 : Math.max(0, current - counts.desiredHealthy());
        PodDisruptionBudgetStatus s = copyOf(pdb.getStatus());
        s.setCurrentHealthy(current);
        s.setDesiredHealthy(counts.desiredHealthy());
        s.setExpectedPods(counts.expectedCount());
        s.setDisruptionsAllowed(allowed);
        s.setDisruptedPods(awaited.isEmpty() ? null : awaited);
        s.setObservedGeneration(pdb.getMetadata().getGeneration());
        setCondition(s, allowed > 0 ? "True" : "False", allowed > 0 ? "SufficientPods" : "InsufficientPods", "",
                pdb.getMetadata().getGeneration(), now);
        return new Computed(s, recheck[0], notDeleted);
    }

    /** {@code failSafe}: no disruption allowed, the condition saying why. */
    static PodDisruptionBudgetStatus failSafe(PodDisruptionBudget pdb, String message, Instant now) {
        PodDisruptionBudgetStatus s = copyOf(pdb.getStatus());
        s.setDisruptionsAllowed(0);
        s.setObservedGeneration(pdb.getMetadata().getGeneration());
        setCondition(s, "False", "SyncFailed", message, pdb.getMetadata().getGeneration(), now);
        return s;
    }

    /** {@code apimeta.SetStatusCondition}: the transition time changes only when the status does. */
    static void setCondition(PodDisruptionBudgetStatus s, String status, String reason, String message, Long generation,
                             Instant now) {
        List<Condition> conditions = new ArrayList<>(s.getConditions() == null ? List.of() : s.getConditions());
        Condition existing = conditions.stream().filter(c -> "DisruptionAllowed".equals(c.getType())).findFirst().orElse(null);
        Condition c = new Condition();
        c.setType("DisruptionAllowed");
        c.setStatus(status);
        c.setReason(reason);
        c.setMessage(message);
        c.setObservedGeneration(generation);
        c.setLastTransitionTime(existing != null && status.equals(existing.getStatus()) && existing.getLastTransitionTime() != null
                ? existing.getLastTransitionTime() : now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        conditions.removeIf(x -> "DisruptionAllowed".equals(x.getType()));
        conditions.add(c);
        s.setConditions(conditions);
    }

    private static PodDisruptionBudgetStatus copyOf(PodDisruptionBudgetStatus s) {
        PodDisruptionBudgetStatus c = new PodDisruptionBudgetStatus();
        if (s != null) {
            c.setConditions(s.getConditions() == null ? null : new ArrayList<>(s.getConditions()));
            c.setDisruptedPods(s.getDisruptedPods());
            c.setCurrentHealthy(s.getCurrentHealthy());
            c.setDesiredHealthy(s.getDesiredHealthy());
            c.setExpectedPods(s.getExpectedPods());
            c.setDisruptionsAllowed(s.getDisruptionsAllowed());
            c.setObservedGeneration(s.getObservedGeneration());
        }
        return c;
    }

    /** Whether two statuses say the same (the transition times aside), so an unchanged one is not written. */
    static boolean same(PodDisruptionBudgetStatus a, PodDisruptionBudgetStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(a.getCurrentHealthy(), b.getCurrentHealthy())
                && Objects.equals(a.getDesiredHealthy(), b.getDesiredHealthy())
                && Objects.equals(a.getExpectedPods(), b.getExpectedPods())
                && Objects.equals(a.getDisruptionsAllowed(), b.getDisruptionsAllowed())
                && Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
                && Objects.equals(emptyToNull(a.getDisruptedPods()), emptyToNull(b.getDisruptedPods()))
                && Objects.equals(conditionKeys(a), conditionKeys(b));
    }

    private static Map<String, String> emptyToNull(Map<String, String> m) {
        return m == null || m.isEmpty() ? null : m;
    }

    private static Set<String> conditionKeys(PodDisruptionBudgetStatus s) {
        Set<String> keys = new LinkedHashSet<>();
        for (Condition c : s.getConditions() == null ? List.<Condition>of() : s.getConditions()) {
            keys.add(c.getType() + "=" + c.getStatus() + "/" + c.getReason() + "/" + c.getMessage() + "/" + c.getObservedGeneration());
        }
        return keys;
    }
}
