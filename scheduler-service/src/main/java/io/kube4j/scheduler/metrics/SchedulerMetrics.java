package io.kube4j.scheduler.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.kube4j.scheduler.framework.PluginMetricsRecorder;
import io.kube4j.scheduler.framework.PreemptionMetrics;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.queue.SchedulingQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * The scheduler's metrics, named as kube-scheduler's (Micrometer names map to the Prometheus ones at
 * {@code /actuator/prometheus}): attempts and their duration by result and profile, the end-to-end pod scheduling
 * duration, pending pods by queue, preemption attempts and victims, and sampled per-plugin execution times. Histogram
 * buckets are Kubernetes' exponential buckets. Recording on the hot path allocates nothing once a meter exists.
 */
public final class SchedulerMetrics implements PluginMetricsRecorder, PreemptionMetrics {

    /** Kubernetes' {@code pluginMetricsSamplePercent}: plugin execution times are recorded for 10% of the cycles. */
    public static final int PLUGIN_METRICS_SAMPLE_PERCENT = 10;

    public static final String SCHEDULED = "scheduled";
    public static final String UNSCHEDULABLE = "unschedulable";
    public static final String ERROR = "error";

    private static final Duration[] ATTEMPT_BUCKETS = exponential(0.001, 2, 15);
    private static final Duration[] E2E_BUCKETS = exponential(0.01, 2, 20);
    private static final Duration[] PLUGIN_BUCKETS = exponential(0.00001, 1.5, 20);
    private static final double[] VICTIM_BUCKETS = {1, 2, 4, 8, 16, 32, 64};

    private final MeterRegistry registry;
    private final Map<String, Counter> attempts = new ConcurrentHashMap<>();
    private final Map<String, Timer> attemptDurations = new ConcurrentHashMap<>();
    private final Map<Integer, Timer> podSchedulingDurations = new ConcurrentHashMap<>();
    // plugin -> [extension point][status code]; filled lazily, read without allocation
    private final Map<String, Timer[][]> pluginDurations = new ConcurrentHashMap<>();
    private final Counter preemptionAttempts;
    private final DistributionSummary preemptionVictims;
    private final int samplePercent;

    public SchedulerMetrics(MeterRegistry registry) {
        this(registry, PLUGIN_METRICS_SAMPLE_PERCENT);
    }

    /** Metrics on {@code registry}, recording plugin execution times for {@code samplePercent}% of the cycles. */
    public SchedulerMetrics(MeterRegistry registry, int samplePercent) {
        if (samplePercent < 0 || samplePercent > 100) {
            throw new IllegalArgumentException("the plugin metrics sample percentage must be within 0..100, got "
                    + samplePercent);
        }
        this.registry = registry;
        this.samplePercent = samplePercent;
        this.preemptionAttempts = Counter.builder("scheduler.preemption.attempts")
                .description("Total preemption attempts in the cluster till now").register(registry);
        this.preemptionVictims = DistributionSummary.builder("scheduler.preemption.victims")
                .description("Number of selected preemption victims").serviceLevelObjectives(VICTIM_BUCKETS)
                .register(registry);
    }

    /** Metrics that go nowhere, for schedulers built without a registry (tests, benchmarks). */
    public static SchedulerMetrics noop() {
        return new SchedulerMetrics(new CompositeMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Exposes the queue's pending pods as {@code scheduler_pending_pods{queue}} gauges. */
    public void registerQueue(SchedulingQueue queue) {
        for (String q : new String[] {"active", "backoff", "unschedulable", "gated"}) {
            ToDoubleFunction<SchedulingQueue> f = x -> x.pendingCounts().getOrDefault(q, 0);
            Gauge.builder("scheduler.pending.pods", queue, f).tag("queue", q)
                    .description("Number of pending pods, by the queue type").register(registry);
        }
    }

    /** Whether this cycle records plugin execution times (a 10% sample by default, as Kubernetes). */
    public boolean samplePluginMetrics() {
        return samplePercent > 0 && ThreadLocalRandom.current().nextInt(100) < samplePercent;
    }

    /**
     * One scheduling attempt ended: {@code result} is {@link #SCHEDULED}, {@link #UNSCHEDULABLE} or {@link #ERROR};
     * {@code nanos} from the start of the scheduling cycle (for a scheduled pod, to the end of its binding).
     */
    public void attempt(String result, String profile, long nanos) {
        String key = result + '\0' + profile;
        attempts.computeIfAbsent(key, k -> Counter.builder("scheduler.schedule.attempts")
                .description("Number of attempts to schedule pods, by the result").tag("result", result)
                .tag("profile", profile).register(registry)).increment();
        attemptDurations.computeIfAbsent(key, k -> Timer.builder("scheduler.scheduling.attempt.duration")
                .description("Scheduling attempt latency in seconds (scheduling algorithm + binding)")
                .tag("result", result).tag("profile", profile).serviceLevelObjectives(ATTEMPT_BUCKETS)
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A pod was bound after {@code attempts} attempts, {@code nanos} after it first entered the queue. */
    public void podScheduled(int attempts, long nanos) {
        podSchedulingDurations.computeIfAbsent(attempts, a -> Timer.builder("scheduler.pod.scheduling.duration")
                .description("E2e latency for a pod being scheduled, from the time the pod enters the scheduling"
                        + " queue and might involve multiple scheduling attempts")
                .tag("attempts", Integer.toString(a)).serviceLevelObjectives(E2E_BUCKETS).register(registry))
                .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** A preemption was attempted for a pod that fits nowhere ({@code scheduler_preemption_attempts_total}). */
    @Override
    public void preemptionAttempted() {
        preemptionAttempts.increment();
    }

    /** Preemption chose {@code victims} pods to evict ({@code scheduler_preemption_victims}). */
    @Override
    public void preemptionVictims(int victims) {
        preemptionVictims.record(victims);
    }

    @Override
    public void observe(ExtensionPoint point, String plugin, Status.Code code, long nanos) {
        Timer[][] byPoint = pluginDurations.get(plugin);
        if (byPoint == null) {
            byPoint = pluginDurations.computeIfAbsent(plugin,
                    p -> new Timer[ExtensionPoint.values().length][Status.Code.values().length]);
        }
        Timer t = byPoint[point.ordinal()][code.ordinal()];
        if (t == null) {
            t = Timer.builder("scheduler.plugin.execution.duration")
                    .description("Duration for running a plugin at a specific extension point")
                    .tag("plugin", plugin).tag("extension_point", point.label()).tag("status", statusLabel(code))
                    .serviceLevelObjectives(PLUGIN_BUCKETS).register(registry);
            // a benign race: two threads may both register, and the registry returns the same meter
            byPoint[point.ordinal()][code.ordinal()] = t;
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Kubernetes' {@code Code.String()}: UNSCHEDULABLE_AND_UNRESOLVABLE is "UnschedulableAndUnresolvable". */
    static String statusLabel(Status.Code code) {
        StringBuilder b = new StringBuilder();
        for (String part : code.name().split("_")) {
            b.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return b.toString();
    }

    private static Duration[] exponential(double start, double factor, int count) {
        Duration[] out = new Duration[count];
        double v = start;
        for (int i = 0; i < count; i++) {
            out[i] = Duration.ofNanos(Math.round(v * 1e9));
            v *= factor;
        }
        return out;
    }
}
