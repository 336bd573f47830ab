package io.kube4j.addons.logging.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures the search's scan rate (printed, never asserted; not in the test suite: run it with
 * {@code -Dtest=LogStoreScanBenchmark}): 1,000,000 lines of 100 bytes over 10 streams, a
 * substring that matches 1 line in 1,000.
 */
class LogStoreScanBenchmark {

    @TempDir
    Path dir;

    @Test
    void scanRate() {
        Instant t0 = Instant.parse("2026-11-28T10:00:00Z");
        int total = 1_000_000;
        try (LogStore s = new LogStore(dir, Duration.ofDays(1), 1L << 32, Clock.fixed(t0, ZoneOffset.UTC))) {
            long w0 = System.nanoTime();
            for (int b = 0; b < total / 10_000; b++) {
                StreamLabels labels = new StreamLabels("ns", "pod-" + (b % 10), "c", "n", Map.of("app", "a" + b % 10));
                List<LogEntry> batch = new ArrayList<>(10_000);
                for (int i = 0; i < 10_000; i++) {
                    int n = b * 10_000 + i;
                    String line = (n % 1000 == 0 ? "NEEDLE " : "GET /api/items ") + n + " "
                            + "x".repeat(70);
                    batch.add(new LogEntry(LogEntry.nanos(t0.plusMillis(n / 1000)), line));
                }
                s.append(labels, batch);
            }
            s.flush();
            double writeS = (System.nanoTime() - w0) / 1e9;
            long found = 0;
            double readS = 0;
            for (int run = 0; run < 3; run++) { // the first run pays for class loading and the JIT: report the best
                long r0 = System.nanoTime();
                found = s.search(LogQuery.all(Instant.EPOCH, t0.plusSeconds(3600), 1_000_000)
                        .withText("NEEDLE")).count().block();
                double took = (System.nanoTime() - r0) / 1e9;
                readS = run == 0 ? took : Math.min(readS, took);
            }
            System.out.printf("log store: wrote %d lines in %.2f s (%.0f lines/s); substring scan %d lines in %.2f s "
                    + "(%.0f lines/s, %.0f MB/s), %d hits%n", total, writeS, total / writeS, total, readS,
                    total / readS, s.sizeBytes() / 1e6 / readS, found);
            assertThat(found).isEqualTo(total / 1000);
        }
    }
}
