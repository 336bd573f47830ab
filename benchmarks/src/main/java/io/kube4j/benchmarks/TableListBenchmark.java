package io.kube4j.benchmarks;

import io.kube4j.apiserver.testsupport.EtcdServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Locale;

/**
 * What server-side printing costs: the same list of pods as plain JSON and as the {@code meta.k8s.io/v1} Table kubectl
 * asks for, alternated on one apiserver, median and p90 of {@code -Drounds=} requests each (after a warm-up).
 * Settings: {@code -Dpods=1000 -Drounds=40 -Dconcurrency=16} (pod creation through the API).
 * {@code ./mvnw -q -pl benchmarks exec:java -Dexec.mainClass=io.kube4j.benchmarks.TableListBenchmark}
 */
public final class TableListBenchmark {

    private static final String TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,"
            + "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    public static void main(String[] args) throws Exception {
        int pods = BenchSupport.intProp("pods", 1000);
        int rounds = BenchSupport.intProp("rounds", 40);
        int concurrency = BenchSupport.intProp("concurrency", 16);
        String ns = "bench-tables";
        EtcdServer etcd = BenchSupport.startEtcd();
        try (ApiServerProcess api = ApiServerProcess.start(etcd.endpoint(), etcd.baseDir())) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            http.send(post(api.url() + "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}"),
                    HttpResponse.BodyHandlers.ofString());
            BenchSupport.Run created = BenchSupport.closedLoop(pods, concurrency, i -> http.sendAsync(
                    post(api.url() + "/api/v1/namespaces/" + ns + "/pods",
                            BenchSupport.podJson(ns, String.format(Locale.ROOT, "p-%05d", i))),
                    HttpResponse.BodyHandlers.ofString()).thenApply(r -> r.statusCode() == 201 ? null
                    : r.statusCode() + " " + r.body()));
            if (created.failures() > 0) {
                throw new IllegalStateException("pod creation failed: " + created.firstFailure());
            }
            String list = api.url() + "/api/v1/namespaces/" + ns + "/pods?limit=" + (pods + 1);
            for (int i = 0; i < 10; i++) { // warm-up: JIT both paths
                get(http, list, "application/json");
                get(http, list, TABLE_ACCEPT);
            }
            long[] json = new long[rounds];
            long[] table = new long[rounds];
            int jsonBytes = 0;
            int tableBytes = 0;
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                jsonBytes = get(http, list, "application/json");
                json[i] = System.nanoTime() - t0;
                t0 = System.nanoTime();
                tableBytes = get(http, list, TABLE_ACCEPT);
                table[i] = System.nanoTime() - t0;
            }
            Arrays.sort(json);
            Arrays.sort(table);
            System.out.printf(Locale.ROOT, "TableListBenchmark: %d pods (~%d B each), %d rounds%n%s%n", pods,
                    BenchSupport.podJson(ns, "p-00000").length(), rounds, BenchSupport.storageNote(etcd));
            System.out.printf(Locale.ROOT, "  list as JSON : median %.1f ms, p90 %.1f ms, %d bytes%n",
                    BenchSupport.pct(json, 50), BenchSupport.pct(json, 90), jsonBytes);
            System.out.printf(Locale.ROOT, "  list as Table: median %.1f ms, p90 %.1f ms, %d bytes (%.2fx the JSON median)%n",
                    BenchSupport.pct(table, 50), BenchSupport.pct(table, 90), tableBytes,
                    BenchSupport.pct(table, 50) / BenchSupport.pct(json, 50));
        }
    }

    private static HttpRequest post(String url, String json) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static int get(HttpClient http, String url, String accept) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", accept).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode());
        }
        return r.body().length;
    }
}
