package io.kube4j.client.informer;

import io.kube4j.client.util.TestObjects;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.PatchType;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.watch.WatchEvent;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A real apiserver: the informer's cache converges on the server's state under concurrent writes and a relist. */
class SharedInformerIT {

    private static final Duration T = Duration.ofSeconds(60);

    private static void createMany(ResourceClient<ConfigMap> cms, String ns, int n) {
        Flux.range(0, n).flatMap(i -> cms.create(TestObjects.configMap(ns, "pre-" + i, "0")), 16).blockLast(Duration.ofMinutes(5));
    }

    /** name → resourceVersion of a fresh, paginated list. */
    private static Map<String, String> serverState(ResourceClient<ConfigMap> cms, String ns) {
        Map<String, String> out = new TreeMap<>();
        String cont = null;
        do {
            KubernetesResourceList<ConfigMap> page = cms.list(ns, ListOptions.all().withLimit(500, cont)).block(T);
            page.getItems().forEach(o -> out.put(o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
            cont = page.getMetadata().getContinue();
        } while (cont != null && !cont.isEmpty());
        return out;
    }

    private static Map<String, String> cacheState(SharedIndexInformer<ConfigMap> inf) {
        return inf.getIndexer().list().stream().collect(Collectors.toMap(o -> o.getMetadata().getName(),
                o -> o.getMetadata().getResourceVersion(), (a, b) -> a, TreeMap::new));
    }

    /**
     * Checks that per object, versions only grow (a duplicate or out-of-order call is a violation), and keeps the
     * state the calls describe.
     */
    static final class MonotonicHandler implements ResourceEventHandler<ConfigMap> {
        final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
        final Map<String, String> state = new ConcurrentHashMap<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final AtomicInteger unknownDeletes = new AtomicInteger();
        final AtomicInteger updatesAndDeletes = new AtomicInteger();

        private void grow(String name, String rv, boolean strictly) {
            long v = Long.parseLong(rv);
            Long last = lastSeen.get(name);
            if (last != null && (strictly ? v <= last : v < last)) {
                violations.add(name + ": " + last + " then " + v);
            }
            lastSeen.put(name, v);
        }

        @Override
        public void onAdd(ConfigMap obj) {
            grow(obj.getMetadata().getName(), obj.getMetadata().getResourceVersion(), true);
            state.put(obj.getMetadata().getName(), obj.getMetadata().getResourceVersion());
        }

        @Override
        public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
            updatesAndDeletes.incrementAndGet();
            grow(newObj.getMetadata().getName(), newObj.getMetadata().getResourceVersion(), true);
            state.put(newObj.getMetadata().getName(), newObj.getMetadata().getResourceVersion());
        }

        @Override
        public void onDelete(ConfigMap obj, boolean finalStateUnknown) {
            updatesAndDeletes.incrementAndGet();
            // the deleted object carries its last stored version (or a newer one), never an older one
            grow(obj.getMetadata().getName(), obj.getMetadata().getResourceVersion(), false);
            state.remove(obj.getMetadata().getName());
            if (finalStateUnknown) {
                unknownDeletes.incrementAndGet();
            }
        }
    }

    /**
     * {@code threads} writers, {@code opsPerThread} each, over their own share of the {@code pre-*} objects: a create
     * of a new object, a patch or a delete. Errors (a restarting apiserver) are retried a little later.
     */
    private static List<Future<?>> write(ExecutorService pool, ResourceClient<ConfigMap> cms, String ns, int threads,
                                         int preexisting, int opsPerThread) {
        return IntStream.range(0, threads).<Future<?>>mapToObj(t -> pool.submit(() -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            for (int i = 0; i < opsPerThread; i++) {
                int target = r.nextInt(preexisting / threads) * threads + t;
                int op = r.nextInt(3);
                Mono<ConfigMap> call = switch (op) {
                    case 0 -> cms.create(TestObjects.configMap(ns, "new-" + t + "-" + i, "0"));
                    case 1 -> cms.patch(ns, "pre-" + target, PatchType.MERGE, "{\"data\":{\"v\":\"" + i + "\"}}");
                    default -> cms.delete(ns, "pre-" + target, DeleteOptions.defaults());
                };
                // an apiserver restart on a loaded machine can take well over ten seconds
                long deadline = System.nanoTime() + T.toNanos();
                while (true) {
                    try {
                        call.block(T);
                        break;
                    } catch (ApiStatusException.NotFound | ApiStatusException.AlreadyExists e) {
                        break; // deleted by an earlier op of this thread
                    } catch (RuntimeException e) {
                        if (System.nanoTime() > deadline) {
                            throw e;
                        }
                        sleep(100);
                    }
                }
            }
        })).toList();
    }

    private static void awaitAll(List<Future<?>> writers) throws Exception {
        for (Future<?> f : writers) {
            f.get(); // surfaces a writer's failure
        }
    }

    private static void assertConverged(SharedIndexInformer<ConfigMap> inf, MonotonicHandler h,
                                        ResourceClient<ConfigMap> cms, String ns) {
        Map<String, String> expected = serverState(cms, ns);
        try {
            await().atMost(T).until(() -> cacheState(inf).equals(expected) && new TreeMap<>(h.state).equals(expected));
        } catch (ConditionTimeoutException e) {
            Map<String, String> now = serverState(cms, ns);
            throw new AssertionError("informer did not converge on the server's state (informer last resourceVersion "
                    + inf.lastSyncResourceVersion() + ")\n  cache vs server: " + difference(cacheState(inf), expected)
                    + "\n  handler state vs server: " + difference(new TreeMap<>(h.state), expected)
                    + "\n  server now vs server then: " + difference(now, expected), e);
        }
        assertThat(h.violations).isEmpty();
    }

    /** The keys on which {@code actual} and {@code expected} differ, each as {@code name=actual != expected}. */
    static String difference(Map<String, String> actual, Map<String, String> expected) {
        Map<String, String> out = new TreeMap<>();
        for (String k : actual.keySet()) {
            if (!actual.get(k).equals(expected.get(k))) {
                out.put(k, actual.get(k) + " != " + expected.get(k));
            }
        }
        for (String k : expected.keySet()) {
            if (!actual.containsKey(k)) {
                out.put(k, "absent != " + expected.get(k));
            }
        }
        return out.isEmpty() ? "none" : out.size() + " keys " + out;
    }

    @Test
    void convergesOnTheServersStateWhileWritesRaceTheInitialList() throws Exception {
        int preexisting = 5_000;
        int threads = 4;
        int opsPerThread = 500; // 2,000 writes during the start
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (KubeClient client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()))) {
            String ns = TestObjects.namespace(client, "informer-it", T);
            ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
            createMany(cms, ns, preexisting);

            SharedIndexInformer<ConfigMap> inf = new SharedIndexInformer<>(cms, ns, ListOptions.all(), Duration.ZERO);
            MonotonicHandler h = new MonotonicHandler();
            inf.addEventHandler(h);
            List<Future<?>> writers = write(pool, cms, ns, threads, preexisting, opsPerThread);
            inf.start();
            try {
                await().atMost(T).until(inf::hasSynced);
                awaitAll(writers);
                assertConverged(inf, h, cms, ns);
                assertThat(h.unknownDeletes).hasValue(0);
                // no relist and no resync here: updates and deletes came from the watch, so writes ran past the list
                assertThat(h.updatesAndDeletes.get()).isPositive();
            } finally {
                inf.stop();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void convergesThroughARelistForcedByGone() throws Exception {
        int preexisting = 500;
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (ApiServerInstance small = ApiServerInstance.start(EtcdServer.shared().endpoint(),
                "kube4j.apiserver.watch-cache.window-size=50", "kube4j.apiserver.watch-cache.startup-replay=0");
             KubeClient client = KubeClient.create(ClientConfig.of(small.url()))) {
            String ns = TestObjects.namespace(client, "informer-it", T);
            ResourceClient<ConfigMap> real = client.resources(ConfigMap.class);
            createMany(real, ns, preexisting);
            CountingClient cms = new CountingClient(real);

            SharedIndexInformer<ConfigMap> inf = new SharedIndexInformer<>(cms, ns, ListOptions.all(), Duration.ZERO);
            MonotonicHandler h = new MonotonicHandler();
            inf.addEventHandler(h);
            inf.start();
            try {
                await().atMost(T).until(inf::hasSynced);
                int firstLists = cms.fullLists.get();
                List<Future<?>> writers = write(pool, real, ns, threads, preexisting, 150);
                sleep(500);
                small.restart(); // the watch cache comes back empty: resuming from before it is Gone
                awaitAll(writers);
                assertConverged(inf, h, real, ns);
                assertThat(cms.fullLists.get()).as("relisted").isGreaterThan(firstLists);
            } finally {
                inf.stop();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counts first pages of lists (each one a list or relist) and passes everything on. */
    private static final class CountingClient implements ResourceClient<ConfigMap> {
        final AtomicInteger fullLists = new AtomicInteger();
        private final ResourceClient<ConfigMap> d;

        CountingClient(ResourceClient<ConfigMap> d) {
            this.d = d;
        }

        @Override
        public Mono<KubernetesResourceList<ConfigMap>> list(String namespace, ListOptions options) {
            if (options.continueToken() == null) {
                fullLists.incrementAndGet();
            }
            return d.list(namespace, options);
        }

        @Override
        public Flux<WatchEvent<ConfigMap>> watch(String namespace, ListOptions options, String from) {
            return d.watch(namespace, options, from);
        }

        @Override
        public Mono<ConfigMap> get(String namespace, String name) {
            return d.get(namespace, name);
        }

        @Override
        public Mono<ConfigMap> create(ConfigMap object) {
            return d.create(object);
        }

        @Override
        public Mono<ConfigMap> update(ConfigMap object) {
            return d.update(object);
        }

        @Override
        public Mono<ConfigMap> updateStatus(ConfigMap object) {
            return d.updateStatus(object);
        }

        @Override
        public Mono<ConfigMap> patch(String namespace, String name, PatchType type, String patch) {
            return d.patch(namespace, name, type, patch);
        }

        @Override
        public Mono<ConfigMap> delete(String namespace, String name, DeleteOptions options) {
            return d.delete(namespace, name, options);
        }

        @Override
        public Mono<ConfigMap> updateWithRetry(String namespace, String name, UnaryOperator<ConfigMap> mutation,
                                               boolean status) {
            return d.updateWithRetry(namespace, name, mutation, status);
        }
    }
}
