package io.kube4j.addons.logging.collect;

import io.kube4j.addons.logging.store.LogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JsonFileTailerTest {

    @TempDir
    Path dir;

    static String record(String log, Instant t) {
        return "{\"log\":\"" + log.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
                + "\",\"stream\":\"stdout\",\"time\":\"" + t + "\"}\n";
    }

    static void append(Path f, String s) throws IOException {
        Files.writeString(f, s, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static List<String> lines(List<LogEntry> entries) {
        return entries.stream().map(LogEntry::line).toList();
    }

    @Test
    void readsLinesAndTimestampsAndWaitsForTheRestOfATornRecord() throws IOException {
        Path f = dir.resolve("c-json.log");
        Instant t = Instant.parse("2026-11-28T10:00:00.123456789Z");
        append(f, record("one\n", t) + record("two\n", t.plusNanos(1)));
        String third = record("three \"quoted\"\n", t.plusNanos(2));
        append(f, third.substring(0, 10)); // the engine is mid-write
        try (JsonFileTailer tailer = JsonFileTailer.open(f, null)) {
            List<LogEntry> first = tailer.poll(1 << 20);
            assertThat(lines(first)).containsExactly("one", "two");
            assertThat(first.get(0).timestamp()).isEqualTo(t);
            append(f, third.substring(10));
            assertThat(lines(tailer.poll(1 << 20))).containsExactly("three \"quoted\"");
            assertThat(tailer.poll(1 << 20)).isEmpty();
        }
    }

    @Test
    void joinsLinesDockerSplitAt16KiB() throws IOException {
        Path f = dir.resolve("c-json.log");
        Instant t = Instant.parse("2026-11-28T10:00:00Z");
        append(f, record("part one, ", t) + record("part two\n", t.plusMillis(1)));
        try (JsonFileTailer tailer = JsonFileTailer.open(f, null)) {
            List<LogEntry> e = tailer.poll(1 << 20);
            assertThat(lines(e)).containsExactly("part one, part two");
            assertThat(e.get(0).timestamp()).isEqualTo(t);
        }
    }

    @Test
    void readsToTheEndAfterTheFileIsDeleted() throws IOException {
        Path f = dir.resolve("c-json.log");
        Instant t = Instant.parse("2026-11-28T10:00:00Z");
        append(f, record("before open\n", t));
        try (JsonFileTailer tailer = JsonFileTailer.open(f, null)) {
            StringBuilder b = new StringBuilder();
            for (int i = 1; i <= 1000; i++) {
                b.append(record("line " + i + "\n", t.plusMillis(i)));
            }
            append(f, b.toString());
            Files.delete(f); // the container is removed before the collector read its last lines
            List<String> got = lines(tailer.poll(Integer.MAX_VALUE));
            assertThat(got).hasSize(1001).startsWith("before open", "line 1").endsWith("line 1000");
        }
    }

    @Test
    void followsARotationAfterFinishingTheOldFile() throws IOException {
        Path f = dir.resolve("c-json.log");
        Instant t = Instant.parse("2026-11-28T10:00:00Z");
        append(f, record("a\n", t));
        try (JsonFileTailer tailer = JsonFileTailer.open(f, null)) {
            assertThat(lines(tailer.poll(1 << 20))).containsExactly("a");
            append(f, record("b\n", t.plusSeconds(1)));
            Files.move(f, dir.resolve("c-json.log.1"));
            append(f, record("c\n", t.plusSeconds(2)));
            assertThat(lines(tailer.poll(1 << 20))).containsExactly("b", "c");
        }
    }

    @Test
    void resumesAtItsCheckpointWithoutLossOrDuplicates() throws IOException {
        Path f = dir.resolve("c-json.log");
        Instant t = Instant.parse("2026-11-28T10:00:00Z");
        append(f, record("1\n", t) + record("2\n", t.plusSeconds(1)));
        Checkpoint cp;
        try (JsonFileTailer tailer = JsonFileTailer.open(f, null)) {
            assertThat(lines(tailer.poll(1 << 20))).containsExactly("1", "2");
            cp = tailer.checkpoint();
        }
        append(f, record("3\n", t.plusSeconds(2)));
        try (JsonFileTailer tailer = JsonFileTailer.open(f, cp)) {
            assertThat(lines(tailer.poll(1 << 20))).containsExactly("3");
        }
    }

    @Test
    void afterARotationWhileStoppedSkipsWhatWasShippedByTime() throws IOException {
        Path f = dir.resolve("c-json.log");
        Instant t = Instant.parse("2026-11-28T10:00:00Z");
        append(f, record("1\n", t));
        Checkpoint cp;
        try (JsonFileTailer tailer = JsonFileTailer.open(f, null)) {
            tailer.poll(1 << 20);
            cp = tailer.checkpoint();
        }
        Files.move(f, dir.resolve("c-json.log.1"));
        append(f, record("1 again (same time)\n", t) + record("2\n", t.plusSeconds(1)));
        try (JsonFileTailer tailer = JsonFileTailer.open(f, cp)) {
            assertThat(lines(tailer.poll(1 << 20))).containsExactly("2");
        }
    }
}
