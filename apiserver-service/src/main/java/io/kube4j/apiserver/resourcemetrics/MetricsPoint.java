package io.kube4j.apiserver.resourcemetrics;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One sample of a node or container: cumulative CPU time since {@code startTime} (when it was zero) at
 * {@code timestamp}, and the memory working set then.
 *
 * @param startTime         when the node or container started (its cumulative CPU was zero then)
 * @param timestamp         when the CPU counter was read
 * @param cpuNanoSeconds    cumulative CPU time, in core-nanoseconds
 * @param memoryBytes       working set bytes
 */
public record MetricsPoint(Instant startTime, Instant timestamp, long cpuNanoSeconds, long memoryBytes) {

    /** Usage over a window: CPU in nanocores (a rate), memory in bytes (the last value). */
    public record Usage(Instant timestamp, Duration window, long nanoCores, long memoryBytes) {
    }

    /**
     * The usage between {@code prev} and this later point: CPU as the counter's growth over the time between
     * them, memory as this point's. Empty when the points cannot be compared: no time passed, the counter went
     * down, or the start time moved back (a restart between them).
     */
    public Optional<Usage> usageSince(MetricsPoint prev) {
        if (startTime.isBefore(prev.startTime) || cpuNanoSeconds < prev.cpuNanoSeconds
                || !timestamp.isAfter(prev.timestamp)) {
            return Optional.empty();
        }
        Duration window = Duration.between(prev.timestamp, timestamp);
        double seconds = window.toNanos() / 1e9;
        long rate = (long) ((cpuNanoSeconds - prev.cpuNanoSeconds) / seconds);
        return Optional.of(new Usage(timestamp, window, rate, memoryBytes));
    }

    /** This point as if taken at its start time: zero CPU used (metrics-server's stand-in for a fresh container). */
    MetricsPoint atStart() {
        return new MetricsPoint(startTime, startTime, 0, memoryBytes);
    }
}
