package io.kube4j.addons.logging.collect;

import io.kube4j.addons.logging.store.LogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Measures how fast a json-file log is read and parsed (printed, never asserted; run it with
 * {@code -Dtest=TailerThroughputBenchmark}): 500,000 records of ~100 bytes. */
class TailerThroughputBenchmark {

    @TempDir
    Path dir;

    @Test
    void readRate() throws IOException {
        Path f = dir.resolve("c-json.log");
        Instant t = Instant.parse("2026-11-28T10:00:00.123456789Z");
        int n = 500_000;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(JsonFileTailerTest.record("GET /api/items/" + i + " 200 " + "x".repeat(20) + "\n", t.plusNanos(i)));
        }
        Files.writeString(f, b);
        double best = Double.MAX_VALUE;
        for (int run = 0; run < 3; run++) {
            long t0 = System.nanoTime();
            int lines = 0;
            try (JsonFileTailer tailer = JsonFileTailer.open(f, null)) {
                List<LogEntry> got;
                while (!(got = tailer.poll(1 << 20)).isEmpty()) {
                    lines += got.size();
                }
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            assertThat(lines).isEqualTo(n);
        }
        System.out.printf("json-file tailer: %d records (%.0f MB) in %.2f s: %.0f lines/s%n", n, Files.size(f) / 1e6,
                best, n / best);
    }
}
