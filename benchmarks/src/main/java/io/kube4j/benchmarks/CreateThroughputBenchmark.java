package io.kube4j.benchmarks;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.kube4j.apiserver.testsupport.EtcdServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * Pod creates through the apiserver (HTTP, C concurrent clients) against raw etcd puts of the same bytes with the same
 * concurrency, on the same etcd in the same run. Settings: {@code -Dn=5000 -Dconcurrency=32 -Dwarmup=500
 * -Detcd.dir=<dir>}.
 */
public final class CreateThroughputBenchmark {

    public static void main(String[] args) throws Exception {
        int n = BenchSupport.intProp("n", 5000);
        int c = BenchSupport.intProp("concurrency", 32);
        int warmup = BenchSupport.intProp("warmup", 500);
        String ns = "bench";
        EtcdServer etcd = BenchSupport.startEtcd();
        try (ApiServerProcess api = ApiServerProcess.start(etcd.endpoint(), etcd.baseDir());
             Client jetcd = Client.builder().endpoints(etcd.endpoint()).build()) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            int podBytes = BenchSupport.podJson(ns, "p-000000").getBytes(StandardCharsets.UTF_8).length;
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(api.url() + "/api/v1/namespaces"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"" + ns + "\"}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 201) {
                throw new IllegalStateException("cannot create namespace " + ns + ": " + created.body());
            }
            System.out.printf(Locale.ROOT, "CreateThroughputBenchmark: %d pods of %d bytes JSON, %d concurrent clients, "
                    + "warm-up %d each (not counted)%n%s%napiserver pid %d at %s (separate JVM; client in this JVM)%n",
                    n, podBytes, c, warmup, BenchSupport.storageNote(etcd), api.pid(), api.url());

            KV kv = jetcd.getKVClient();
            IntFunction<IntFunction<CompletableFuture<String>>> etcdPut = offset -> i -> {
                String key = "/bench-raw/pods/" + ns + "/p-" + (offset + i);
                byte[] value = BenchSupport.podJson(ns, "p-" + (offset + i)).getBytes(StandardCharsets.UTF_8);
                return kv.put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value))
                        .thenApply(r -> (String) null);
            };
            IntFunction<IntFunction<CompletableFuture<String>>> apiCreate = offset -> i -> {
                String body = BenchSupport.podJson(ns, "p-" + (offset + i));
                HttpRequest req = HttpRequest.newBuilder(URI.create(api.url() + "/api/v1/namespaces/" + ns + "/pods"))
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                        .thenApply(r -> r.statusCode() == 201 ? null : r.statusCode() + " " + r.body());
            };

            BenchSupport.closedLoop(warmup, c, etcdPut.apply(1_000_000));
            BenchSupport.Run raw = BenchSupport.closedLoop(n, c, etcdPut.apply(0));
            BenchSupport.closedLoop(warmup, c, apiCreate.apply(1_000_000));
            double cpu0 = api.cpuSeconds();
            BenchSupport.Run viaApi = BenchSupport.closedLoop(n, c, apiCreate.apply(0));
            double cpu = api.cpuSeconds() - cpu0;

            System.out.printf(Locale.ROOT, "raw etcd put (jetcd):     %8.0f ops/s  %s  failures %d%n",
                    raw.opsPerSecond(), raw.latencySummary(), raw.failures());
            System.out.printf(Locale.ROOT, "apiserver create (HTTP):  %8.0f ops/s  %s  failures %d%n",
                    viaApi.opsPerSecond(), viaApi.latencySummary(), viaApi.failures());
            if (viaApi.firstFailure() != null) {
                System.out.println("  first apiserver failure: " + viaApi.firstFailure());
            }
            double ratio = viaApi.opsPerSecond() / raw.opsPerSecond();
            long[] sorted = viaApi.latencies().clone();
            java.util.Arrays.sort(sorted);
            double p99 = BenchSupport.pct(sorted, 99);
            System.out.printf(Locale.ROOT, "apiserver/etcd throughput ratio: %.2f (goal >= 0.50: %s); apiserver p99 %.1f ms "
                            + "(goal < 50 ms: %s)%n", ratio, ratio >= 0.5 ? "met" : "MISSED", p99, p99 < 50 ? "met" : "MISSED");
            System.out.printf(Locale.ROOT, "apiserver process: %.1f s CPU for the measured creates (%.2f cores on average, "
                            + "%.2f ms CPU per create), RSS %.0f MiB%n", cpu, cpu / (viaApi.wallNanos() / 1e9),
                    cpu * 1000 / n, api.rssMiB());
        } finally {
            etcd.destroy();
        }
        System.exit(0);
    }
}
