package io.kube4j.apiserver.storage.embedded;

import io.kube4j.apiserver.storage.EtcdStorage;
import io.kube4j.apiserver.storage.EtcdStorageConfig;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.WriteResult;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the embedded store against etcd in one run, both with their data on the same disk (not /dev/shm):
 * (a) writes/s and p50/p99 latency of creates and updates of ~400-byte values with 1 and 16 concurrent writers;
 * (b) the store file's size over 24 simulated hours of Lease renewals by 100 hollow nodes with compaction every
 * 5 simulated minutes ({@link LeaseRenewalSimulation}). Prints its figures; not a test.
 *
 * <pre>./mvnw -B -o -q process-test-classes exec:java -pl apiserver-service -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.kube4j.apiserver.storage.embedded.EmbeddedStoreBenchmark [-Dexec.args="24h"]</pre>
 */
public final class EmbeddedStoreBenchmark {

    private static final byte[] VALUE = new byte[400];

    private EmbeddedStoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Arrays.fill(VALUE, (byte) 'x');
        Duration simulated = args.length > 0 ? Duration.parse("PT" + args[0].toUpperCase()) : Duration.ofHours(24);
        Path base = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "kube4j-store-bench");
        EtcdServer etcd = EtcdServer.inDirectory(base);
        etcd.start();
        try (EmbeddedStorage embedded = new EmbeddedStorage(EmbeddedStorageConfig.of(base.resolve("embedded")),
                new SimpleMeterRegistry());
             EtcdStorage etcdStorage = new EtcdStorage(new EtcdStorageConfig(List.of(etcd.endpoint()),
                     Duration.ofSeconds(10), Duration.ofSeconds(5), null, null, null), new SimpleMeterRegistry())) {
            System.out.println("(a) writes of 400-byte values, data under " + base);
            System.out.printf("%-9s %-7s %8s %10s %9s %9s%n", "backend", "writers", "ops", "writes/s", "p50 ms", "p99 ms");
            for (int writers : new int[] {1, 16}) {
                int ops = writers == 1 ? 1000 : 8000;
                for (String op : new String[] {"create", "update"}) {
                    report("embedded", op, writers, ops, embedded);
                    report("etcd", op, writers, ops, etcdStorage);
                }
            }
        } finally {
            etcd.destroy();
        }

        System.out.println();
        System.out.println("(b) 100 hollow nodes renewing Leases every 10 s, compaction every 5 min, " + simulated
                + " simulated (MVStore retention time 0: real seconds stand for hours here)");
        long start = System.nanoTime();
        try (EmbeddedStorage store = new EmbeddedStorage(new EmbeddedStorageConfig(base.resolve("leases"),
                Duration.ZERO, null), new SimpleMeterRegistry())) {
            Duration sampleEvery = simulated.compareTo(Duration.ofHours(4)) >= 0 ? Duration.ofHours(1) : Duration.ofMinutes(10);
            for (LeaseRenewalSimulation.Sample s : LeaseRenewalSimulation.run(store, 100, simulated,
                    Duration.ofSeconds(10), Duration.ofMinutes(5), sampleEvery)) {
                System.out.printf("  t=%-8s revision=%-9d file=%6.1f MiB%n", s.simulated(), s.revision(),
                        s.fileBytes() / 1048576.0);
            }
        }
        System.out.printf("  (%.0f s real)%n", (System.nanoTime() - start) / 1e9);
        try (var paths = Files.walk(base)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void report(String backend, String op, int writers, int ops, Storage storage) {
        String run = backend + "-" + op + "-" + writers + "-" + System.nanoTime();
        long[] modRevisions = new long[ops];
        if (op.equals("update")) {
            Flux.range(0, ops).flatMap(i -> storage.create(key(run, i), VALUE, null)
                    .doOnNext(r -> modRevisions[i] = r.revision()), 64).blockLast();
        }
        long[] latencies = new long[ops];
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        Flux.range(0, ops).flatMap(i -> Mono.defer(() -> {
            long t0 = System.nanoTime();
            Mono<WriteResult> write = op.equals("create")
                    ? storage.create(key(run, i), VALUE, null)
                    : storage.update(key(run, i), VALUE, modRevisions[i], null);
            return write.doOnNext(r -> {
                latencies[i] = System.nanoTime() - t0;
                if (!r.succeeded()) {
                    failed.incrementAndGet();
                }
            });
        }), writers).blockLast();
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(latencies);
        System.out.printf("%-9s %-7s %8d %10.0f %9.2f %9.2f  (%s%s)%n", backend, writers, ops, ops / seconds,
                latencies[ops / 2] / 1e6, latencies[(int) (ops * 0.99)] / 1e6, op,
                failed.get() > 0 ? ", " + failed.get() + " FAILED" : "");
    }

    private static String key(String run, int i) {
        return "/registry/bench/" + run + "/" + i;
    }
}
