package io.kube4j.benchmarks;

import io.kube4j.apiserver.testsupport.EtcdServer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** What the benchmarks share: settings from system properties, a realistic pod, a closed-loop load driver, percentiles. */
final class BenchSupport {

    private BenchSupport() {
    }

    static int intProp(String name, int def) {
        return Integer.getInteger(name, def);
    }

    /**
     * A single-member etcd with its data under {@code -Detcd.dir} (default: java.io.tmpdir, i.e. on disk, so
     * every write pays for the WAL fsync as in production; {@code -Detcd.dir=/dev/shm} measures without it).
     */
    static EtcdServer startEtcd() {
        Path dir = Path.of(System.getProperty("etcd.dir", System.getProperty("java.io.tmpdir")));
        EtcdServer etcd = EtcdServer.inDirectory(dir);
        etcd.start();
        Runtime.getRuntime().addShutdownHook(new Thread(etcd::destroy, "etcd-destroy"));
        return etcd;
    }

    static String storageNote(EtcdServer etcd) {
        return etcd.baseDir().startsWith("/dev/shm")
                ? "etcd data on " + etcd.baseDir() + " (tmpfs: no fsync cost, figures are optimistic)"
                : "etcd data on " + etcd.baseDir() + " (disk: every write pays the WAL fsync)";
    }

    /** A pod of about 2 KiB of JSON: labels, annotations, two containers with env, ports, resources and probes. */
    static String podJson(String namespace, String name) {
        return """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"%s",\
                "labels":{"app":"bench","tier":"backend","release":"stable","version":"v1.4.2","track":"daily"},\
                "annotations":{"bench.kube4j.io/owner":"platform-team","bench.kube4j.io/commit":"3f2c1a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39",\
                "prometheus.io/scrape":"true","prometheus.io/port":"9090"}},\
                "spec":{"restartPolicy":"Always","terminationGracePeriodSeconds":30,"containers":[\
                {"name":"app","image":"registry.example.com/team/app:1.4.2","args":["--port=8080","--metrics-port=9090","--log-level=info"],\
                "env":[{"name":"JAVA_OPTS","value":"-Xms256m -Xmx512m -XX:+UseG1GC"},{"name":"SPRING_PROFILES_ACTIVE","value":"production"},\
                {"name":"DATABASE_URL","value":"jdbc:postgresql://db.bench.svc:5432/app"},{"name":"CACHE_TTL","value":"300"}],\
                "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"name":"metrics","containerPort":9090,"protocol":"TCP"}],\
                "resources":{"requests":{"cpu":"250m","memory":"512Mi"},"limits":{"cpu":"1","memory":"1Gi"}},\
                "readinessProbe":{"httpGet":{"path":"/actuator/health/readiness","port":8080},"initialDelaySeconds":5,"periodSeconds":10},\
                "livenessProbe":{"httpGet":{"path":"/actuator/health/liveness","port":8080},"initialDelaySeconds":30,"periodSeconds":20,"failureThreshold":3}},\
                {"name":"sidecar","image":"registry.example.com/infra/log-shipper:2.7.0","args":["--input=/var/log/app","--output=tcp://logs:5170"],\
                "env":[{"name":"SHIPPER_BUFFER","value":"64Mi"},{"name":"SHIPPER_FLUSH_INTERVAL","value":"5s"}],\
                "ports":[{"name":"shipper","containerPort":5170,"protocol":"TCP"}],\
                "resources":{"requests":{"cpu":"50m","memory":"64Mi"},"limits":{"cpu":"200m","memory":"128Mi"}},\
                "readinessProbe":{"tcpSocket":{"port":5170},"periodSeconds":10},\
                "livenessProbe":{"exec":{"command":["/bin/sh","-c","test -e /tmp/healthy"]},"periodSeconds":30}}]}}"""
                .formatted(name, namespace);
    }

    /** The result of a closed-loop run: wall time, per-operation latencies (ns) and failures. */
    record Run(int count, long wallNanos, long[] latencies, int failures, String firstFailure) {
        double opsPerSecond() {
            return count * 1e9 / wallNanos;
        }

        String latencySummary() {
            long[] s = latencies.clone();
            Arrays.sort(s);
            return String.format(Locale.ROOT, "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
                    pct(s, 50), pct(s, 90), pct(s, 99), s[s.length - 1] / 1e6);
        }
    }

    /** The value (ms) at percentile {@code p} of sorted nanosecond samples. */
    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /**
     * Runs {@code op(0..count-1)} with {@code concurrency} operations in flight (each lane starts the next one when
     * its previous one completes); an operation's future yields null on success or a failure description.
     */
    static Run closedLoop(int count, int concurrency, IntFunction<CompletableFuture<String>> op) throws InterruptedException {
        long[] lat = new long[count];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        String[] firstFailure = new String[1];
        CountDownLatch lanes = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        for (int l = 0; l < concurrency; l++) {
            new Lane(next, count, op, lat, failures, firstFailure, lanes).step();
        }
        if (!lanes.await(30, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the run did not finish within 30 minutes");
        }
        return new Run(count, System.nanoTime() - start, lat, failures.get(), firstFailure[0]);
    }

    private record Lane(AtomicInteger next, int count, IntFunction<CompletableFuture<String>> op, long[] lat,
                        AtomicInteger failures, String[] firstFailure, CountDownLatch done) {
        void step() {
            int i = next.getAndIncrement();
            if (i >= count) {
                done.countDown();
                return;
            }
            long t0 = System.nanoTime();
            CompletableFuture<String> f;
            try {
                f = op.apply(i);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((problem, error) -> {
                lat[i] = System.nanoTime() - t0;
                if (problem != null || error != null) {
                    failures.incrementAndGet();
                    synchronized (firstFailure) {
                        if (firstFailure[0] == null) {
                            firstFailure[0] = problem != null ? problem : error.toString();
                        }
                    }
                }
                step();
            });
        }
    }
}
