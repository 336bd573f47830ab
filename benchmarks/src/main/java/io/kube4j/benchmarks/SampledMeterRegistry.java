package io.kube4j.benchmarks;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.AbstractTimer;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.NoPauseDetector;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A {@link SimpleMeterRegistry} whose Timers named with a given prefix (e.g. {@code workqueue_}) also keep every
 * sample, so that a benchmark phase gets exact percentiles over just its own window ({@link #mark} at its start,
 * {@link #summary} at its end) rather than Micrometer's decaying ones. Meant for a run's thousands of samples, not
 * for a long-running process.
 */
final class SampledMeterRegistry extends SimpleMeterRegistry {

    private final String prefix;
    private final Map<Key, Samples> samples = new ConcurrentHashMap<>();

    /** A sampled timer by its name and {@code name} tag (the work queue's name). */
    record Key(String meter, String queue) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = queue.compareTo(o.queue);
            return c != 0 ? c : meter.compareTo(o.meter);
        }
    }

    SampledMeterRegistry(String prefix) {
        super(SimpleConfig.DEFAULT, Clock.SYSTEM);
        this.prefix = prefix;
    }

    @Override
    protected Timer newTimer(Meter.Id id, DistributionStatisticConfig config, PauseDetector pauseDetector) {
        if (!id.getName().startsWith(prefix)) {
            return super.newTimer(id, config, pauseDetector);
        }
        String queue = id.getTag("name");
        Samples s = samples.computeIfAbsent(new Key(id.getName(), queue == null ? "" : queue), k -> new Samples());
        return new SampledTimer(id, config.merge(defaultHistogramConfig()), s);
    }

    /** The counters named {@code meter} by their {@code name} tag (e.g. {@code workqueue_retries_total} per queue). */
    Map<String, Double> counters(String meter) {
        Map<String, Double> m = new TreeMap<>();
        find(meter).counters().forEach(c -> m.merge(String.valueOf(c.getId().getTag("name")), c.count(), Double::sum));
        return m;
    }

    /** How many samples each sampled timer holds now (a phase's start). */
    Map<Key, Integer> mark() {
        Map<Key, Integer> m = new TreeMap<>();
        samples.forEach((k, s) -> m.put(k, s.size()));
        return m;
    }

    /** Count, p50, p90, p99 and max of every sampled timer's samples since {@code mark}, by key. */
    Map<Key, String> summary(Map<Key, Integer> mark) {
        Map<Key, String> out = new TreeMap<>();
        samples.forEach((k, s) -> {
            long[] v = s.since(mark.getOrDefault(k, 0));
            Arrays.sort(v);
            out.put(k, v.length == 0 ? "no samples" : String.format(Locale.ROOT,
                    "%d samples: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", v.length, BenchSupport.pct(v, 50),
                    BenchSupport.pct(v, 90), BenchSupport.pct(v, 99), v[v.length - 1] / 1e6));
        });
        return out;
    }

    /** Every recorded duration in nanoseconds, in recording order. */
    private static final class Samples {
        private long[] values = new long[1024];
        private int size;

        synchronized void add(long nanos) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = nanos;
        }

        synchronized int size() {
            return size;
        }

        synchronized long[] since(int from) {
            return Arrays.copyOfRange(values, Math.min(from, size), size);
        }
    }

    /** A Timer that counts, sums and keeps the maximum as usual and hands every sample to its {@link Samples}. */
    private static final class SampledTimer extends AbstractTimer {
        private final Samples samples;
        private final LongAdder count = new LongAdder();
        private final LongAdder totalNanos = new LongAdder();
        private volatile long maxNanos;

        SampledTimer(Meter.Id id, DistributionStatisticConfig config, Samples samples) {
            super(id, Clock.SYSTEM, config, NoPauseDetector.INSTANCE, TimeUnit.SECONDS, false);
            this.samples = samples;
        }

        @Override
        protected void recordNonNegative(long amount, TimeUnit unit) {
            long nanos = unit.toNanos(amount);
            count.increment();
            totalNanos.add(nanos);
            synchronized (this) {
                if (nanos > maxNanos) {
                    maxNanos = nanos;
                }
            }
            samples.add(nanos);
        }

        @Override
        public long count() {
            return count.sum();
        }

        @Override
        public double totalTime(TimeUnit unit) {
            return totalNanos.sum() / (double) unit.toNanos(1);
        }

        @Override
        public double max(TimeUnit unit) {
            return maxNanos / (double) unit.toNanos(1);
        }
    }
}
