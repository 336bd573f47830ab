package io.kube4j.e2e.fault;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdCluster;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.watch.WatchEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15, etcd faults: an apiserver on all three members of a real etcd cluster, ~200 writes/s of ConfigMap
 * creates and updates through the kube4j client, and a client watch opened before the load. While a follower is
 * killed, while the leader is killed, and across a stop and start of all three members: no acknowledged write is
 * lost (etcd read raw and through the apiserver), the watch delivers every acknowledged write per object in
 * resourceVersion order, failed writes are 5xx Statuses (never a hang past the client timeout), and the apiserver
 * reconnects by itself.
 *
 * <p>History: at d51bf4b the follower scenario failed once: after the killed member's store watch resumed, the watch
 * cache kept advancing but the client's HTTP watch stopped at resourceVersion ~356, neither fed nor closed, and the
 * class was disabled while that was looked for. The cause was not found. The one change to that path since is that a
 * watcher which cannot take an event is ended at once; before, it was only marked closed (fed no more) while its
 * stream waited for an error queued behind its buffer. That would explain the failure only if an event could not be
 * taken for another reason than a full buffer (the watch was ~800 events behind, its buffer holds 10,000), and no such
 * path was found. Since the failure the test passed 103 runs in a row, many under extra CPU load (about 107 in all).
 * Should it fail again, it prints where the watch stopped: the server's count of ConfigMap watch events sent, the
 * registered watchers, the watch cache's revision and the stacks of the threads carrying watches, which tells a
 * server-side stall from one in transit or in the client.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdFaultIT {

    private static final int OBJECTS = 40;
    private static final int WORKERS = 16;
    private static final long WRITE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5); // 200 writes/s in total
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(15);

    private static EtcdCluster etcd;
    private static ApiServerInstance apiserver;
    private static KubeClient kube;
    private static Client raw;
    private static final List<String> figures = new ArrayList<>();
    private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void startCluster() {
        etcd = EtcdCluster.startThree();
        apiserver = ApiServerInstance.start(etcd.endpointList());
        kube = KubeClient.create(ClientConfig.of(apiserver.url()).withRequestTimeout(CLIENT_TIMEOUT));
        raw = Client.builder().endpoints(etcd.endpoints().toArray(String[]::new)).build();
        // the apiserver's store watch and the client's watch log their restarts: count them per scenario
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger("io.kube4j.apiserver.watch.WatchCacheManager").addAppender(logs);
        Logger client = context.getLogger("io.kube4j.client.internal.HttpResourceClient");
        client.setLevel(Level.DEBUG);
        client.addAppender(logs);
        logs.start();
    }

    @AfterAll
    static void stopCluster() {
        try {
            System.out.println("[EtcdFaultIT] scenario | load    | writes acked | failed (by code)    | max gap ms | "
                    + "slowest write ms | watch events | store watch restarts / cache relists | client watch "
                    + "restarts / relists | notes");
            figures.forEach(System.out::println);
            if (kube != null) {
                kube.close();
            }
            if (raw != null) {
                raw.close();
            }
            if (apiserver != null) {
                apiserver.close();
            }
        } finally {
            if (etcd != null) {
                etcd.close();
            }
        }
    }

    @Test
    @Order(1)
    void killAFollowerUnderLoad() throws Exception {
        int leader = etcd.awaitLeader(Duration.ofSeconds(10));
        // the follower that carries the apiserver's store watch when there is one, so that the watch breaks too
        int follower = IntStream.range(0, etcd.size()).filter(i -> i != leader && etcd.watchers(i) > 0)
                .findFirst().orElse((leader + 1) % etcd.size());
        Scenario s = run("follower", Duration.ofSeconds(8), load -> {
            load.awaitAcked(150);
            load.note("killed m" + follower + (etcd.watchers(follower) > 0 ? " (had the store watch)" : ""));
            etcd.kill(follower);
            load.awaitAcked(load.acked.size() + 200);
            etcd.start(follower);
        });
        assertThat(s.maxGapMillis).as("longest time without an acknowledged write").isLessThan(3_000);
    }

    @Test
    @Order(2)
    void killTheLeaderUnderLoad() throws Exception {
        Scenario s = run("leader", Duration.ofSeconds(8), load -> {
            load.awaitAcked(150);
            int leader = etcd.awaitLeader(Duration.ofSeconds(10));
            load.note("killed m" + leader + (etcd.watchers(leader) > 0 ? " (had the store watch)" : ""));
            etcd.kill(leader);
            load.awaitAcked(load.acked.size() + 200);
            etcd.start(leader);
        });
        assertThat(s.maxGapMillis).as("longest time without an acknowledged write").isLessThan(6_000);
    }

    @Test
    @Order(3)
    void restartAllThreeUnderLoad() throws Exception {
        AtomicLong restartedAt = new AtomicLong();
        Scenario s = run("all", Duration.ofSeconds(9), load -> {
            load.awaitAcked(150);
            etcd.stopAll();
            etcd.startAll();
            restartedAt.set(System.nanoTime());
            load.awaitAckedAfter(restartedAt.get(), Duration.ofSeconds(20));
            load.note(String.format("first write %d ms after etcd was back",
                    TimeUnit.NANOSECONDS.toMillis(load.firstAckAfter(restartedAt.get()) - restartedAt.get())));
        });
        long firstAck = s.firstAckAfter(restartedAt.get());
        assertThat(TimeUnit.NANOSECONDS.toMillis(firstAck - restartedAt.get()))
                .as("first acknowledged write after etcd came back").isLessThan(2_500);
        assertThat(s.storeWatchRestarts).as("the apiserver's store watch broke and resumed").isPositive();
    }

    // ------------------------------------------------------------------------------------------------ scenario

    /** One acknowledged write: the object's resourceVersion and the sequence number written into its data. */
    record Ack(String name, long rv, long seq, long atNanos) {
    }

    /** What a scenario measured. */
    static final class Scenario {
        final String name;
        final String namespace;
        final ConcurrentLinkedQueue<Ack> acked = new ConcurrentLinkedQueue<>();
        final ConcurrentHashMap<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<WatchEvent<ConfigMap>> events = new ConcurrentLinkedQueue<>();
        final AtomicInteger relists = new AtomicInteger();
        final AtomicLong longestWriteNanos = new AtomicLong();
        final AtomicReference<Throwable> watchError = new AtomicReference<>();
        /** Sequence numbers of writes whose outcome is unknown (failed): they may or may not have been applied. */
        final Map<String, List<Long>> uncertain = new ConcurrentHashMap<>();
        final List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean stop;
        long maxGapMillis;
        double loadSeconds;
        int storeWatchRestarts;
        int cacheRelists;
        int clientWatchRestarts;

        void note(String n) {
            notes.add(n);
        }

        Scenario(String name) {
            this.name = name;
            this.namespace = "etcd-fault-" + name;
        }

        void awaitAcked(int count) {
            await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() >= count);
        }

        void awaitAckedAfter(long nanos, Duration timeout) {
            await().atMost(timeout).until(() -> acked.stream().anyMatch(a -> a.atNanos > nanos));
        }

        long firstAckAfter(long nanos) {
            return acked.stream().mapToLong(Ack::atNanos).filter(t -> t > nanos).min().orElse(Long.MAX_VALUE);
        }
    }

    /** A fault to inject while the load runs (it may block; the load keeps going). */
    interface Fault {
        void inject(Scenario load) throws Exception;
    }

    private Scenario run(String name, Duration duration, Fault fault) throws Exception {
        Scenario s = new Scenario(name);
        ResourceClient<ConfigMap> configMaps = kube.resources(ConfigMap.class);
        kube.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(s.namespace)
                .endMetadata().build()).block(CLIENT_TIMEOUT);

        Disposable watch = watch(configMaps, s);
        int logsBefore;
        synchronized (logs) {
            logsBefore = logs.list.size();
        }
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        long start = System.nanoTime();
        AtomicLong nextSlot = new AtomicLong(start);
        AtomicLong seq = new AtomicLong();
        try {
            runLoad(configMaps, s, fault, duration, workers, start, nextSlot, seq);
            verify(s, configMaps);
        } finally {
            watch.dispose();
            List<String> messages;
            synchronized (logs) {
                messages = logs.list.subList(logsBefore, logs.list.size()).stream()
                        .map(ILoggingEvent::getFormattedMessage).toList();
            }
            double seconds = s.loadSeconds;
            s.storeWatchRestarts = (int) messages.stream().filter(m -> m.startsWith("store watch broke")).count();
            s.cacheRelists = (int) messages.stream().filter(m -> m.startsWith("store watch compacted")).count();
            s.clientWatchRestarts = (int) messages.stream().filter(m -> m.startsWith("watch of")).count();
            figures.add(String.format("[EtcdFaultIT] %-8s | %5.1f s | %5d (%3.0f/s) | %4d %-14s | %6d | %6d | %5d | "
                            + "%d / %d | %d / %d | %s",
                    s.name, seconds, s.acked.size(), s.acked.size() / seconds,
                    s.failures.values().stream().mapToInt(AtomicInteger::get).sum(), new TreeMap<>(s.failures),
                    s.maxGapMillis, TimeUnit.NANOSECONDS.toMillis(s.longestWriteNanos.get()), s.events.size(),
                    s.storeWatchRestarts, s.cacheRelists, s.clientWatchRestarts, s.relists.get(),
                    String.join("; ", s.notes)));
        }
        return s;
    }

    /** Runs the paced writers for {@code duration}, injecting {@code fault} meanwhile; stops them in any case. */
    private static void runLoad(ResourceClient<ConfigMap> configMaps, Scenario s, Fault fault, Duration duration,
                                ExecutorService workers, long start, AtomicLong nextSlot, AtomicLong seq)
            throws Exception {
        try {
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                workers.submit(() -> writeLoop(configMaps, s, worker, nextSlot, seq));
            }
            fault.inject(s);
            long end = start + duration.toNanos();
            long left = end - System.nanoTime();
            if (left > 0) {
                // let the load run its course after the fault: it is the load's duration, not a synchronisation
                TimeUnit.NANOSECONDS.sleep(left);
            }
        } finally {
            s.stop = true;
            workers.shutdown();
            if (!workers.awaitTermination(CLIENT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
            s.loadSeconds = (System.nanoTime() - start) / 1e9;
        }
    }

    /** A watch of the namespace opened before the load; a 410 Gone (never expected here) relists and is counted. */
    private static Disposable watch(ResourceClient<ConfigMap> configMaps, Scenario s) {
        AtomicReference<Disposable> current = new AtomicReference<>();
        AtomicReference<String> last = new AtomicReference<>();
        Runnable[] subscribe = new Runnable[1];
        subscribe[0] = () -> current.set(configMaps.watch(s.namespace, ListOptions.all(), last.get())
                .subscribe(e -> {
                    if (e.resourceVersion() != null) {
                        last.set(e.resourceVersion());
                    }
                    if (e.type() != WatchEvent.Type.BOOKMARK) {
                        s.events.add(e);
                    }
                }, error -> {
                    if (error instanceof ApiStatusException.Gone && !s.stop) {
                        s.relists.incrementAndGet();
                        last.set(null);
                        subscribe[0].run();
                    } else {
                        s.watchError.set(error);
                    }
                }));
        // an empty namespace: the watch starts with an (empty) list, so every later write arrives as an event
        String rv = configMaps.list(s.namespace, ListOptions.all()).block(CLIENT_TIMEOUT)
                .getMetadata().getResourceVersion();
        last.set(rv);
        subscribe[0].run();
        return () -> {
            s.stop = true;
            Disposable d = current.get();
            if (d != null) {
                d.dispose();
            }
        };
    }

    /**
     * One worker: owns the objects {@code worker, worker + WORKERS, ...}, creates each once and then updates them in
     * turn with the last known resourceVersion as precondition, paced to a global rate. A failed write's outcome is
     * unknown; the worker re-reads the object before its next write to it.
     */
    private static void writeLoop(ResourceClient<ConfigMap> configMaps, Scenario s, int worker, AtomicLong nextSlot,
                                  AtomicLong seq) {
        List<String> names = new ArrayList<>();
        for (int i = worker; i < OBJECTS; i += WORKERS) {
            names.add("cm-" + i);
        }
        Map<String, String> rvs = new HashMap<>();
        java.util.Set<String> stale = new java.util.HashSet<>();
        int turn = 0;
        while (!s.stop) {
            long slot = nextSlot.getAndAdd(WRITE_INTERVAL_NANOS);
            long wait = slot - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing to 200 writes/s, not a synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            } else if (wait < -WRITE_INTERVAL_NANOS * WORKERS) {
                nextSlot.compareAndSet(slot + WRITE_INTERVAL_NANOS, System.nanoTime()); // don't burst after a stall
            }
            String name = names.get(turn++ % names.size());
            long n = seq.incrementAndGet();
            long began = System.nanoTime();
            try {
                if (stale.contains(name)) {
                    ConfigMap current = configMaps.get(s.namespace, name).onErrorResume(
                            ApiStatusException.NotFound.class, x -> reactor.core.publisher.Mono.empty())
                            .block(CLIENT_TIMEOUT);
                    if (current == null) {
                        rvs.remove(name);
                    } else {
                        rvs.put(name, current.getMetadata().getResourceVersion());
                    }
                    stale.remove(name);
                }
                ConfigMap object = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(s.namespace)
                        .withResourceVersion(rvs.get(name)).endMetadata()
                        .addToData("seq", Long.toString(n)).build();
                ConfigMap written = (rvs.containsKey(name) ? configMaps.update(object) : configMaps.create(object))
                        .block(CLIENT_TIMEOUT);
                long now = System.nanoTime();
                s.longestWriteNanos.accumulateAndGet(now - began, Math::max);
                String rv = written.getMetadata().getResourceVersion();
                rvs.put(name, rv);
                s.acked.add(new Ack(name, Long.parseLong(rv), n, now));
            } catch (RuntimeException e) {
                s.longestWriteNanos.accumulateAndGet(System.nanoTime() - began, Math::max);
                String code = e instanceof ApiStatusException a ? Integer.toString(a.code())
                        : e.getClass().getSimpleName();
                s.failures.computeIfAbsent(code, k -> new AtomicInteger()).incrementAndGet();
                s.uncertain.computeIfAbsent(name, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(n);
                stale.add(name);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ checks

    private static void verify(Scenario s, ResourceClient<ConfigMap> configMaps) throws Exception {
        // failed writes are Kubernetes Statuses with a 5xx code, never a client-side timeout (a hang), a 500 (an
        // internal error) or a 409 (each worker owns its objects and re-reads one after a failed write to it)
        for (String code : s.failures.keySet()) {
            assertThat(code).as("failed writes by code: %s", s.failures).matches("50[1-9]");
        }
        assertThat(s.acked).as("acknowledged writes").isNotEmpty();

        List<Ack> acks = new ArrayList<>(s.acked);
        acks.sort(java.util.Comparator.comparingLong(Ack::atNanos));
        long gap = 0;
        for (int i = 1; i < acks.size(); i++) {
            gap = Math.max(gap, acks.get(i).atNanos() - acks.get(i - 1).atNanos());
        }
        s.maxGapMillis = TimeUnit.NANOSECONDS.toMillis(gap);

        Map<String, Ack> lastAck = new HashMap<>();
        for (Ack a : acks) {
            lastAck.merge(a.name(), a, (x, y) -> x.rv() >= y.rv() ? x : y);
        }

        // final state: etcd read raw, and the apiserver, hold every object's last acknowledged write (or a later
        // write whose outcome was unknown to the client)
        String prefix = "/registry/configmaps/" + s.namespace + "/";
        List<KeyValue> kvs = raw.getKVClient().get(ByteSequence.from(prefix, StandardCharsets.UTF_8),
                GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS).getKvs();
        Map<String, KeyValue> inEtcd = new HashMap<>();
        kvs.forEach(kv -> inEtcd.put(kv.getKey().toString(StandardCharsets.UTF_8).substring(prefix.length()), kv));
        Map<String, ConfigMap> viaApi = new HashMap<>();
        configMaps.list(s.namespace, ListOptions.all()).block(CLIENT_TIMEOUT).getItems()
                .forEach(c -> viaApi.put(c.getMetadata().getName(), c));
        assertThat(viaApi.keySet()).as("objects through the apiserver = objects in etcd").isEqualTo(inEtcd.keySet());
        for (Ack a : lastAck.values()) {
            KeyValue kv = inEtcd.get(a.name());
            assertThat(kv).as("%s in etcd", a.name()).isNotNull();
            JsonNode stored = Codecs.json().readTree(kv.getValue().getBytes());
            long storedSeq = Long.parseLong(stored.path("data").path("seq").asString());
            assertThat(kv.getModRevision()).as("%s's revision in etcd", a.name()).isGreaterThanOrEqualTo(a.rv());
            if (kv.getModRevision() != a.rv()) {
                assertThat(s.uncertain.getOrDefault(a.name(), List.of()))
                        .as("%s: etcd holds a newer write than the last acknowledged one", a.name())
                        .contains(storedSeq);
                assertThat(storedSeq).isGreaterThan(a.seq());
            } else {
                assertThat(storedSeq).as("%s's data in etcd", a.name()).isEqualTo(a.seq());
            }
            ConfigMap api = viaApi.get(a.name());
            assertThat(api.getMetadata().getResourceVersion()).as("%s through the apiserver", a.name())
                    .isEqualTo(Long.toString(kv.getModRevision()));
            assertThat(api.getData()).containsEntry("seq", Long.toString(storedSeq));
        }

        // the watch: catches up with etcd's final state, then per object strictly increasing resourceVersions that
        // include every acknowledged write with its data
        try {
            awaitWatchCaughtUp(s, inEtcd);
        } catch (org.awaitility.core.ConditionTimeoutException | AssertionError e) {
            System.out.println(diagnostics(s));
            throw e;
        }
        verifyWatchOrder(s, acks);
    }

    /** The watch catches up with etcd's final state. */
    private static void awaitWatchCaughtUp(Scenario s, Map<String, KeyValue> inEtcd) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(s.watchError.get()).as("watch error").isNull();
            Map<String, Long> seen = new HashMap<>();
            for (WatchEvent<ConfigMap> e : s.events) {
                seen.merge(e.object().getMetadata().getName(),
                        Long.parseLong(e.object().getMetadata().getResourceVersion()), Math::max);
            }
            Map<String, Long> expected = new HashMap<>();
            inEtcd.forEach((n, kv) -> expected.put(n, kv.getModRevision()));
            assertThat(seen).as("latest resourceVersion per object seen by the watch").isEqualTo(expected);
        });
    }

    /**
     * Where a stalled watch stopped: the server's count of ConfigMap watch events sent and of registered ConfigMap
     * watchers (only this test watches ConfigMaps), the watch cache's revision, and the stacks of the threads that
     * carry watches (reactor-netty, jetcd/gRPC, reactor schedulers).
     */
    private static String diagnostics(Scenario s) {
        StringBuilder out = new StringBuilder("[EtcdFaultIT] watch diagnostics for ").append(s.name).append('\n');
        long lastRv = s.events.stream().mapToLong(e -> Long.parseLong(e.object().getMetadata().getResourceVersion()))
                .max().orElse(-1);
        out.append("  client: ").append(s.events.size()).append(" events, newest resourceVersion ").append(lastRv)
                .append('\n');
        try {
            var meters = apiserver.bean(io.micrometer.core.instrument.MeterRegistry.class);
            meters.find("apiserver_watch_events_total").tag("kind", "ConfigMap").counters()
                    .forEach(c -> out.append("  server: events sent to ConfigMap watchers ").append(c.count())
                            .append('\n'));
            meters.find("apiserver_registered_watchers").tag("kind", "ConfigMap").gauges()
                    .forEach(g -> out.append("  server: registered ConfigMap watchers ").append(g.value())
                            .append('\n'));
            out.append("  server: watch cache revision ")
                    .append(apiserver.bean(io.kube4j.apiserver.watch.WatchCacheManager.class).revision()).append('\n');
        } catch (RuntimeException e) {
            out.append("  server: ").append(e).append('\n');
        }
        Thread.getAllStackTraces().forEach((t, stack) -> {
            String n = t.getName();
            if (n.contains("reactor") || n.contains("grpc") || n.contains("executor") || n.contains("parallel")
                    || n.contains("nio") || n.contains("epoll") || n.contains("watch")) {
                out.append("  thread ").append(n).append(' ').append(t.getState()).append('\n');
                for (int i = 0; i < Math.min(stack.length, 25); i++) {
                    out.append("      at ").append(stack[i]).append('\n');
                }
            }
        });
        return out.toString();
    }

    /** Per object strictly increasing resourceVersions that include every acknowledged write with its data. */
    private static void verifyWatchOrder(Scenario s, List<Ack> acks) {
        Map<String, List<WatchEvent<ConfigMap>>> byName = new HashMap<>();
        for (WatchEvent<ConfigMap> e : s.events) {
            byName.computeIfAbsent(e.object().getMetadata().getName(), k -> new ArrayList<>()).add(e);
        }
        int missing = 0;
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<WatchEvent<ConfigMap>>> entry : byName.entrySet()) {
            long prev = 0;
            for (WatchEvent<ConfigMap> e : entry.getValue()) {
                long rv = Long.parseLong(e.object().getMetadata().getResourceVersion());
                if (rv <= prev) {
                    problems.add(entry.getKey() + ": resourceVersion " + rv + " after " + prev);
                }
                prev = rv;
            }
        }
        Map<String, Map<Long, String>> delivered = new HashMap<>();
        byName.forEach((n, es) -> es.forEach(e -> delivered.computeIfAbsent(n, k -> new HashMap<>())
                .put(Long.parseLong(e.object().getMetadata().getResourceVersion()), e.object().getData().get("seq"))));
        for (Ack a : acks) {
            String seq = delivered.getOrDefault(a.name(), Map.of()).get(a.rv());
            if (!Long.toString(a.seq()).equals(seq)) {
                missing++;
                if (problems.size() < 20) {
                    problems.add(a.name() + "@" + a.rv() + " (seq " + a.seq() + ") delivered as " + seq);
                }
            }
        }
        assertThat(problems).as("watch order/gaps (%d acknowledged writes missing, %d relists)", missing,
                s.relists.get()).isEmpty();
        assertThat(s.relists.get()).as("relists").isZero();
    }
}
