package io.kube4j.apiserver.storage.embedded;

import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageContractTest;
import io.kube4j.apiserver.storage.StorageEvent;
import io.kube4j.apiserver.storage.StoredObject;
import io.kube4j.apiserver.storage.WriteResult;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The storage contract on the embedded store (no etcd needed), plus what only a local file has: reopen, crashes. */
class EmbeddedStorageTest extends StorageContractTest {

    private static Path sharedDir;
    private static SimpleMeterRegistry registry;
    private static EmbeddedStorage storage;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() throws IOException {
        sharedDir = Files.createTempDirectory("embedded-store-contract");
        registry = new SimpleMeterRegistry();
        storage = new EmbeddedStorage(EmbeddedStorageConfig.of(sharedDir), registry);
    }

    @AfterAll
    static void closeStore() throws IOException {
        storage.close();
        try (var paths = Files.walk(sharedDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Override
    protected Storage storage() {
        return storage;
    }

    @Test
    void reopenKeepsEverythingAndRevisionsContinue() {
        long before;
        try (EmbeddedStorage s = new EmbeddedStorage(EmbeddedStorageConfig.of(dir), new SimpleMeterRegistry())) {
            WriteResult a = block(s.create(key("a"), bytes("a1"), null));
            block(s.update(key("a"), bytes("a2"), a.revision(), null));
            block(s.create(key("b"), bytes("b1"), null));
            block(s.delete(key("b"), 0));
            before = block(s.currentRevision());
        }
        try (EmbeddedStorage s = new EmbeddedStorage(EmbeddedStorageConfig.of(dir), new SimpleMeterRegistry())) {
            assertThat(block(s.currentRevision())).isEqualTo(before);
            StoredObject a = block(s.get(key("a")));
            assertThat(text(a.value())).isEqualTo("a2");
            assertThat(block(s.get(key("b")))).isNull();
            // history survives too: a watch from the start replays all four changes
            List<StorageEvent> events = s.watch(key(""), 0).take(4).collectList().block(TIMEOUT);
            assertThat(events).extracting(StorageEvent::type).containsExactly(StorageEvent.Type.PUT,
                    StorageEvent.Type.PUT, StorageEvent.Type.PUT, StorageEvent.Type.DELETE);
            WriteResult c = block(s.create(key("c"), bytes("c1"), null));
            assertThat(c.revision()).isEqualTo(before + 1);
        }
    }

    @Test
    void ttlExpiresAfterReopenWithADeleteEvent() {
        AtomicLong now = new AtomicLong(1_000_000);
        long created;
        try (EmbeddedStorage s = new EmbeddedStorage(EmbeddedStorageConfig.of(dir), new SimpleMeterRegistry(), now::get)) {
            created = block(s.create(key("lease"), bytes("v"), Duration.ofSeconds(60))).revision();
            block(s.create(key("stays"), bytes("v"), null));
        }
        try (EmbeddedStorage s = new EmbeddedStorage(EmbeddedStorageConfig.of(dir), new SimpleMeterRegistry(), now::get)) {
            var deletes = s.watch(key(""), created + 1).next().toFuture();
            now.addAndGet(61_000);
            await().atMost(TIMEOUT).until(() -> block(s.get(key("lease"))) == null);
            StorageEvent event = deletes.join();
            assertThat(event.type()).isEqualTo(StorageEvent.Type.DELETE);
            assertThat(event.object().key()).isEqualTo(key("lease"));
            assertThat(block(s.get(key("stays")))).isNotNull();
        }
    }

    @Test
    void secondStoreOnTheSameDirectoryIsRefusedClearly() {
        try (EmbeddedStorage s = new EmbeddedStorage(EmbeddedStorageConfig.of(dir), new SimpleMeterRegistry())) {
            assertThatThrownBy(() -> new EmbeddedStorage(EmbeddedStorageConfig.of(dir), new SimpleMeterRegistry()))
                    .hasMessageContaining("another apiserver");
        }
    }

    @Test
    void slowWatcherIsReplayedFromTheLogWithoutLosingEvents() {
        long start = block(storage.currentRevision());
        int count = 12_000; // more than a watcher's live queue (10,000) holds
        List<StorageEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Gets live first (the initial replay caught up), then stops requesting while the writes go on: its live
        // queue overflows and it must catch up from the log without losing or repeating an event.
        reactor.core.publisher.BaseSubscriber<StorageEvent> stalled = new reactor.core.publisher.BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                subscription.request(2);
            }

            @Override
            protected void hookOnNext(StorageEvent event) {
                events.add(event);
            }
        };
        storage.watch(key("slow/"), start).subscribe(stalled);
        try {
            create("slow/first", "x");
            await().atMost(TIMEOUT).until(() -> events.size() == 1);
            reactor.core.publisher.Flux.range(0, count)
                    .flatMap(i -> storage.create(key("slow/" + i), bytes("x"), null), 64)
                    .blockLast(Duration.ofMinutes(2));
            assertThat(events).hasSize(2);
            stalled.request(Long.MAX_VALUE);
            await().atMost(TIMEOUT).until(() -> events.size() >= count + 1);
            assertThat(events).hasSize(count + 1);
            for (int i = 1; i < events.size(); i++) {
                assertThat(events.get(i).revision()).isGreaterThan(events.get(i - 1).revision());
            }
        } finally {
            stalled.dispose();
        }
    }

    @Test
    void requestsAreTimedWithTheEtcdMetricNameAndAnEmbeddedBackendTag() {
        create("m", "v");
        block(storage.get(key("m")));
        Timer timer = registry.find("etcd_request_duration_seconds")
                .tags("operation", "create", "type", "contract", "backend", "embedded").timer();
        assertThat(timer).isNotNull();
        assertThat(timer.count()).isPositive();
    }

    /** A child JVM writes until SIGKILLed; every write it saw acknowledged must be in the store afterwards. */
    @ParameterizedTest
    @ValueSource(ints = {300, 900, 1700})
    void everyAcknowledgedWriteSurvivesKillDashNine(int killAfterAcks) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashingWriter.class.getName(), dir.toString(), run)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<String, Long> acked = new LinkedHashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    String[] parts = line.split(" ");
                    acked.put(parts[1], Long.parseLong(parts[2]));
                    if (acked.size() == killAfterAcks) {
                        // SIGKILL (the handle only signals; Process.destroyForcibly would also close our end of the
                        // pipe): no shutdown hook, no close, no final commit. Acks already printed are still read.
                        child.toHandle().destroyForcibly();
                    }
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
        assertThat(acked).hasSizeGreaterThanOrEqualTo(killAfterAcks);

        try (EmbeddedStorage s = new EmbeddedStorage(EmbeddedStorageConfig.of(dir), new SimpleMeterRegistry())) {
            long maxAcked = acked.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            assertThat(block(s.currentRevision())).isGreaterThanOrEqualTo(maxAcked);
            for (Map.Entry<String, Long> e : acked.entrySet()) {
                StoredObject o = block(s.get(e.getKey()));
                assertThat(o).as("acknowledged %s at %d", e.getKey(), e.getValue()).isNotNull();
                assertThat(o.modRevision()).isEqualTo(e.getValue());
            }
            // the store is writable after the crash, and revisions continue past everything acknowledged
            WriteResult after = block(s.create(key("after-crash"), bytes("v"), null));
            assertThat(after.revision()).isGreaterThan(maxAcked);
            System.out.println("crash after " + killAfterAcks + " acks: " + acked.size() + " acknowledged, store at "
                    + after.revision() + ", file " + new File(dir.toFile(), EmbeddedStorage.FILE_NAME).length() + " B");
        }
    }
}
