package io.kube4j.benchmarks;

import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.apiserver.testsupport.TestPki;

import javax.net.ssl.SSLContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The api-gateway's cost over direct apiserver access, measured side by side in one run: etcd, a secure apiserver
 * (HTTPS, client certificates, front-proxy CA) and the api-gateway in front of it, each in a JVM of its own, and the
 * same client (JDK HttpClient, HTTP/1.1, keep-alive, the admin's client certificate) talking to either.
 * <ol>
 *   <li>GET of one pod with one request in flight (the added latency without queueing), then with
 *   {@code concurrency} in flight (throughput), and a LIST of {@code list} pods with {@code concurrency} in flight;
 *   direct and through the gateway alternate in ABBA rounds so that a load change on the machine hits both;</li>
 *   <li>watch delivery: one watch direct and one through the gateway (Kubernetes' chunked JSON, as kubectl), the
 *   same {@code updates} sequential ConfigMap patches; latency = event received minus the writer's 200.</li>
 * </ol>
 * Prints req/s, p50/p90/p99/max and the apiserver's and gateway's CPU per request. Goal (issue 9): p99 added
 * latency under 2 ms for GETs, throughput through the gateway at least 80% of direct. Settings: {@code -Dn=20000
 * -Dconcurrency=16 -Dserial=2000 -Dwarmup=2000 -Dlist=10 -Dupdates=2000 -Drounds=2 -Dapiserver.jvmArgs
 * -Dgateway.jvmArgs -Dgateway.args -Dgateway.jar -Detcd.dir}.
 */
public final class GatewayBenchmark {

    private static final Pattern SEQ = Pattern.compile("\"seq\":\"(\\d+)\"");

    /** One measured series: requests, wall time, latencies, failures, and the servers' CPU over it. */
    private record Series(String name, BenchSupport.Run run, double apiCpu, double gwCpu) {
    }

    public static void main(String[] args) throws Exception {
        int n = BenchSupport.intProp("n", 20_000);
        int concurrency = BenchSupport.intProp("concurrency", 16);
        int serial = BenchSupport.intProp("serial", 2_000);
        int warmup = BenchSupport.intProp("warmup", 2_000);
        int listSize = BenchSupport.intProp("list", 10);
        int updates = BenchSupport.intProp("updates", 2_000);
        int rounds = Math.max(1, BenchSupport.intProp("rounds", 2));
        String ns = "bench";

        EtcdServer etcd = BenchSupport.startEtcd();
        TestPki pki = TestPki.create();
        Path logDir = etcd.baseDir();
        SSLContext tls = pki.sslContext(pki.admin());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(10)).build();

        int apiPort = JvmProcess.freePort();
        List<String> apiArgs = new ArrayList<>(List.of("-jar",
                JvmProcess.findExecJar("apiserver-service", "apiserver.jar").toString(),
                "--server.port=" + apiPort, "--server.address=127.0.0.1",
                "--kube4j.apiserver.etcd.endpoints=" + etcd.endpoint(),
                // no controller creates the namespaces' "default" ServiceAccounts here
                "--kube4j.apiserver.admission.disabled-plugins=ServiceAccount"));
        pki.apiServerProperties().forEach(p -> apiArgs.add("--" + p));
        String direct = "https://127.0.0.1:" + apiPort;
        try (JvmProcess api = JvmProcess.start("apiserver", System.getProperty("apiserver.jvmArgs", "-Xms256m -Xmx1g"),
                apiArgs, logDir)) {
            api.awaitCondition(() -> status(http, direct + "/readyz") == 200, Duration.ofSeconds(300),
                    direct + "/readyz");
            int gwPort = JvmProcess.freePort();
            int gwMgmt = JvmProcess.freePort();
            List<String> gwArgs = new ArrayList<>(List.of("-jar", JvmProcess.findExecJar("api-gateway", "gateway.jar").toString(),
                    "--server.port=" + gwPort, "--server.address=127.0.0.1",
                    "--management.server.port=" + gwMgmt, "--management.server.address=127.0.0.1",
                    "--kube4j.gateway.tls.cert-file=" + pki.gatewayServing().certFile(),
                    "--kube4j.gateway.tls.key-file=" + pki.gatewayServing().keyFile(),
                    "--kube4j.gateway.tls.client-ca-file=" + pki.caFile(),
                    "--kube4j.gateway.authentication.client-ca-file=" + pki.caFile(),
                    "--kube4j.gateway.upstream.servers=" + direct,
                    "--kube4j.gateway.upstream.ca-file=" + pki.caFile(),
                    "--kube4j.gateway.upstream.client-cert-file=" + pki.frontProxyClient().certFile(),
                    "--kube4j.gateway.upstream.client-key-file=" + pki.frontProxyClient().keyFile(),
                    // the benchmark measures the forwarding path, not the per-user limits
                    "--kube4j.gateway.rate-limit.enabled=false"));
            // -Dgateway.args="--a=b --c=d": extra gateway properties (e.g. to compare settings)
            String extra = System.getProperty("gateway.args", "").trim();
            if (!extra.isEmpty()) {
                gwArgs.addAll(List.of(extra.split("\\s+")));
                System.out.println("gateway extra arguments: " + extra);
            }
            String gateway = "https://127.0.0.1:" + gwPort;
            try (JvmProcess gw = JvmProcess.start("gateway", System.getProperty("gateway.jvmArgs", "-Xms256m -Xmx512m"),
                    gwArgs, logDir)) {
                gw.awaitHttpOk("http://127.0.0.1:" + gwMgmt + "/actuator/health", Duration.ofSeconds(300));
                run(http, api, gw, direct, gateway, ns, n, concurrency, serial, warmup, listSize, updates, rounds, etcd);
            }
        }
        System.exit(0);
    }

    private static void run(HttpClient http, JvmProcess api, JvmProcess gw, String direct, String gateway, String ns,
                            int n, int concurrency, int serial, int warmup, int listSize, int updates, int rounds,
                            EtcdServer etcd) throws Exception {
        expect(201, send(http, "POST", direct + "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}"));
        for (int i = 0; i < listSize; i++) {
            expect(201, send(http, "POST", direct + "/api/v1/namespaces/" + ns + "/pods",
                    BenchSupport.podJson(ns, "gb-" + i)));
        }
        expect(201, send(http, "POST", direct + "/api/v1/namespaces/" + ns + "/configmaps",
                "{\"metadata\":{\"name\":\"watched\"},\"data\":{\"seq\":\"-1\"}}"));
        String getPath = "/api/v1/namespaces/" + ns + "/pods/gb-0";
        String listPath = "/api/v1/namespaces/" + ns + "/pods";
        // the gateway sees the same user as the apiserver
        String who = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
        String body = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}";
        HttpResponse<String> self = send(http, "POST", gateway + who, body);
        expect(201, self);
        if (!self.body().contains("\"kube4j-admin\"") || !self.body().contains("system:masters")) {
            throw new IllegalStateException("the apiserver does not see the admin through the gateway: " + self.body());
        }
        int getBytes = send(http, "GET", direct + getPath, null).body().length();
        int listBytes = send(http, "GET", direct + listPath, null).body().length();
        System.out.printf(Locale.ROOT, "GatewayBenchmark: GET one pod (%d bytes) and LIST %d pods (%d bytes), "
                        + "direct %s vs through the gateway %s%n"
                        + "client: JDK HttpClient, HTTP/1.1 keep-alive, TLS with the admin's client certificate "
                        + "(the gateway authenticates it and forwards kube4j-admin in the front-proxy headers)%n"
                        + "apiserver pid %d, gateway pid %d (separate JVMs), %s%n"
                        + "machine: %d cores, load average %.2f at start (shared machine: other work runs beside)%n",
                getBytes, listSize, listBytes, direct, gateway, api.pid(), gw.pid(), BenchSupport.storageNote(etcd),
                Runtime.getRuntime().availableProcessors(), loadAverage());

        // warm-up: JIT, connection pools (the client's, the gateway's to the apiserver), TLS sessions
        for (String base : List.of(direct, gateway)) {
            BenchSupport.closedLoop(warmup, concurrency, i -> get(http, base + (i % 4 == 0 ? listPath : getPath)));
        }

        Map<String, List<Series>> results = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            // ABBA: direct first in even rounds, the gateway first in odd ones
            List<String> order = r % 2 == 0 ? List.of(direct, gateway) : List.of(gateway, direct);
            for (String base : order) {
                String side = base.equals(direct) ? "direct" : "gateway";
                measure(results, "GET 1 pod, 1 in flight|" + side, api, gw,
                        () -> BenchSupport.closedLoop(serial / rounds, 1, i -> get(http, base + getPath)));
                measure(results, "GET 1 pod, " + concurrency + " in flight|" + side, api, gw,
                        () -> BenchSupport.closedLoop(n / rounds, concurrency, i -> get(http, base + getPath)));
                measure(results, "LIST " + listSize + " pods, " + concurrency + " in flight|" + side, api, gw,
                        () -> BenchSupport.closedLoop(n / 4 / rounds, concurrency, i -> get(http, base + listPath)));
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-28s %-8s %8s %9s %8s %8s %8s %8s %10s %10s %6s%n", "series", "path", "requests",
                "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "api µs/req", "gw µs/req", "fails");
        List<String> verdicts = new ArrayList<>();
        String[] series = results.keySet().stream().map(k -> k.substring(0, k.indexOf('|'))).distinct()
                .toArray(String[]::new);
        for (String s : series) {
            Series d = merge(results.get(s + "|direct"));
            Series g = merge(results.get(s + "|gateway"));
            print(s, "direct", d);
            print(s, "gateway", g);
            long[] ds = sorted(d.run().latencies());
            long[] gs = sorted(g.run().latencies());
            double addP50 = BenchSupport.pct(gs, 50) - BenchSupport.pct(ds, 50);
            double addP99 = BenchSupport.pct(gs, 99) - BenchSupport.pct(ds, 99);
            double ratio = g.run().opsPerSecond() / d.run().opsPerSecond();
            System.out.printf(Locale.ROOT, "%-28s %-8s added latency p50 %+.2f ms, p99 %+.2f ms; throughput %.0f%% of "
                    + "direct%n", "", "=>", addP50, addP99, 100 * ratio);
            if (s.startsWith("GET 1 pod, 1 in flight")) {
                verdicts.add(String.format(Locale.ROOT, "p99 added latency of a GET (1 in flight) %.2f ms: goal < 2 ms %s",
                        addP99, addP99 < 2 ? "MET" : "MISSED"));
            } else if (s.startsWith("GET 1 pod")) {
                verdicts.add(String.format(Locale.ROOT, "GET throughput through the gateway %.0f%% of direct "
                        + "(%d in flight): goal >= 80%% %s", 100 * ratio, concurrency, ratio >= 0.8 ? "MET" : "MISSED"));
            }
        }

        watchDelivery(http, direct, gateway, ns, updates);
        System.out.println();
        verdicts.forEach(v -> System.out.println("goal: " + v));
        System.out.printf(Locale.ROOT, "load average at the end %.2f%n", loadAverage());
    }

    @FunctionalInterface
    private interface Measured {
        BenchSupport.Run run() throws Exception;
    }

    private static void measure(Map<String, List<Series>> results, String key, JvmProcess api, JvmProcess gw,
                                Measured m) throws Exception {
        double a0 = api.cpuSeconds();
        double g0 = gw.cpuSeconds();
        BenchSupport.Run run = m.run();
        System.out.printf(Locale.ROOT, "  %s: %d requests, %.0f req/s%n", key.replace('|', ' '), run.count(),
                run.opsPerSecond());
        results.computeIfAbsent(key, k -> new ArrayList<>())
                .add(new Series(key, run, api.cpuSeconds() - a0, gw.cpuSeconds() - g0));
    }

    /** The rounds of one series as one: counts, wall times, CPU and failures add up; latencies are pooled. */
    private static Series merge(List<Series> parts) {
        int count = 0;
        long wall = 0;
        int failures = 0;
        String first = null;
        double apiCpu = 0;
        double gwCpu = 0;
        List<long[]> lat = new ArrayList<>();
        for (Series s : parts) {
            count += s.run().count();
            wall += s.run().wallNanos();
            failures += s.run().failures();
            first = first != null ? first : s.run().firstFailure();
            apiCpu += s.apiCpu();
            gwCpu += s.gwCpu();
            lat.add(s.run().latencies());
        }
        long[] all = new long[lat.stream().mapToInt(a -> a.length).sum()];
        int k = 0;
        for (long[] a : lat) {
            System.arraycopy(a, 0, all, k, a.length);
            k += a.length;
        }
        return new Series(parts.get(0).name(), new BenchSupport.Run(count, wall, all, failures, first), apiCpu, gwCpu);
    }

    private static void print(String series, String side, Series s) {
        long[] l = sorted(s.run().latencies());
        int c = s.run().count();
        System.out.printf(Locale.ROOT, "%-28s %-8s %8d %9.0f %8.2f %8.2f %8.2f %8.2f %10.0f %10s %6d%n", series, side, c,
                s.run().opsPerSecond(), BenchSupport.pct(l, 50), BenchSupport.pct(l, 90), BenchSupport.pct(l, 99),
                l[l.length - 1] / 1e6, s.apiCpu() * 1e6 / c,
                side.equals("direct") ? "-" : String.format(Locale.ROOT, "%.0f", s.gwCpu() * 1e6 / c),
                s.run().failures());
        if (s.run().firstFailure() != null) {
            System.out.println("    first failure: " + s.run().firstFailure());
        }
    }

    /**
     * One chunked-JSON watch direct and one through the gateway on the same ConfigMap; the writer patches it
     * {@code updates} times, one after the other, noting when each 200 arrived; each watch notes when it read the
     * event carrying that sequence number.
     */
    private static void watchDelivery(HttpClient http, String direct, String gateway, String ns, int updates)
            throws Exception {
        String cmPath = "/api/v1/namespaces/" + ns + "/configmaps";
        HttpResponse<String> cm = send(http, "GET", direct + cmPath + "/watched", null);
        Matcher rv = Pattern.compile("\"resourceVersion\":\"(\\d+)\"").matcher(cm.body());
        if (!rv.find()) {
            throw new IllegalStateException("no resourceVersion in " + cm.body());
        }
        String watchQuery = cmPath + "?watch=true&fieldSelector=metadata.name%3Dwatched&resourceVersion=" + rv.group(1);
        long[] acked = new long[updates];
        Watcher dw = new Watcher(http, direct + watchQuery, updates);
        Watcher gwWatch = new Watcher(http, gateway + watchQuery, updates);
        dw.awaitOpen();
        gwWatch.awaitOpen();
        int failures = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < updates; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(direct + cmPath + "/watched"))
                    .header("Content-Type", "application/merge-patch+json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"data\":{\"seq\":\"" + i + "\"}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            acked[i] = System.nanoTime();
            if (r.statusCode() != 200) {
                failures++;
            }
        }
        double writeSeconds = (System.nanoTime() - t0) / 1e9;
        dw.awaitAll(Duration.ofSeconds(30));
        gwWatch.awaitAll(Duration.ofSeconds(30));
        dw.close();
        gwWatch.close();
        System.out.println();
        System.out.printf(Locale.ROOT, "watch delivery: %d sequential ConfigMap patches in %.1f s (%.0f/s), write "
                + "failures %d; latency = event read by the watch minus the writer's 200 (negative: the event came first)"
                + "%n", updates, writeSeconds, updates / writeSeconds, failures);
        System.out.printf(Locale.ROOT, "%-10s %9s %8s %8s %8s %8s%n", "watch", "received", "p50 ms", "p90 ms",
                "p99 ms", "max ms");
        double[] p50 = new double[2];
        double[] p99 = new double[2];
        int k = 0;
        for (Watcher w : List.of(dw, gwWatch)) {
            long[] lat = w.latencies(acked);
            Arrays.sort(lat);
            p50[k] = BenchSupport.pct(lat, 50);
            p99[k] = BenchSupport.pct(lat, 99);
            System.out.printf(Locale.ROOT, "%-10s %9d %8.2f %8.2f %8.2f %8.2f%s%n", k == 0 ? "direct" : "gateway",
                    lat.length, p50[k], BenchSupport.pct(lat, 90), p99[k], lat.length == 0 ? Double.NaN
                            : lat[lat.length - 1] / 1e6, w.error == null ? "" : "  error: " + w.error);
            k++;
        }
        System.out.printf(Locale.ROOT, "%-10s added latency p50 %+.2f ms, p99 %+.2f ms%n", "=>", p50[1] - p50[0],
                p99[1] - p99[0]);
    }

    /** A watch read line by line on a thread of its own; notes when each sequence number's event was read. */
    private static final class Watcher {
        private final long[] received;
        private final CountDownLatch opened = new CountDownLatch(1);
        private final CountDownLatch all;
        private final Thread thread;
        private volatile InputStream stream;
        private volatile String error;

        Watcher(HttpClient http, String url, int updates) {
            received = new long[updates];
            all = new CountDownLatch(updates);
            thread = new Thread(() -> read(http, url), "watch " + url);
            thread.setDaemon(true);
            thread.start();
        }

        private void read(HttpClient http, String url) {
            try {
                HttpResponse<InputStream> res = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (res.statusCode() != 200) {
                    error = "HTTP " + res.statusCode() + ": " + new String(res.body().readAllBytes(), StandardCharsets.UTF_8);
                    opened.countDown();
                    return;
                }
                stream = res.body();
                opened.countDown();
                BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
                String line;
                while ((line = lines.readLine()) != null) {
                    long now = System.nanoTime();
                    Matcher m = SEQ.matcher(line);
                    if (m.find()) {
                        int seq = Integer.parseInt(m.group(1));
                        if (seq >= 0 && seq < received.length && received[seq] == 0) {
                            received[seq] = now;
                            all.countDown();
                        }
                    }
                }
            } catch (IOException e) {
                if (all.getCount() > 0) {
                    error = e.toString();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                opened.countDown();
            }
        }

        void awaitOpen() throws InterruptedException {
            if (!opened.await(30, TimeUnit.SECONDS) || error != null) {
                throw new IllegalStateException("the watch did not open: " + error);
            }
        }

        void awaitAll(Duration timeout) throws InterruptedException {
            all.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        long[] latencies(long[] acked) {
            long[] out = new long[received.length];
            int k = 0;
            for (int i = 0; i < received.length; i++) {
                if (received[i] != 0) {
                    out[k++] = received[i] - acked[i];
                }
            }
            return Arrays.copyOf(out, k);
        }

        void close() throws IOException {
            InputStream s = stream;
            if (s != null) {
                s.close();
            }
            thread.interrupt();
        }
    }

    private static CompletableFuture<String> get(HttpClient http, String url) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/json").build(),
                        HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> r.statusCode() == 200 ? null
                        : "HTTP " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String json)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/json");
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int status(HttpClient http, String url) {
        try {
            return send(http, "GET", url, null).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void expect(int code, HttpResponse<String> r) {
        if (r.statusCode() != code) {
            throw new IllegalStateException(r.request().method() + " " + r.uri() + ": expected " + code + ", got "
                    + r.statusCode() + ": " + r.body());
        }
    }

    private static long[] sorted(long[] a) {
        long[] s = a.clone();
        Arrays.sort(s);
        return s;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private GatewayBenchmark() {
    }
}
