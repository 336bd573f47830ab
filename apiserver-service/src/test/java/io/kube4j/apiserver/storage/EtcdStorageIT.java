package io.kube4j.apiserver.storage;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The storage contract against a real etcd, plus etcd-specific behaviour (leases, metrics, restarts). */
class EtcdStorageIT extends StorageContractTest {

    private static EtcdServer etcd;
    private static PrometheusMeterRegistry registry;
    private static EtcdStorage storage;

    @BeforeAll
    static void connect() {
        etcd = EtcdServer.shared();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        storage = new EtcdStorage(new EtcdStorageConfig(List.of(etcd.endpoint()), Duration.ofSeconds(10),
                Duration.ofSeconds(5), null, null, null), registry);
    }

    @AfterAll
    static void disconnect() {
        if (storage != null) {
            storage.close();
        }
    }

    @Override
    protected Storage storage() {
        return storage;
    }

    @Test
    void burstOfTtlWritesSharesLeases() throws Exception {
        int count = 200;
        Flux.range(0, count)
                .flatMap(i -> storage.create(key("events/" + i), bytes("e"), Duration.ofMinutes(10)), 64)
                .doOnNext(r -> assertThat(r.succeeded()).isTrue())
                .blockLast(TIMEOUT);

        try (Client raw = Client.builder().endpoints(etcd.endpoint()).build()) {
            List<KeyValue> kvs = raw.getKVClient()
                    .get(ByteSequence.from(key("events/"), StandardCharsets.UTF_8),
                            GetOption.builder().isPrefix(true).withKeysOnly(true).build())
                    .get(10, TimeUnit.SECONDS).getKvs();
            Set<Long> leases = kvs.stream().map(KeyValue::getLease).collect(Collectors.toSet());
            assertThat(kvs).hasSize(count);
            assertThat(leases).doesNotContain(0L);
            // one lease per reuse window (30 s for a 10 min TTL): a burst fits in one or two windows
            assertThat(leases.size()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void listsLargerThanGrpcsDefaultMessageSizeAreRead() {
        // six values of 1 MB (under etcd's 1.5 MiB request limit) make a 6 MB range response, over gRPC's 4 MiB default
        byte[] value = new byte[1_000_000];
        java.util.Arrays.fill(value, (byte) 'x');
        for (int i = 0; i < 6; i++) {
            assertThat(block(storage.create(key("big/" + i), value, null)).succeeded()).isTrue();
        }
        ListPage page = block(storage.list(key("big/"), null, 0, 0));
        assertThat(page.items()).hasSize(6).allSatisfy(kv -> assertThat(kv.value()).hasSize(value.length));
    }

    @Test
    void requestsAreTimedPerOperationAndResource() {
        WriteResult created = create("a", "v");
        block(storage.get(key("a")));
        block(storage.update(key("a"), bytes("v2"), created.revision(), null));
        block(storage.list(key(""), null, 0, 0));
        block(storage.delete(key("a"), 0));

        for (String operation : List.of("create", "get", "update", "list", "delete")) {
            Timer timer = registry.find(EtcdStorage.METRIC).tags("operation", operation, "type", "contract").timer();
            assertThat(timer).as(operation).isNotNull();
            assertThat(timer.count()).as(operation).isPositive();
        }
        // the histogram is published (Prometheus buckets), so latency quantiles can be aggregated across apiservers
        assertThat(registry.scrape()).contains("etcd_request_duration_seconds_bucket{")
                .containsPattern("etcd_request_duration_seconds_bucket\\{[^}]*operation=\"create\"[^}]*type=\"contract\"");
    }

    @Test
    void talksToEtcdOverTlsWithAClientCertificate() {
        EtcdServer secure = EtcdServer.withTls();
        secure.start();
        try (EtcdStorage s = new EtcdStorage(new EtcdStorageConfig(List.of(secure.endpoint()), Duration.ofSeconds(5),
                Duration.ofSeconds(2), secure.caFile().toString(), secure.clientCertFile().toString(),
                secure.clientKeyFile().toString()), new SimpleMeterRegistry())) {
            long start = block(s.currentRevision());
            WriteResult created = block(s.create(key("tls"), bytes("v"), Duration.ofSeconds(30)));
            assertThat(created.succeeded()).isTrue();
            assertThat(text(block(s.get(key("tls"))).value())).isEqualTo("v");
            StorageEvent event = s.watch(key(""), start).blockFirst(TIMEOUT);
            assertThat(event.object().key()).isEqualTo(key("tls"));
        } finally {
            secure.destroy();
        }
    }

    @Test
    void requestToAStoppedEtcdIsUnavailableNotHung() {
        EtcdServer own = new EtcdServer();
        own.start();
        try (EtcdStorage s = new EtcdStorage(new EtcdStorageConfig(List.of(own.endpoint()), Duration.ofSeconds(2),
                Duration.ofSeconds(1), null, null, null), new SimpleMeterRegistry())) {
            assertThat(block(s.create(key("a"), bytes("v"), null)).succeeded()).isTrue();
            own.stop();

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.get(key("a")).block(TIMEOUT))
                    .isInstanceOf(StorageUnavailableException.class);
        } finally {
            own.destroy();
        }
    }

    /**
     * After a longer outage the client must not sit out gRPC's exponential reconnect backoff (1 s growing by 1.6x to
     * 120 s): once etcd is back, requests succeed again within about a second, however long etcd was away.
     */
    @Test
    void reconnectsPromptlyAfterALongOutage() throws Exception {
        EtcdServer own = new EtcdServer();
        own.start();
        try (EtcdStorage s = new EtcdStorage(new EtcdStorageConfig(List.of(own.endpoint()), Duration.ofSeconds(2),
                Duration.ofSeconds(1), null, null, null), new SimpleMeterRegistry())) {
            assertThat(block(s.create(key("outage"), bytes("v"), null)).succeeded()).isTrue();
            own.kill();
            // the outage: requests keep failing (as the apiserver's watch cache keeps retrying) for 10 s
            long outageEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int failures = 0;
            while (System.nanoTime() < outageEnd) {
                try {
                    s.currentRevision().block(TIMEOUT);
                } catch (StorageUnavailableException expected) {
                    failures++;
                }
                Thread.sleep(200); // pacing of the failing requests during the outage, not a synchronisation
            }
            assertThat(failures).as("requests failed while etcd was down").isPositive();
            own.start();
            long back = System.nanoTime();
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .ignoreException(StorageUnavailableException.class)
                    .until(() -> s.currentRevision().block(TIMEOUT) > 0);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
            System.out.println("etcd client reconnected " + millis + " ms after a 10 s outage");
            assertThat(millis).as("time to the first successful request after etcd came back").isLessThan(1_500);
        } finally {
            own.destroy();
        }
    }

    @Test
    void watchSurvivesGracefulEtcdRestartWithoutLossOrDuplicates() {
        watchAcrossRestart(EtcdServer::stop);
    }

    @Test
    void watchSurvivesEtcdCrashWithoutLossOrDuplicates() {
        watchAcrossRestart(EtcdServer::kill);
    }

    /**
     * A consumer that re-watches from the last revision it saw whenever the watch reports the store unavailable
     * must see every event exactly once, whatever happens to etcd in between.
     */
    private void watchAcrossRestart(Consumer<EtcdServer> takeDown) {
        EtcdServer own = new EtcdServer();
        own.start();
        List<StorageEvent> events = new CopyOnWriteArrayList<>();
        List<Throwable> watchErrors = new CopyOnWriteArrayList<>();
        Disposable subscription = null;
        try (EtcdStorage s = new EtcdStorage(new EtcdStorageConfig(List.of(own.endpoint()), Duration.ofSeconds(2),
                Duration.ofSeconds(1), null, null, null), new SimpleMeterRegistry())) {
            String watched = key("r/");
            AtomicLong lastSeen = new AtomicLong(block(s.currentRevision()));
            subscription = Flux.defer(() -> s.watch(watched, lastSeen.get()))
                    .doOnNext(e -> lastSeen.set(e.revision()))
                    .doOnError(watchErrors::add)
                    .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, Duration.ofMillis(200))
                            .filter(e -> e instanceof StorageUnavailableException))
                    .subscribe(events::add);

            writeEventually(s, key("r/before"));
            await().atMost(TIMEOUT).until(() -> events.size() == 1);

            takeDown.accept(own);
            own.start();

            writeEventually(s, key("r/after"));
            writeEventually(s, key("r/sentinel"));
            await().atMost(TIMEOUT).until(() -> events.size() >= 3);

            assertThat(events).extracting(e -> e.object().key())
                    .containsExactly(key("r/before"), key("r/after"), key("r/sentinel"));
            for (int i = 1; i < events.size(); i++) {
                assertThat(events.get(i).revision()).isGreaterThan(events.get(i - 1).revision());
            }
            System.out.println("watch across etcd restart: " + watchErrors.size() + " watch error(s) "
                    + watchErrors.stream().map(Throwable::getMessage).toList());
        } finally {
            if (subscription != null) {
                subscription.dispose();
            }
            own.destroy();
        }
    }

    /** Creates {@code key}, retrying while etcd comes back; a create that landed before a timeout counts. */
    private static void writeEventually(EtcdStorage s, String key) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreException(StorageUnavailableException.class)
                .until(() -> {
                    WriteResult r = s.create(key, bytes("v"), null).block(TIMEOUT);
                    return r.succeeded() || r.object() != null;
                });
    }
}
