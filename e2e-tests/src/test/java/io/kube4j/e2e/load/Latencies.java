package io.kube4j.e2e.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Latency samples per series (e.g. {@code mutating POST deployments}), each with the time it was taken, for exact
 * percentiles over the whole run (a sorted array, nearest-rank) and per time bucket (the chart). Thread-safe.
 */
final class Latencies {

    /** One sample: when it ended (ms since the run's start) and how long it took (µs). */
    record Sample(long atMs, long micros) {
    }

    /** count, p50, p90, p99 and max in ms. */
    record Summary(int count, double p50, double p90, double p99, double max) {
    }

    private final long startNanos;
    private final Map<String, ConcurrentLinkedQueue<Sample>> series = new ConcurrentHashMap<>();

    Latencies(long startNanos) {
        this.startNanos = startNanos;
    }

    /** Records a sample that ended now. */
    void record(String name, long nanos) {
        recordAt(name, System.nanoTime(), nanos);
    }

    void recordAt(String name, long endNanos, long nanos) {
        series.computeIfAbsent(name, n -> new ConcurrentLinkedQueue<>())
                .add(new Sample((endNanos - startNanos) / 1_000_000, Math.max(0, nanos) / 1_000));
    }

    List<String> names() {
        return new ArrayList<>(new TreeMap<>(series).keySet());
    }

    /** Every sample of the series whose name starts with {@code prefix}. */
    List<Sample> samples(String prefix) {
        List<Sample> out = new ArrayList<>();
        series.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.addAll(v);
            }
        });
        return out;
    }

    Summary summary(String prefix) {
        return summarize(samples(prefix));
    }

    static Summary summarize(List<Sample> samples) {
        long[] v = samples.stream().mapToLong(Sample::micros).sorted().toArray();
        if (v.length == 0) {
            return new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Summary(v.length, pct(v, 50), pct(v, 90), pct(v, 99), v[v.length - 1] / 1000.0);
    }

    /** Nearest-rank percentile of sorted µs values, in ms. */
    static double pct(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1000.0;
    }

    /** Per bucket of {@code bucketMs} (key: bucket start in s), the p99 in ms of the samples ending in it. */
    static TreeMap<Double, Double> p99ByBucket(List<Sample> samples, long bucketMs) {
        Map<Long, List<Long>> buckets = new TreeMap<>();
        for (Sample s : samples) {
            buckets.computeIfAbsent(s.atMs() / bucketMs, b -> new ArrayList<>()).add(s.micros());
        }
        TreeMap<Double, Double> out = new TreeMap<>();
        buckets.forEach((b, v) -> {
            long[] a = v.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(a);
            out.put(b * bucketMs / 1000.0, pct(a, 99));
        });
        return out;
    }
}
