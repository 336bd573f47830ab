package io.kube4j.benchmarks;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.informer.SharedInformerFactory;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Informer initial sync and steady-state event intake: kube4j's SharedIndexInformer against fabric8's informer,
 * same apiserver, same pods, same run. Pods are bulk-loaded straight into etcd (the apiserver's watch cache picks
 * them up) because creating 50,000 pods through the API would take minutes here. Settings: {@code -Dpods=50000
 * -Dupdates=5000}.
 */
public final class InformerBenchmark {

    public static void main(String[] args) throws Exception {
        int pods = BenchSupport.intProp("pods", 50_000);
        int updates = BenchSupport.intProp("updates", 5_000);
        String ns = "bench";
        EtcdServer etcd = BenchSupport.startEtcd();
        try (ApiServerProcess api = ApiServerProcess.start(etcd.endpoint(), etcd.baseDir());
             Client jetcd = Client.builder().endpoints(etcd.endpoint()).build()) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            http.send(HttpRequest.newBuilder(URI.create(api.url() + "/api/v1/namespaces"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"" + ns + "\"}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            KV kv = jetcd.getKVClient();
            long t0 = System.nanoTime();
            putAll(kv, ns, 0, pods, "v1");
            awaitCount(http, api.url(), ns, pods);
            System.out.printf(Locale.ROOT, "InformerBenchmark: %d pods of %d bytes bulk-loaded in %.1f s; %d updates for the "
                            + "steady-state part%n%s%n", pods, BenchSupport.podJson(ns, "p").length(), (System.nanoTime() - t0) / 1e9,
                    updates, BenchSupport.storageNote(etcd));

            // kube4j
            long heap0 = usedHeapAfterGc();
            KubeClient kube = KubeClient.create(ClientConfig.of(api.url()));
            SharedInformerFactory factory = SharedInformerFactory.forClient(kube, Duration.ZERO);
            var informer = factory.informerFor(Pod.class, ns);
            AtomicLong k4jEvents = new AtomicLong();
            informer.addEventHandler(new io.kube4j.client.informer.ResourceEventHandler<>() {
                public void onAdd(Pod p) {
                    k4jEvents.incrementAndGet();
                }

                public void onUpdate(Pod o, Pod n) {
                    k4jEvents.incrementAndGet();
                }

                public void onDelete(Pod p, boolean unknown) {
                    k4jEvents.incrementAndGet();
                }
            });
            long s0 = System.nanoTime();
            factory.startAll();
            if (!factory.waitForCacheSync(Duration.ofMinutes(5))) {
                throw new IllegalStateException("kube4j informer did not sync");
            }
            awaitAtLeast(k4jEvents::get, pods, Duration.ofMinutes(2));
            double k4jSync = (System.nanoTime() - s0) / 1e9;
            long heapK = usedHeapAfterGc() - heap0;
            double k4jRate = steadyState(kv, ns, pods, updates, "k4j", k4jEvents::get, pods);
            factory.stopAll();
            kube.close();
            informer = null;
            factory = null;

            // fabric8
            long heap1 = usedHeapAfterGc();
            KubernetesClient f8 = new KubernetesClientBuilder().withConfig(new ConfigBuilder(io.fabric8.kubernetes.client.Config.empty()).withMasterUrl(api.url())
                    .withRequestTimeout(60_000).build()).build();
            AtomicLong f8Events = new AtomicLong();
            long s1 = System.nanoTime();
            SharedIndexInformer<Pod> f8Informer = f8.pods().inNamespace(ns).inform(new ResourceEventHandler<>() {
                public void onAdd(Pod p) {
                    f8Events.incrementAndGet();
                }

                public void onUpdate(Pod o, Pod n) {
                    f8Events.incrementAndGet();
                }

                public void onDelete(Pod p, boolean unknown) {
                    f8Events.incrementAndGet();
                }
            }, 0);
            awaitAtLeast(() -> f8Informer.hasSynced() ? f8Events.get() : -1, pods, Duration.ofMinutes(5));
            double f8Sync = (System.nanoTime() - s1) / 1e9;
            long heapF = usedHeapAfterGc() - heap1;
            double f8Rate = steadyState(kv, ns, pods, updates, "f8", f8Events::get, pods);
            f8Informer.close();
            f8.close();

            System.out.printf(Locale.ROOT, "initial sync of %d pods: kube4j %.2f s, fabric8 %.2f s%n", pods, k4jSync, f8Sync);
            System.out.printf(Locale.ROOT, "cache heap per 1,000 pods: kube4j %.2f MiB, fabric8 %.2f MiB%n",
                    heapK / 1048576.0 / (pods / 1000.0), heapF / 1048576.0 / (pods / 1000.0));
            System.out.printf(Locale.ROOT, "steady-state intake (%d updates written to etcd at full speed): kube4j %.0f events/s, "
                    + "fabric8 %.0f events/s%n", updates, k4jRate, f8Rate);
        } finally {
            etcd.destroy();
        }
        System.exit(0);
    }

    /** Writes {@code updates} pod changes straight to etcd and returns events/s seen by the informer until all arrived. */
    private static double steadyState(KV kv, String ns, int pods, int updates, String tag, LongSupplier seen, long base)
            throws Exception {
        long before = seen.getAsLong();
        long start = System.nanoTime();
        putAll(kv, ns, 0, updates, tag);
        awaitAtLeast(seen, before + updates, Duration.ofMinutes(3));
        return updates / ((System.nanoTime() - start) / 1e9);
    }

    private static void putAll(KV kv, String ns, int from, int count, String version) throws Exception {
        Semaphore inFlight = new Semaphore(64);
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            String name = String.format(Locale.ROOT, "p-%06d", i % Math.max(1, count));
            String json = BenchSupport.podJson(ns, name).replace("\"version\":\"v1.4.2\"", "\"version\":\"" + version + "\"")
                    .replace("\"metadata\":{", "\"metadata\":{\"uid\":\"00000000-0000-0000-0000-" + String.format("%012d", i)
                            + "\",\"creationTimestamp\":\"2026-11-27T00:00:00Z\",");
            inFlight.acquire();
            all.add(kv.put(ByteSequence.from("/registry/pods/" + ns + "/" + name, StandardCharsets.UTF_8),
                    ByteSequence.from(json, StandardCharsets.UTF_8)).whenComplete((r, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
    }

    private static void awaitCount(HttpClient http, String url, String ns, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            String body = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/" + ns + "/pods?limit=1"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            int i = body.indexOf("\"remainingItemCount\":");
            if (i > 0 && Long.parseLong(body.substring(i + 21).split("[,}]")[0].trim()) + 1 >= n) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the apiserver never listed " + n + " pods");
    }

    private static void awaitAtLeast(LongSupplier value, long target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (value.getAsLong() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out at " + value.getAsLong() + " of " + target);
            }
            Thread.sleep(5);
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
