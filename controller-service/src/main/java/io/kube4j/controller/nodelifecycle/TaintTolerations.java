package io.kube4j.controller.nodelifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.kube4j.api.scheduling.Tolerations;

/**
 * How long a pod may stay on a node with NoExecute taints: Kubernetes' {@code v1helper.GetMatchingTolerations} and the
 * taint manager's {@code getMinTolerationTime}, on api-model's toleration test (the scheduler's too).
 */
final class TaintTolerations {

    /** A pod's verdict on a node: evict now, after a delay, or never. */
    record Verdict(boolean tolerated, Duration evictAfter) {
        static final Verdict EVICT_NOW = new Verdict(false, Duration.ZERO);
        static final Verdict FOREVER = new Verdict(true, null);

        boolean forever() {
            return tolerated && evictAfter == null;
        }
    }

    private TaintTolerations() {
    }

    /**
     * For each taint the first toleration that tolerates it, or null when some taint is not tolerated
     * ({@code GetMatchingTolerations}).
     */
    static List<Toleration> matching(List<Taint> taints, List<Toleration> tolerations) {
        List<Toleration> used = new ArrayList<>();
        for (Taint taint : taints) {
            Toleration match = null;
            for (Toleration t : tolerations) {
                if (Tolerations.tolerates(t, taint)) {
                    match = t;
                    break;
                }
            }
            if (match == null) {
                return null;
            }
            used.add(match);
        }
        return used;
    }

    /**
     * The smallest {@code tolerationSeconds} of the tolerations used ({@code getMinTolerationTime}): zero when none
     * is used or one is zero or negative, null (forever) when none sets it.
     */
    static Duration minTolerationTime(List<Toleration> used) {
        if (used.isEmpty()) {
            return Duration.ZERO;
        }
        Long min = null;
        for (Toleration t : used) {
            Long s = t.getTolerationSeconds();
            if (s != null) {
                if (s <= 0) {
                    return Duration.ZERO;
                }
                min = min == null ? s : Math.min(min, s);
            }
        }
        return min == null ? null : Duration.ofSeconds(min);
    }

    /** What the taint manager does with a pod whose tolerations are {@code tolerations} on a node with {@code taints}. */
    static Verdict verdict(List<Taint> noExecuteTaints, List<Toleration> tolerations) {
        if (noExecuteTaints.isEmpty()) {
            return Verdict.FOREVER;
        }
        List<Toleration> used = matching(noExecuteTaints, tolerations == null ? List.of() : tolerations);
        if (used == null) {
            return Verdict.EVICT_NOW;
        }
        Duration min = minTolerationTime(used);
        return min == null ? Verdict.FOREVER : new Verdict(true, min);
    }
}
