package io.kube4j.benchmarks;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.kube4j.addons.ingress.IngressController;
import io.kube4j.addons.ingress.config.IngressProperties;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ingress controller's cost over direct endpoint access, side by side in one run and one JVM: a loopback HTTP
 * backend (Reactor Netty, a 64-byte body) registered as a Service + EndpointSlice on a real apiserver (on etcd), an
 * Ingress routing to it, and the same keep-alive HTTP/1.1 client (Reactor Netty, pooled) sending GETs either straight to the
 * backend or through the controller. Each series is time-bounded ({@code -Dseconds}, at most 20), with
 * {@code -Dconcurrency} requests in flight; direct and ingress alternate in ABBA rounds ({@code -Drounds}) so a load
 * change on the machine hits both. Prints req/s and p50/p90/p99/max per series. All traffic is loopback; the driver,
 * proxy and backend share the machine's cores, so the figures are relative, not absolute capacity.
 * Settings: {@code -Dseconds=10 -Dconcurrency=16 -Drounds=1 -Dwarmup=5 -Detcd.dir}.
 */
public final class IngressBenchmark {

    private static final byte[] BODY = "x".repeat(63).concat("\n").getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        int seconds = Math.min(20, BenchSupport.intProp("seconds", 10));
        int concurrency = BenchSupport.intProp("concurrency", 16);
        int rounds = BenchSupport.intProp("rounds", 1);
        int warmup = BenchSupport.intProp("warmup", 5);
        EtcdServer etcd = BenchSupport.startEtcd();
        ApiServerInstance api = ApiServerInstance.start(etcd.endpoint());
        DisposableServer backend = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> res.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(BODY.length))
                        .sendByteArray(Mono.just(BODY)))
                .bindNow();
        KubeClient client = KubeClient.create(ClientConfig.of(api.url()));
        setUp(client, backend.port());
        IngressController controller = new IngressController(client,
                IngressProperties.of(0, -1, "127.0.0.1").withBindAddress("127.0.0.1"), new SimpleMeterRegistry())
                .start(Duration.ofSeconds(60));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (controller.table().route("bench.local", "/").map(r -> r.backend().endpoints().isEmpty()).orElse(true)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the ingress never routed bench.local to the backend");
            }
            Thread.onSpinWait();
        }
        String direct = "http://127.0.0.1:" + backend.port() + "/bench";
        String viaIngress = "http://127.0.0.1:" + controller.httpPort() + "/bench";
        HttpClient http = HttpClient.create(ConnectionProvider.builder("bench").maxConnections(concurrency).build());
        System.out.printf(Locale.ROOT, "IngressBenchmark: %d s per series, %d in flight, %d ABBA round(s), %d-byte body, "
                + "loopback, one JVM (%d cores)%n", seconds, concurrency, rounds, BODY.length,
                Runtime.getRuntime().availableProcessors());
        run(http, direct, warmup, concurrency);
        run(http, viaIngress, warmup, concurrency);
        for (int r = 0; r < rounds; r++) {
            report("direct ", run(http, direct, seconds, concurrency));
            report("ingress", run(http, viaIngress, seconds, concurrency));
            report("ingress", run(http, viaIngress, seconds, concurrency));
            report("direct ", run(http, direct, seconds, concurrency));
        }
        controller.close();
        backend.disposeNow();
        client.close();
        api.close();
        System.exit(0);
    }

    private static void setUp(KubeClient client, int backendPort) {
        Namespace ns = new Namespace();
        ns.setMetadata(new ObjectMeta());
        ns.getMetadata().setName("bench");
        client.resources(Namespace.class).create(ns).onErrorResume(e -> Mono.empty()).block();
        client.resources(IngressClass.class).create(yaml("""
                metadata: {name: kube4j, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
                spec: {controller: kube4j.io/ingress}
                """, IngressClass.class)).block();
        client.resources(Service.class).create(yaml("""
                metadata: {name: backend, namespace: bench}
                spec: {ports: [{name: http, port: 80}]}
                """, Service.class)).block();
        client.resources(EndpointSlice.class).create(yaml("""
                metadata: {name: backend-1, namespace: bench, labels: {kubernetes.io/service-name: backend}}
                addressType: IPv4
                ports: [{name: http, port: %d}]
                endpoints: [{addresses: [127.0.0.1]}]
                """.formatted(backendPort), EndpointSlice.class)).block();
        // class-less: the default IngressClass admission gives it "kube4j"
        client.resources(Ingress.class).create(yaml("""
                metadata: {name: bench, namespace: bench}
                spec:
                  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: backend, port: {number: 80}}}}]}}]
                """, Ingress.class)).block();
    }

    private static <T> T yaml(String s, Class<T> type) {
        return Codecs.yaml().readValue(s, type);
    }

    /** One time-bounded closed-loop series. */
    private static Series run(HttpClient http, String uri, int seconds, int concurrency) throws InterruptedException {
        long[] lat = new long[4_000_000];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch lanes = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        for (int l = 0; l < concurrency; l++) {
            new Lane(http, uri, end, lat, next, failures, lanes).step();
        }
        lanes.await(seconds + 30L, TimeUnit.SECONDS);
        long wall = System.nanoTime() - start;
        int n = Math.min(next.get(), lat.length);
        return new Series(Arrays.copyOf(lat, n), wall, failures.get());
    }

    private record Series(long[] latencies, long wallNanos, int failures) {
    }

    private record Lane(HttpClient http, String uri, long end, long[] lat, AtomicInteger next,
                        AtomicInteger failures, CountDownLatch done) {
        void step() {
            if (System.nanoTime() >= end) {
                done.countDown();
                return;
            }
            int i = next.getAndIncrement();
            long t0 = System.nanoTime();
            http.get().uri(uri).responseSingle((res, body) -> body.asByteArray().map(b -> res.status().code()))
                    .subscribe(code -> {
                        if (code != 200) {
                            failures.incrementAndGet();
                        }
                    }, err -> {
                        record(i, t0);
                        failures.incrementAndGet();
                        step();
                    }, () -> {
                        record(i, t0);
                        step();
                    });
        }

        private void record(int i, long t0) {
            if (i < lat.length) {
                lat[i] = System.nanoTime() - t0;
            }
        }
    }

    private static void report(String name, Series s) {
        long[] sorted = s.latencies().clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "  %s %7d requests in %5.1f s = %8.0f req/s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms,"
                        + " max %.2f ms, %d failed%n", name, sorted.length, s.wallNanos() / 1e9,
                sorted.length * 1e9 / s.wallNanos(), BenchSupport.pct(sorted, 50), BenchSupport.pct(sorted, 90),
                BenchSupport.pct(sorted, 99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, s.failures());
    }
}
