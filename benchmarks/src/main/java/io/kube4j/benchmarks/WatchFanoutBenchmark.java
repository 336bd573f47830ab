package io.kube4j.benchmarks;

import io.kube4j.apiserver.testsupport.EtcdServer;
import io.netty.buffer.ByteBuf;
import reactor.core.Disposable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * W Server-Sent-Events watchers on the pods of one namespace while a writer creates pods at a fixed rate; checks
 * that every watcher receives every ADDED event and measures delivery latency (receive time minus the time the
 * writer got its 201; negative when the event beats the response) and the apiserver's CPU, RSS and heap. The
 * apiserver runs as a separate process. Settings: {@code -Dwatchers=1000 -Drate=200 -Dseconds=30 -Detcd.dir=<dir>}.
 */
public final class WatchFanoutBenchmark {

    private static final byte[] MARK = "\"name\":\"wf-".getBytes(StandardCharsets.US_ASCII);
    private static final int DIGITS = 6;

    public static void main(String[] args) throws Exception {
        int watchers = BenchSupport.intProp("watchers", 1000);
        int rate = BenchSupport.intProp("rate", 200);
        int seconds = BenchSupport.intProp("seconds", 30);
        int total = rate * seconds;
        String ns = "bench";
        EtcdServer etcd = BenchSupport.startEtcd();
        ConnectionProvider pool = ConnectionProvider.builder("watchers").maxConnections(watchers + 16)
                .pendingAcquireMaxCount(-1).build();
        LoopResources loops = LoopResources.create("watch-client", 2, true);
        try (ApiServerProcess api = ApiServerProcess.start(etcd.endpoint(), etcd.baseDir())) {
            java.net.http.HttpClient writer = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> nsCreated = writer.send(HttpRequest.newBuilder(URI.create(api.url() + "/api/v1/namespaces"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"" + ns + "\"}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (nsCreated.statusCode() != 201) {
                throw new IllegalStateException("cannot create namespace: " + nsCreated.body());
            }
            int podBytes = BenchSupport.podJson(ns, "wf-000000").getBytes(StandardCharsets.UTF_8).length;
            System.out.printf(Locale.ROOT, "WatchFanoutBenchmark: %d SSE watchers, %d pod creates/s for %d s (%d pods of "
                            + "%d bytes)%n%s%napiserver pid %d at %s (separate JVM; writer and watchers in this JVM)%n",
                    watchers, rate, seconds, total, podBytes, BenchSupport.storageNote(etcd), api.pid(), api.url());

            // received[w][seq]: the watcher's receive time (nanoTime), 0 = not received
            long[][] received = new long[watchers][total];
            AtomicLong duplicates = new AtomicLong();
            AtomicInteger opened = new AtomicInteger();
            AtomicInteger errors = new AtomicInteger();
            String watchUrl = api.url() + "/api/v1/namespaces/" + ns + "/pods?watch=true";
            HttpClient client = HttpClient.create(pool).runOn(loops)
                    .headers(h -> h.set("Accept", "text/event-stream"))
                    .responseTimeout(Duration.ofMinutes(30));
            List<Disposable> subscriptions = new ArrayList<>();
            double cpuBeforeOpen = api.cpuSeconds();
            for (int w = 0; w < watchers; w++) {
                Scanner scanner = new Scanner(received[w], duplicates);
                subscriptions.add(client.get().uri(watchUrl)
                        .response((res, body) -> {
                            opened.incrementAndGet();
                            return body.doOnNext(scanner::scan).then();
                        })
                        .subscribe(v -> { }, e -> errors.incrementAndGet()));
            }
            long openDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (opened.get() < watchers && System.nanoTime() < openDeadline && errors.get() == 0) {
                Thread.sleep(50);
            }
            System.out.printf(Locale.ROOT, "watches open: %d of %d (errors %d); apiserver CPU to open them %.1f s, "
                    + "RSS %.0f MiB%n", opened.get(), watchers, errors.get(), api.cpuSeconds() - cpuBeforeOpen, api.rssMiB());

            long[] acked = new long[total];
            AtomicInteger writeFailures = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            AtomicInteger nextSeq = new AtomicInteger();
            double cpu0 = api.cpuSeconds();
            long start = System.nanoTime();
            CompletableFuture<Void> allSent = new CompletableFuture<>();
            ticker.scheduleAtFixedRate(() -> {
                int seq = nextSeq.getAndIncrement();
                if (seq >= total) {
                    allSent.complete(null);
                    return;
                }
                String name = String.format(Locale.ROOT, "wf-%0" + DIGITS + "d", seq);
                writer.sendAsync(HttpRequest.newBuilder(URI.create(api.url() + "/api/v1/namespaces/" + ns + "/pods"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(BenchSupport.podJson(ns, name))).build(),
                        HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                    acked[seq] = System.nanoTime();
                    if (e != null || r.statusCode() != 201) {
                        writeFailures.incrementAndGet();
                    }
                    done.incrementAndGet();
                });
            }, 0, 1_000_000_000L / rate, TimeUnit.NANOSECONDS);
            allSent.get(seconds * 3L + 60, TimeUnit.SECONDS);
            ticker.shutdownNow();
            long sendSeconds = System.nanoTime() - start;
            // wait for the writes to be answered and the last events to arrive (bounded)
            long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < drainDeadline && (done.get() < total || missing(received) > 0)) {
                Thread.sleep(100);
            }
            double cpu = api.cpuSeconds() - cpu0;
            double wall = (System.nanoTime() - start) / 1e9;
            double rss = api.rssMiB();

            long delivered = 0;
            long[] latencies = new long[watchers * total];
            int k = 0;
            for (long[] row : received) {
                for (int s = 0; s < total; s++) {
                    if (row[s] != 0) {
                        delivered++;
                        latencies[k++] = row[s] - acked[s];
                    }
                }
            }
            long[] lat = Arrays.copyOf(latencies, k);
            Arrays.sort(lat);
            long missing = (long) watchers * total - delivered;
            System.out.printf(Locale.ROOT, "writes: %d sent in %.1f s (%.0f/s), failures %d%n", total, sendSeconds / 1e9,
                    total / (sendSeconds / 1e9), writeFailures.get());
            System.out.printf(Locale.ROOT, "events delivered: %d of %d expected (%d watchers x %d pods), missing %d, "
                    + "duplicates %d, watch errors %d%n", delivered, (long) watchers * total, watchers, total, missing,
                    duplicates.get(), errors.get());
            if (missing > 0) {
                int worst = 0;
                for (long[] row : received) {
                    int m = 0;
                    for (long v : row) {
                        m += v == 0 ? 1 : 0;
                    }
                    worst = Math.max(worst, m);
                }
                System.out.printf("  MISSING events: the worst watcher missed %d%n", worst);
            }
            System.out.printf(Locale.ROOT, "delivery latency (receive - writer's 201): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    BenchSupport.pct(lat, 50), BenchSupport.pct(lat, 99), lat.length == 0 ? Double.NaN : lat[lat.length - 1] / 1e6);
            System.out.printf(Locale.ROOT, "apiserver process during the run: %.1f s CPU over %.1f s (%.2f cores), RSS %.0f MiB, "
                    + "heap used after GC %.0f MiB%n", cpu, wall, cpu / wall, rss, api.heapUsedAfterGcMiB());
            subscriptions.forEach(Disposable::dispose);
        } finally {
            pool.disposeLater().block(Duration.ofSeconds(10));
            loops.disposeLater().block(Duration.ofSeconds(10));
            etcd.destroy();
        }
        System.exit(0);
    }

    private static long missing(long[][] received) {
        long m = 0;
        for (long[] row : received) {
            for (long v : row) {
                if (v == 0) {
                    m++;
                }
            }
        }
        return m;
    }

    /**
     * Finds {@code "name":"wf-NNNNNN} in the byte stream without decoding it (the pod's metadata.name; no other
     * field holds a value starting with "wf-"), across chunk boundaries, and records the receive time of NNNNNN.
     */
    private static final class Scanner {
        private final long[] received;
        private final AtomicLong duplicates;
        private int matched; // bytes of MARK matched so far
        private int digits;
        private int value;

        Scanner(long[] received, AtomicLong duplicates) {
            this.received = received;
            this.duplicates = duplicates;
        }

        void scan(ByteBuf buf) {
            long now = System.nanoTime();
            for (int i = buf.readerIndex(), end = buf.writerIndex(); i < end; i++) {
                byte b = buf.getByte(i);
                if (matched < MARK.length) {
                    matched = b == MARK[matched] ? matched + 1 : (b == MARK[0] ? 1 : 0);
                    continue;
                }
                value = value * 10 + (b - '0');
                if (++digits == DIGITS) {
                    if (value < received.length) {
                        if (received[value] != 0) {
                            duplicates.incrementAndGet();
                        } else {
                            received[value] = now;
                        }
                    }
                    matched = 0;
                    digits = 0;
                    value = 0;
                }
            }
        }
    }
}
