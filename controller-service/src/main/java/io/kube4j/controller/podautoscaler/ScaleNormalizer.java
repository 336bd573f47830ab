package io.kube4j.controller.podautoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;

/**
 * Turns a metric's raw recommendation into the replica count to set, as Kubernetes' HPA controller
 * ({@code normalizeDesiredReplicas} and {@code normalizeDesiredReplicasWithBehaviors}): stabilization over the
 * recommendation history of each HPA, then the rate limits — without a behavior a scale-up of at most
 * max(2×current, 4) and a downscale stabilization window; with one, the scaleUp/scaleDown policies (Pods or Percent
 * per period, selectPolicy Max/Min/Disabled) against the scale events of each HPA. Keeps that history in memory,
 * as Kubernetes does (a restarted controller starts afresh). Thread-safe per key (one worker per key at a time).
 */
public final class ScaleNormalizer {

    /** The normalized count with the AbleToScale and ScalingLimited reasons that explain it. */
    public record Outcome(int replicas, String ableReason, String ableMessage, boolean limited, String limitReason,
            String limitMessage) {
    }

    private record TimestampedRecommendation(int recommendation, Instant timestamp) {
    }

    private static final class ScaleEvent {
        final int change;
        final Instant timestamp;
        boolean outdated;

        ScaleEvent(int change, Instant timestamp) {
            this.change = change;
            this.timestamp = timestamp;
        }
    }

    private final Duration downscaleStabilization;
    private final Map<String, List<TimestampedRecommendation>> recommendations = new ConcurrentHashMap<>();
    private final Map<String, List<ScaleEvent>> scaleUpEvents = new ConcurrentHashMap<>();
    private final Map<String, List<ScaleEvent>> scaleDownEvents = new ConcurrentHashMap<>();

    /** @param downscaleStabilization the window for HPAs without a behavior ({@code --horizontal-pod-autoscaler-downscale-stabilization}) */
    public ScaleNormalizer(Duration downscaleStabilization) {
        this.downscaleStabilization = downscaleStabilization;
    }

    /** The first sync of an HPA records the current size, so a scale-down waits out the window from then. */
    public void recordInitialRecommendation(String key, int currentReplicas, Instant now) {
        recommendations.computeIfAbsent(key, k -> {
            List<TimestampedRecommendation> l = new ArrayList<>();
            l.add(new TimestampedRecommendation(currentReplicas, now));
            return l;
        });
    }

    /** Forgets a deleted HPA. */
    public void forget(String key) {
        recommendations.remove(key);
        scaleUpEvents.remove(key);
        scaleDownEvents.remove(key);
    }

    /** Kubernetes' {@code normalizeDesiredReplicas}: the path of an HPA without {@code spec.behavior}. */
    public Outcome normalize(String key, int current, int desired, int min, int max, Instant now) {
        int stabilized = stabilize(key, desired, now);
        String ableReason = stabilized != desired ? "ScaleDownStabilized" : "ReadyForNewScale";
        String ableMessage = stabilized != desired
                ? "recent recommendations were higher than current one, applying the highest recent recommendation"
                : "recommended size matches current size";
        int scaleUpLimit = (int) Math.max(2.0 * current, 4.0);
        int replicas;
        String reason;
        String message;
        int maximumAllowed = Math.min(max, scaleUpLimit);
        if (stabilized < min) {
            replicas = min;
            reason = "TooFewReplicas";
            message = "the desired replica count is less than the minimum replica count";
        } else if (stabilized > maximumAllowed) {
            replicas = maximumAllowed;
            if (max > scaleUpLimit) {
                reason = "ScaleUpLimit";
                message = "the desired replica count is increasing faster than the maximum scale rate";
            } else {
                reason = "TooManyReplicas";
                message = "the desired replica count is more than the maximum replica count";
            }
        } else {
            replicas = stabilized;
            reason = "DesiredWithinRange";
            message = "the desired count is within the acceptable range";
        }
        return new Outcome(replicas, ableReason, ableMessage, replicas != stabilized, reason, message);
    }

    private int stabilize(String key, int desired, Instant now) {
        List<TimestampedRecommendation> list = recommendations.computeIfAbsent(key, k -> new ArrayList<>());
        synchronized (list) {
            Instant cutoff = now.minus(downscaleStabilization);
            int max = desired;
            int oldIndex = -1;
            for (int i = 0; i < list.size(); i++) {
                TimestampedRecommendation r = list.get(i);
                if (r.timestamp.isBefore(cutoff)) {
                    oldIndex = i; // reuse the slot of an expired sample
                } else if (r.recommendation > max) {
                    max = r.recommendation;
                }
            }
            TimestampedRecommendation sample = new TimestampedRecommendation(desired, now);
            if (oldIndex >= 0) {
                list.set(oldIndex, sample);
            } else {
                list.add(sample);
            }
            return max;
        }
    }

    /**
     * Kubernetes' {@code normalizeDesiredReplicasWithBehaviors}; {@code behavior} is defaulted (both rules, their
     * policies and selectPolicy set) except that a missing scaleDown stabilization window means the controller's.
     */
    public Outcome normalize(String key, HorizontalPodAutoscalerBehavior behavior, int current, int desired, int min,
            int max, Instant now) {
        HPAScalingRules up = behavior.getScaleUp();
        HPAScalingRules down = behavior.getScaleDown();
        int upWindow = up == null || up.getStabilizationWindowSeconds() == null ? 0 : up.getStabilizationWindowSeconds();
        int downWindow = down == null || down.getStabilizationWindowSeconds() == null
                ? (int) downscaleStabilization.toSeconds() : down.getStabilizationWindowSeconds();

        int upRecommendation = desired;
        int downRecommendation = desired;
        Instant upCutoff = now.minusSeconds(upWindow);
        Instant downCutoff = now.minusSeconds(downWindow);
        Instant obsoleteCutoff = now.minusSeconds(Math.max(upWindow, downWindow));
        List<TimestampedRecommendation> list = recommendations.computeIfAbsent(key, k -> new ArrayList<>());
        int stabilized;
        synchronized (list) {
            int oldIndex = -1;
            for (int i = 0; i < list.size(); i++) {
                TimestampedRecommendation r = list.get(i);
                if (r.timestamp.isAfter(upCutoff)) {
                    upRecommendation = Math.min(r.recommendation, upRecommendation);
                }
                if (r.timestamp.isAfter(downCutoff)) {
                    downRecommendation = Math.max(r.recommendation, downRecommendation);
                }
                if (r.timestamp.isBefore(obsoleteCutoff)) {
                    oldIndex = i;
                }
            }
            stabilized = current;
            if (stabilized < upRecommendation) {
                stabilized = upRecommendation;
            }
            if (stabilized > downRecommendation) {
                stabilized = downRecommendation;
            }
            TimestampedRecommendation sample = new TimestampedRecommendation(desired, now);
            if (oldIndex >= 0) {
                list.set(oldIndex, sample);
            } else {
                list.add(sample);
            }
        }
        String ableReason;
        String ableMessage;
        if (stabilized == desired) {
            ableReason = "ReadyForNewScale";
            ableMessage = "recommended size matches current size";
        } else if (desired > stabilized) {
            ableReason = "ScaleUpStabilized";
            ableMessage = "recent recommendations were lower than current one, applying the lowest recent recommendation";
        } else {
            ableReason = "ScaleDownStabilized";
            ableMessage = "recent recommendations were higher than current one, applying the highest recent recommendation";
        }

        int replicas = stabilized;
        String reason = "DesiredWithinRange";
        String message = "the desired count is within the acceptable range";
        List<ScaleEvent> ups = events(scaleUpEvents, key);
        List<ScaleEvent> downs = events(scaleDownEvents, key);
        if (stabilized > current) {
            int scaleUpLimit = Math.max(current, scaleUpLimit(current, ups, downs, up, now));
            int maximumAllowed = max;
            String limitReason = "TooManyReplicas";
            String limitMessage = "the desired replica count is more than the maximum replica count";
            if (maximumAllowed > scaleUpLimit) {
                maximumAllowed = scaleUpLimit;
                limitReason = "ScaleUpLimit";
                limitMessage = "the desired replica count is increasing faster than the maximum scale rate";
            }
            if (stabilized > maximumAllowed) {
                replicas = maximumAllowed;
                reason = limitReason;
                message = limitMessage;
            }
        } else if (stabilized < current) {
            int scaleDownLimit = Math.min(current, scaleDownLimit(current, ups, downs, down, now));
            int minimumAllowed = min;
            String limitReason = "TooFewReplicas";
            String limitMessage = "the desired replica count is less than the minimum replica count";
            if (minimumAllowed < scaleDownLimit) {
                minimumAllowed = scaleDownLimit;
                limitReason = "ScaleDownLimit";
                limitMessage = "the desired replica count is decreasing faster than the maximum scale rate";
            }
            if (stabilized < minimumAllowed) {
                replicas = minimumAllowed;
                reason = limitReason;
                message = limitMessage;
            }
        }
        return new Outcome(replicas, ableReason, ableMessage, replicas != stabilized, reason, message);
    }

    /** Records a rescale for the behavior's rate limits (Kubernetes' {@code storeScaleEvent}); no-op without a behavior. */
    public void storeScaleEvent(String key, HorizontalPodAutoscalerBehavior behavior, int previous, int next,
            Instant now) {
        if (behavior == null) {
            return;
        }
        if (next > previous) {
            markOutdated(events(scaleDownEvents, key));
            store(events(scaleUpEvents, key), longestPeriod(behavior.getScaleUp()), next - previous, now);
        } else if (next < previous) {
            markOutdated(events(scaleUpEvents, key));
            store(events(scaleDownEvents, key), longestPeriod(behavior.getScaleDown()), previous - next, now);
        }
    }

    private static void store(List<ScaleEvent> list, int longestPeriod, int change, Instant now) {
        synchronized (list) {
            Instant cutoff = now.minusSeconds(longestPeriod);
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).timestamp.isBefore(cutoff)) {
                    list.set(i, new ScaleEvent(change, now));
                    return;
                }
            }
            list.add(new ScaleEvent(change, now));
        }
    }

    private static void markOutdated(List<ScaleEvent> list) {
        synchronized (list) {
            list.forEach(e -> e.outdated = true);
        }
    }

    private static int longestPeriod(HPAScalingRules rules) {
        int longest = 0;
        if (rules != null && rules.getPolicies() != null) {
            for (HPAScalingPolicy p : rules.getPolicies()) {
                longest = Math.max(longest, p.getPeriodSeconds() == null ? 0 : p.getPeriodSeconds());
            }
        }
        return longest;
    }

    private static List<ScaleEvent> events(Map<String, List<ScaleEvent>> map, String key) {
        return map.computeIfAbsent(key, k -> new ArrayList<>());
    }

    private static int changeInPeriod(int periodSeconds, List<ScaleEvent> events, Instant now) {
        Instant cutoff = now.minusSeconds(periodSeconds);
        int sum = 0;
        synchronized (events) {
            for (ScaleEvent e : events) {
                if (e.timestamp.isAfter(cutoff) && !e.outdated) {
                    sum += e.change;
                }
            }
        }
        return sum;
    }

    /** Kubernetes' {@code calculateScaleUpLimitWithScalingRules}. */
    static int scaleUpLimit(int current, List<ScaleEvent> ups, List<ScaleEvent> downs, HPAScalingRules rules,
            Instant now) {
        if (rules == null || "Disabled".equals(rules.getSelectPolicy())) {
            return current;
        }
        boolean min = "Min".equals(rules.getSelectPolicy());
        long result = min ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        for (HPAScalingPolicy p : rules.getPolicies() == null ? List.<HPAScalingPolicy>of() : rules.getPolicies()) {
            int periodStart = current - changeInPeriod(p.getPeriodSeconds(), ups, now)
                    + changeInPeriod(p.getPeriodSeconds(), downs, now);
            long proposed = "Pods".equals(p.getType()) ? (long) periodStart + p.getValue()
                    : (long) Math.ceil(periodStart * (1 + p.getValue() / 100.0));
            result = min ? Math.min(result, proposed) : Math.max(result, proposed);
        }
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, result));
    }

    /** Kubernetes' {@code calculateScaleDownLimitWithBehaviors}. */
    static int scaleDownLimit(int current, List<ScaleEvent> ups, List<ScaleEvent> downs, HPAScalingRules rules,
            Instant now) {
        if (rules == null || "Disabled".equals(rules.getSelectPolicy())) {
            return current;
        }
        boolean min = "Min".equals(rules.getSelectPolicy());
        long result = min ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        for (HPAScalingPolicy p : rules.getPolicies() == null ? List.<HPAScalingPolicy>of() : rules.getPolicies()) {
            int periodStart = current - changeInPeriod(p.getPeriodSeconds(), ups, now)
                    + changeInPeriod(p.getPeriodSeconds(), downs, now);
            long proposed = "Pods".equals(p.getType()) ? (long) periodStart - p.getValue()
                    : (long) (periodStart * (1 - p.getValue() / 100.0));
            result = min ? Math.max(result, proposed) : Math.min(result, proposed);
        }
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, result));
    }
}
