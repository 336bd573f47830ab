package io.kube4j.e2e.fault;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.watch.WatchEvent;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15, network: the link between the apiserver and etcd drops for 20 s (a black hole: nothing crosses, nothing
 * is closed, {@link CuttableTcpLink}) while clients read and write ConfigMaps and watch them. Every request ends
 * within its deadline (the apiserver's etcd request timeout) with a 5xx Status rather than hanging (a 504 Timeout
 * when the request went to etcd unanswered, since a write may still be applied); {@code /readyz} fails meanwhile;
 * the watch is not stalled once the link is back; and requests succeed again by themselves shortly after the link
 * returns.
 */
class EtcdPartitionIT {

    private static final String TAG = "[EtcdPartitionIT]";
    private static final Duration PARTITION = Duration.ofSeconds(20);
    /** The apiserver's deadline for one etcd request (its default). */
    private static final Duration ETCD_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Far beyond any answer expected here: a request still open then is a hang. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(40);
    private static final String NS = "etcd-partition";
    private static final int WORKERS = 4;

    /** One request: what it was, when it began and ended, and how ("200" or the Status code or the exception). */
    record Call(String op, String name, long startNanos, long endNanos, String outcome) {
        long millis() {
            return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
        }

        boolean ok() {
            return outcome.equals("200");
        }
    }

    @Test
    void requestsFailFastDuringAPartitionAndRecoverByThemselves() throws Exception {
        long t0 = System.nanoTime();
        EtcdServer etcd = new EtcdServer();
        CuttableTcpLink link = null;
        ApiServerInstance apiserver = null;
        KubeClient kube = null;
        Disposable watch = null;
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        try {
            etcd.start();
            URI etcdUri = URI.create(etcd.endpoint());
            link = new CuttableTcpLink(new InetSocketAddress(etcdUri.getHost(), etcdUri.getPort()));
            apiserver = ApiServerInstance.start("http://127.0.0.1:" + link.port(),
                    "kube4j.apiserver.etcd.request-timeout=" + ETCD_REQUEST_TIMEOUT.toMillis() + "ms");
            ApiServerInstance api = apiserver;
            kube = KubeClient.create(ClientConfig.of(apiserver.url()).withRequestTimeout(CLIENT_TIMEOUT));
            ResourceClient<ConfigMap> configMaps = kube.resources(ConfigMap.class);
            kube.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                    .build()).block(CLIENT_TIMEOUT);

            // a watch opened before the partition
            ConcurrentLinkedQueue<WatchEvent<ConfigMap>> events = new ConcurrentLinkedQueue<>();
            AtomicReference<Throwable> watchError = new AtomicReference<>();
            String rv = configMaps.list(NS, ListOptions.all()).block(CLIENT_TIMEOUT).getMetadata()
                    .getResourceVersion();
            watch = configMaps.watch(NS, ListOptions.all(), rv).subscribe(e -> {
                if (e.type() != WatchEvent.Type.BOOKMARK) {
                    events.add(e);
                }
            }, watchError::set);

            ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
            AtomicLong seq = new AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                workers.submit(() -> load(configMaps, worker, seq, calls, stop::get));
            }
            await("writes before the partition").atMost(Duration.ofSeconds(30))
                    .until(() -> calls.stream().filter(c -> c.op().equals("create") && c.ok()).count() >= 20);

            assertThat(readyz(api).code()).as("/readyz before the partition").isEqualTo(200);
            link.cut();
            long cutAt = System.nanoTime();
            // an apiserver that cannot reach etcd says so (kube-apiserver's "[-]etcd failed"), so that a load
            // balancer or a readiness probe takes it out of rotation
            ApiClient.Response notReady = await("/readyz fails while etcd is unreachable").atMost(PARTITION)
                    .until(() -> readyz(api), r -> r.code() == 503);
            long notReadyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
            long bytesCut = link.forwardedBytes();
            // the partition lasts its time while the load runs: the fault's duration, not a synchronisation
            TimeUnit.NANOSECONDS.sleep(Math.max(0, cutAt + PARTITION.toNanos() - System.nanoTime()));
            assertThat(link.forwardedBytes()).as("bytes across the link while it is cut").isEqualTo(bytesCut);
            int connections = link.connections();
            link.restore();
            long restoredAt = System.nanoTime();
            await("/readyz passes again").atMost(Duration.ofSeconds(20)).until(() -> readyz(api).code() == 200);
            long readyAgainMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restoredAt);

            await("a write begun after the link came back succeeds").atMost(Duration.ofSeconds(30))
                    .until(() -> calls.stream().anyMatch(c -> c.startNanos() > restoredAt && c.op().equals("create")
                            && c.ok()));
            long recoveredAt = calls.stream().filter(c -> c.startNanos() > restoredAt && c.op().equals("create")
                    && c.ok()).mapToLong(Call::endNanos).min().orElseThrow();
            // the watch carries a write made after the partition
            long probeStart = System.nanoTime();
            ConfigMap probe = configMaps.create(new ConfigMapBuilder().withNewMetadata().withNamespace(NS)
                    .withName("after-partition").endMetadata().addToData("k", "v").build()).block(CLIENT_TIMEOUT);
            await("the watch delivers a write made after the partition").atMost(Duration.ofSeconds(20))
                    .until(() -> watchError.get() != null || events.stream().anyMatch(e -> e.object().getMetadata()
                            .getName().equals("after-partition")));
            assertThat(watchError.get()).as("watch error").isNull();
            long watchLagMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - probeStart);

            stop.set(true);
            workers.shutdown();
            assertThat(workers.awaitTermination(CLIENT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS))
                    .as("the load stops").isTrue();

            List<Call> during = calls.stream().filter(c -> c.endNanos() > cutAt && c.startNanos() < restoredAt)
                    .toList();
            List<Call> failed = during.stream().filter(c -> !c.ok()).toList();
            Map<String, Long> outcomes = new TreeMap<>(during.stream().collect(Collectors.groupingBy(
                    c -> c.op() + " " + c.outcome(), Collectors.counting())));
            long slowest = calls.stream().mapToLong(Call::millis).max().orElse(0);
            Call slowestCall = calls.stream().max(java.util.Comparator.comparingLong(Call::millis)).orElseThrow();
            System.out.printf("%s partition %d s (%d connections held open across it), etcd request timeout %d ms: "
                            + "%d requests overlapped it, by outcome %s; slowest answer %d ms (%s %s)%n", TAG,
                    PARTITION.toSeconds(),
                    connections, ETCD_REQUEST_TIMEOUT.toMillis(), during.size(), outcomes, slowest, slowestCall.op(),
                    slowestCall.outcome());
            // a write that timed out may still have reached etcd (it waited in the link): its outcome is unknown to
            // the client, as with any timeout; count them
            java.util.Set<String> stored = configMaps.list(NS, ListOptions.all()).block(CLIENT_TIMEOUT).getItems()
                    .stream().map(c -> c.getMetadata().getName()).collect(Collectors.toSet());
            List<Call> failedCreates = calls.stream().filter(c -> c.op().equals("create") && !c.ok()).toList();
            long appliedAnyway = failedCreates.stream().filter(c -> stored.contains(c.name())).count();
            System.out.printf("%s failed creates that were stored anyway (outcome unknown to the client): %d of %d%n",
                    TAG, appliedAnyway, failedCreates.size());
            System.out.printf("%s /readyz: 503 %d ms into the partition (%s), 200 again %d ms after it%n", TAG,
                    notReadyMs, notReady.body().replace('\n', ' '), readyAgainMs);
            System.out.printf("%s first successful write %d ms after the link came back; the watch delivered a "
                            + "write %d ms after it was made; %d requests in all, %d failed%n", TAG,
                    TimeUnit.NANOSECONDS.toMillis(recoveredAt - restoredAt), watchLagMs, calls.size(),
                    calls.stream().filter(c -> !c.ok()).count());

            assertThat(failed).as("requests failed during the partition").isNotEmpty();
            assertThat(calls.stream().filter(c -> !c.ok()).map(Call::outcome).distinct().toList())
                    .as("every failure is a 503/504 Status (not a hang, a 500, or a dropped connection)")
                    .allMatch(o -> o.equals("503") || o.equals("504"));
            assertThat(failedCreates.stream().filter(c -> stored.contains(c.name())).map(Call::outcome).toList())
                    .as("failed creates that were stored anyway: a 504 Timeout (outcome unknown), never a 503 that "
                            + "tells the client nothing was done").allMatch(o -> o.equals("504"));
            assertThat(slowest).as("slowest answer (ms): bounded by the etcd request deadline, not the partition")
                    .isLessThan(2 * ETCD_REQUEST_TIMEOUT.toMillis() + 2_000);
            assertThat(TimeUnit.NANOSECONDS.toMillis(recoveredAt - restoredAt))
                    .as("ms from the link's return to the first successful write").isLessThan(10_000);
            assertThat(probe).isNotNull();
        } finally {
            workers.shutdownNow();
            if (watch != null) {
                watch.dispose();
            }
            if (kube != null) {
                kube.close();
            }
            if (apiserver != null) {
                apiserver.close();
            }
            if (link != null) {
                link.close();
            }
            etcd.destroy();
            System.out.printf("%s wall time %.1f s%n", TAG, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** {@code GET /readyz}, bounded (a probe that hangs is a failure too). */
    private static ApiClient.Response readyz(ApiServerInstance apiserver) {
        long start = System.nanoTime();
        ApiClient.Response r = apiserver.client().get("/readyz");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("/readyz answer (ms)")
                .isLessThan(ETCD_REQUEST_TIMEOUT.toMillis());
        return r;
    }

    /** One worker: creates a ConfigMap, reads it back, lists the namespace; again and again, about 10 a second. */
    private static void load(ResourceClient<ConfigMap> configMaps, int worker, AtomicLong seq,
                             ConcurrentLinkedQueue<Call> calls, java.util.function.BooleanSupplier stop) {
        while (!stop.getAsBoolean()) {
            String name = "cm-" + worker + "-" + seq.incrementAndGet();
            call(calls, "create", name, () -> configMaps.create(new ConfigMapBuilder().withNewMetadata()
                    .withNamespace(NS)
                    .withName(name).endMetadata().addToData("k", "v").build()).block(CLIENT_TIMEOUT));
            call(calls, "get", name, () -> configMaps.get(NS, name).block(CLIENT_TIMEOUT));
            call(calls, "list", null, () -> configMaps.list(NS, ListOptions.all()).block(CLIENT_TIMEOUT));
            try {
                TimeUnit.MILLISECONDS.sleep(100); // pacing, not a synchronisation
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void call(ConcurrentLinkedQueue<Call> calls, String op, String name, Runnable request) {
        long start = System.nanoTime();
        String outcome;
        try {
            request.run();
            outcome = "200";
        } catch (ApiStatusException e) {
            outcome = Integer.toString(e.code());
        } catch (RuntimeException e) {
            outcome = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        calls.add(new Call(op, name, start, System.nanoTime(), outcome));
    }
}
