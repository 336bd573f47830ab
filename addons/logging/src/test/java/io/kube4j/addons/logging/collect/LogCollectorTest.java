package io.kube4j.addons.logging.collect;

import io.kube4j.addons.logging.store.LogHit;
import io.kube4j.addons.logging.store.LogQuery;
import io.kube4j.addons.logging.store.LogStore;
import io.kube4j.api.selector.LabelSelector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.kube4j.addons.logging.collect.JsonFileTailerTest.append;
import static io.kube4j.addons.logging.collect.JsonFileTailerTest.record;
import static org.assertj.core.api.Assertions.assertThat;

class LogCollectorTest {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    @TempDir
    Path dir;

    /** The engine's containers, as the test sets them. */
    static final class FakeDirectory implements ContainerDirectory {
        final List<ContainerInfo> containers = new CopyOnWriteArrayList<>();

        @Override
        public List<ContainerInfo> list() {
            return List.copyOf(containers);
        }

        @Override
        public void watch(Runnable onChange) {
        }
    }

    final FakeDirectory engine = new FakeDirectory();
    final Map<String, Map<String, String>> pods = new java.util.concurrent.ConcurrentHashMap<>();
    final PodLabels podLabels = (ns, pod, uid) -> Optional.ofNullable(pods.get(uid));
    final MutableClock clock = new MutableClock(T0);

    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    LogStore store() {
        return new LogStore(dir.resolve("segments"), Duration.ofDays(1), 1 << 30, Clock.fixed(T0, ZoneOffset.UTC));
    }

    LogCollector collector(LogStore store, List<LogSink> sinks) {
        return new LogCollector("n1", engine, podLabels, store, sinks,
                new CheckpointFile(dir.resolve("checkpoints.json")), Duration.ofMillis(50), Duration.ofSeconds(10),
                Duration.ofSeconds(5), new SimpleMeterRegistry(), clock);
    }

    ContainerInfo container(String id, String pod, String uid) throws IOException {
        Path log = dir.resolve(id + "-json.log");
        Files.createFile(log);
        return new ContainerInfo(id, "ns", pod, uid, "main", log.toString());
    }

    static void write(ContainerInfo c, int from, int to) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = from; i <= to; i++) {
            b.append(record(c.pod() + " " + i + "\n", T0.plusMillis(i)));
        }
        append(Path.of(c.logPath()), b.toString());
    }

    static List<String> all(LogStore s, String selector) {
        return s.search(new LogQuery(null, null, null, null, null, LabelSelector.parse(selector), Instant.EPOCH,
                T0.plusSeconds(3600), 100_000)).map(LogHit::line).collectList().block();
    }

    @Test
    void aContainerRemovedBeforeItsLinesWereReadIsReadToTheEndThenLetGo() throws IOException {
        ContainerInfo c = container("c1", "web-1", "u1");
        pods.put("u1", Map.of("app", "web"));
        engine.containers.add(c);
        try (LogStore store = store()) {
            LogCollector collector = collector(store, List.of());
            collector.pollOnce();
            write(c, 1, 1000);
            Files.delete(Path.of(c.logPath())); // docker rm: file unlinked,
            engine.containers.clear();          // container gone from the engine
            collector.wake();
            assertThat(collector.pollOnce()).isEqualTo(1000);
            assertThat(collector.followedContainers()).isZero();
            List<String> lines = all(store, "app=web");
            assertThat(lines).hasSize(1000).startsWith("web-1 1").endsWith("web-1 1000");
            collector.close();
        }
    }

    @Test
    void linesWaitForThePodsLabelsUpToTheLabelWait() throws IOException {
        ContainerInfo c = container("c1", "web-1", "u1");
        engine.containers.add(c);
        write(c, 1, 3);
        try (LogStore store = store()) {
            LogCollector collector = collector(store, List.of());
            assertThat(collector.pollOnce()).isZero(); // the informer has not seen the pod yet
            pods.put("u1", Map.of("app", "web"));
            assertThat(collector.pollOnce()).isEqualTo(3);
            assertThat(all(store, "app=web")).hasSize(3);

            ContainerInfo unknown = container("c2", "ghost", "u2");
            engine.containers.add(unknown);
            write(unknown, 1, 2);
            collector.wake();
            assertThat(collector.pollOnce()).isZero();
            clock.now = T0.plusSeconds(6);
            assertThat(collector.pollOnce()).isEqualTo(2); // stored without labels rather than never
            assertThat(all(store, "")).hasSize(5);
            collector.close();
        }
    }

    @Test
    void aContainerSeenBeforeItStartedIsFollowedOnceItHasALog() throws IOException {
        ContainerInfo started = container("c1", "web-1", "u1");
        pods.put("u1", Map.of("app", "web"));
        engine.containers.add(new ContainerInfo("c1", "ns", "web-1", "u1", "main", "")); // created: no log path yet
        try (LogStore store = store()) {
            LogCollector collector = collector(store, List.of());
            collector.pollOnce();
            assertThat(collector.followedContainers()).isZero();
            engine.containers.set(0, started); // started
            write(started, 1, 3);
            clock.now = T0.plusSeconds(1); // within a second even without an event
            assertThat(collector.pollOnce()).isEqualTo(3);
            collector.close();
        }
    }

    @Test
    void aRestartNeitherLosesNorDuplicatesLines() throws IOException {
        ContainerInfo c = container("c1", "web-1", "u1");
        pods.put("u1", Map.of("app", "web"));
        engine.containers.add(c);
        write(c, 1, 100);
        try (LogStore store = store()) {
            LogCollector first = collector(store, List.of());
            first.pollOnce();
            first.close();
        }
        write(c, 101, 150); // written while the collector was down
        try (LogStore store = store()) {
            LogCollector second = collector(store, List.of());
            assertThat(second.pollOnce()).isEqualTo(50);
            List<String> lines = all(store, "app=web");
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 150; i++) {
                expected.add("web-1 " + i);
            }
            assertThat(lines).containsExactlyElementsOf(expected);
            second.close();
        }
    }

    @Test
    void sinksGetWhatTheStoreGets() throws IOException {
        ContainerInfo c = container("c1", "web-1", "u1");
        pods.put("u1", Map.of());
        engine.containers.add(c);
        write(c, 1, 5);
        List<String> forwarded = new CopyOnWriteArrayList<>();
        try (LogStore store = store()) {
            LogCollector collector = collector(store, List.of((labels, entries) ->
                    entries.forEach(e -> forwarded.add(labels.pod() + ":" + e.line()))));
            collector.pollOnce();
            assertThat(forwarded).containsExactly("web-1:web-1 1", "web-1:web-1 2", "web-1:web-1 3", "web-1:web-1 4",
                    "web-1:web-1 5");
            collector.close();
        }
    }
}
