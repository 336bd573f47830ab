package io.kube4j.controller.podautoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.controller.common.Pods;

/**
 * Kubernetes' {@code podautoscaler/replica_calculator.go} for resource metrics: the replica count that brings the
 * pods' average usage to the target, with the same caution. Pods being deleted or finished are ignored; pending pods
 * and (for cpu) pods still initialising count as unready; pods without a metric count as missing. If the ready pods
 * alone say "stay within tolerance" or "scale", and nothing is unready or missing, that is the answer; otherwise the
 * ratio is recomputed assuming missing pods use the target (when scaling down) or nothing (when scaling up) and
 * unready pods nothing (when scaling up), and the change is dropped if that reverses its direction or brings it
 * within tolerance. Pure: the pods, metrics and time are given.
 */
public final class ReplicaCalculator {

    private final double tolerance;
    private final Duration cpuInitializationPeriod;
    private final Duration initialReadinessDelay;

    /**
     * @param tolerance               the ratio distance from 1.0 that causes no scaling (0.1)
     * @param cpuInitializationPeriod how long after start a pod's cpu samples are distrusted unless it is ready (5m)
     * @param initialReadinessDelay   how long after start a not-ready pod is taken as still starting (30s)
     */
    public ReplicaCalculator(double tolerance, Duration cpuInitializationPeriod, Duration initialReadinessDelay) {
        this.tolerance = tolerance;
        this.cpuInitializationPeriod = cpuInitializationPeriod;
        this.initialReadinessDelay = initialReadinessDelay;
    }

    /** The outcome: replicas wanted, utilization in % of request (-1 for an AverageValue target), average usage in milli units. */
    public record Recommendation(int replicas, int utilization, long averageMilli, Instant timestamp) {
    }

    /** Why no count could be computed; the message is Kubernetes'. */
    public static final class CalculationException extends Exception {
        public CalculationException(String message) {
            super(message);
        }
    }

    /** For a target {@code targetUtilization} % of the pods' requests of {@code resource}. */
    public Recommendation utilizationReplicas(int currentReplicas, int targetUtilization, String resource,
            String container, List<Pod> pods, Map<String, PodMetric> podMetrics, Instant now)
            throws CalculationException {
        if (pods.isEmpty()) {
            throw new CalculationException("no pods returned by selector while calculating replica count");
        }
        Map<String, PodMetric> metrics = new HashMap<>(podMetrics);
        Groups g = group(pods, metrics, resource, now);
        metrics.keySet().removeAll(g.ignored);
        metrics.keySet().removeAll(g.unready);
        if (metrics.isEmpty()) {
            throw new CalculationException("did not receive metrics for targeted pods (pods might be unready)");
        }
        Map<String, Long> requests = requests(pods, resource, container);
        Map<String, Long> values = values(metrics);
        Instant timestamp = timestamp(metrics);
        Ratio r = utilizationRatio(values, requests, targetUtilization, resource);
        boolean scaleUpWithUnready = !g.unready.isEmpty() && r.ratio > 1.0;
        if (!scaleUpWithUnready && g.missing.isEmpty()) {
            if (Math.abs(1.0 - r.ratio) <= tolerance) {
                return new Recommendation(currentReplicas, r.utilization, r.average, timestamp);
            }
            return new Recommendation((int) Math.ceil(r.ratio * g.ready), r.utilization, r.average, timestamp);
        }
        if (!g.missing.isEmpty()) {
            if (r.ratio < 1.0) {
                // on a scale down, assume a silent pod uses its share of the target (at most its request)
                long fallback = Math.max(100, targetUtilization);
                for (String p : g.missing) {
                    values.put(p, requests.getOrDefault(p, 0L) * fallback / 100);
                }
            } else if (r.ratio > 1.0) {
                for (String p : g.missing) {
                    values.put(p, 0L); // on a scale up, assume it uses nothing
                }
            }
        }
        if (scaleUpWithUnready) {
            for (String p : g.unready) {
                values.put(p, 0L);
            }
        }
        double newRatio = utilizationRatio(values, requests, targetUtilization, resource).ratio;
        return settle(currentReplicas, r.ratio, newRatio, values.size(), r.utilization, r.average, timestamp);
    }

    /** For a target average usage of {@code targetMilli} (milli units) per pod. */
    public Recommendation averageValueReplicas(int currentReplicas, long targetMilli, String resource,
            List<Pod> pods, Map<String, PodMetric> podMetrics, Instant now) throws CalculationException {
        if (pods.isEmpty()) {
            throw new CalculationException("no pods returned by selector while calculating replica count");
        }
        Map<String, PodMetric> metrics = new HashMap<>(podMetrics);
        Groups g = group(pods, metrics, resource, now);
        metrics.keySet().removeAll(g.ignored);
        metrics.keySet().removeAll(g.unready);
        if (metrics.isEmpty()) {
            throw new CalculationException("did not receive metrics for targeted pods (pods might be unready)");
        }
        Map<String, Long> values = values(metrics);
        Instant timestamp = timestamp(metrics);
        long usage = average(values);
        double ratio = (double) usage / targetMilli;
        boolean scaleUpWithUnready = !g.unready.isEmpty() && ratio > 1.0;
        if (!scaleUpWithUnready && g.missing.isEmpty()) {
            if (Math.abs(1.0 - ratio) <= tolerance) {
                return new Recommendation(currentReplicas, -1, usage, timestamp);
            }
            return new Recommendation((int) Math.ceil(ratio * g.ready), -1, usage, timestamp);
        }
        if (!g.missing.isEmpty()) {
            for (String p : g.missing) {
                if (ratio < 1.0) {
                    values.put(p, targetMilli);
                } else if (ratio > 1.0) {
                    values.put(p, 0L);
                }
            }
        }
        if (scaleUpWithUnready) {
            for (String p : g.unready) {
                values.put(p, 0L);
            }
        }
        double newRatio = (double) average(values) / targetMilli;
        return settle(currentReplicas, ratio, newRatio, values.size(), -1, usage, timestamp);
    }

    private Recommendation settle(int currentReplicas, double ratio, double newRatio, int counted, int utilization,
            long average, Instant timestamp) {
        if (Math.abs(1.0 - newRatio) <= tolerance || (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0)) {
            // the assumptions reversed the direction or cancelled the change
            return new Recommendation(currentReplicas, utilization, average, timestamp);
        }
        int replicas = (int) Math.ceil(newRatio * counted);
        if ((newRatio < 1.0 && replicas > currentReplicas) || (newRatio > 1.0 && replicas < currentReplicas)) {
            return new Recommendation(currentReplicas, utilization, average, timestamp);
        }
        return new Recommendation(replicas, utilization, average, timestamp);
    }

    private record Groups(int ready, Set<String> unready, Set<String> missing, Set<String> ignored) {
    }

    private Groups group(List<Pod> pods, Map<String, PodMetric> metrics, String resource, Instant now) {
        int ready = 0;
        Set<String> unready = new HashSet<>();
        Set<String> missing = new HashSet<>();
        Set<String> ignored = new HashSet<>();
        for (Pod pod : pods) {
            String name = pod.getMetadata().getName();
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if (pod.getMetadata().getDeletionTimestamp() != null || "Failed".equals(phase)
                    || "Succeeded".equals(phase)) {
                ignored.add(name);
                continue;
            }
            if (phase == null || "Pending".equals(phase)) {
                unready.add(name);
                continue;
            }
            PodMetric metric = metrics.get(name);
            if (metric == null) {
                missing.add(name);
                continue;
            }
            if ("cpu".equals(resource) && cpuUnready(pod, metric, now)) {
                unready.add(name);
                continue;
            }
            ready++;
        }
        return new Groups(ready, unready, missing, ignored);
    }

    /**
     * A cpu sample is distrusted while the pod may be initialising: within the initialisation period unless it is
     * ready and the sample was taken wholly after it became ready; after it, only if it never became ready within
     * the initial readiness delay.
     */
    private boolean cpuUnready(Pod pod, PodMetric metric, Instant now) {
        PodCondition ready = Pods.readyCondition(pod);
        Instant start = pod.getStatus().getStartTime() == null ? null : Pods.parseTime(pod.getStatus().getStartTime());
        if (ready == null || start == null) {
            return true;
        }
        Instant transition = ready.getLastTransitionTime() == null ? start : Pods.parseTime(ready.getLastTransitionTime());
        if (start.plus(cpuInitializationPeriod).isAfter(now)) {
            return "False".equals(ready.getStatus()) || metric.timestamp().isBefore(transition.plus(metric.window()));
        }
        return "False".equals(ready.getStatus()) && start.plus(initialReadinessDelay).isAfter(transition);
    }

    private record Ratio(double ratio, int utilization, long average) {
    }

    private static Ratio utilizationRatio(Map<String, Long> values, Map<String, Long> requests, int target,
            String resource) throws CalculationException {
        long used = 0;
        long requested = 0;
        for (Map.Entry<String, Long> e : values.entrySet()) {
            Long request = requests.get(e.getKey());
            if (request == null) {
                continue; // a pod that matched the metrics but not the lister: Kubernetes skips it too
            }
            used += e.getValue();
            requested += request;
        }
        if (requested == 0) {
            throw new CalculationException("no metrics returned matched known pods");
        }
        int utilization = (int) (used * 100 / requested);
        return new Ratio((double) utilization / target, utilization, used / values.size());
    }

    /** Per pod, the sum of its containers' requests of {@code resource} (milli units); all must have one. */
    static Map<String, Long> requests(List<Pod> pods, String resource, String container) throws CalculationException {
        Map<String, Long> out = new HashMap<>();
        for (Pod pod : pods) {
            long sum = 0;
            boolean any = false;
            for (Container c : pod.getSpec().getContainers()) {
                if (container != null && !container.equals(c.getName())) {
                    continue;
                }
                Quantity q = c.getResources() == null || c.getResources().getRequests() == null ? null
                        : c.getResources().getRequests().get(resource);
                if (q == null) {
                    throw new CalculationException("missing request for " + resource + " in container " + c.getName()
                            + " of Pod " + pod.getMetadata().getName());
                }
                sum += ApiResourceMetricsSource.milli(q);
                any = true;
            }
            if (container != null && !any) {
                throw new CalculationException("container " + container + " not present in pod "
                        + pod.getMetadata().getName());
            }
            out.put(pod.getMetadata().getName(), sum);
        }
        return out;
    }

    private static Map<String, Long> values(Map<String, PodMetric> metrics) {
        Map<String, Long> out = new HashMap<>();
        metrics.forEach((k, v) -> out.put(k, v.milliValue()));
        return out;
    }

    private static long average(Map<String, Long> values) {
        long sum = 0;
        for (long v : values.values()) {
            sum += v;
        }
        return sum / values.size();
    }

    private static Instant timestamp(Map<String, PodMetric> metrics) {
        return metrics.values().stream().map(PodMetric::timestamp).min(Instant::compareTo).orElse(Instant.EPOCH);
    }
}
