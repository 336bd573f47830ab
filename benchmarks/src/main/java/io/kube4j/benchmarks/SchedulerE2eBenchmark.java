package io.kube4j.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.scheduler.Scheduler;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import reactor.core.Disposable;

/**
 * Scheduling throughput end to end, as scheduler_perf: etcd and the apiserver (its own JVM; {@code -Dapiserver.jvmArgs}
 * e.g. adds a JFR recording), {@code -Dnodes} plain Node objects created through the API (no kubelets), the scheduler
 * in this JVM with its own client, informers, the real {@link DefaultBinder} ({@code pods/binding}) and its Scheduled
 * Events. Two phases of {@code -Dpods} pods each, every pod created through the API with {@code -Dconcurrency}
 * requests in flight, and a watch per phase recording when each pod is first seen bound:
 * <ol>
 * <li>the headline, what scheduler_perf's SchedulingThroughput measures: the pods are all created before the
 * scheduler runs (their creation rate and the apiserver's CPU per create are reported on their own), the scheduler's
 * informers then sync, and the figure is pods bound per second from the moment it starts scheduling to the last bind;
 * <li>pods created while the scheduler runs, so creates and bindings share the apiserver: pods bound per second from
 * the first create to the last bind, and create-to-bound latency.
 * </ol>
 * Each phase also prints the scheduler's attempt latency (pop to binding done), per-second bind windows and the
 * apiserver's CPU per pod. A phase's wait stops after {@code -Dtimeout.s}.
 */
public final class SchedulerE2eBenchmark {

    public static void main(String[] args) throws Exception {
        int nodes = BenchSupport.intProp("nodes", 500);
        int pods = BenchSupport.intProp("pods", 1000);
        int concurrency = BenchSupport.intProp("concurrency", 64);
        int parallelism = BenchSupport.intProp("parallelism", Runtime.getRuntime().availableProcessors());
        int percentage = BenchSupport.intProp("percentageOfNodesToScore", 0);
        int bindingThreads = BenchSupport.intProp("binding.threads", 64);
        int timeoutS = BenchSupport.intProp("timeout.s", 300);
        SchedulerWorkload workload = SchedulerWorkload.fromProperties();
        String loadBefore = SchedulerWorkload.loadAverage();
        Path logs = Files.createTempDirectory("kube4j-sched-e2e");
        EtcdServer etcd = BenchSupport.startEtcd();
        try (ApiServerProcess api = ApiServerProcess.start(etcd.endpoint(), logs);
             KubeClient loader = KubeClient.create(ClientConfig.of(api.url()));
             KubeClient schedClient = KubeClient.create(ClientConfig.of(api.url()))) {

            long n0 = System.nanoTime();
            BenchSupport.Run nodeRun = BenchSupport.closedLoop(nodes, 32, i -> loader.resources(Node.class)
                    .create(SchedulerWorkload.node(i)).map(x -> "").toFuture().thenApply(x -> (String) null));
            System.out.printf(Locale.ROOT, "created %d nodes in %.1f s (%d failures%s)%n", nodes,
                    (System.nanoTime() - n0) / 1e9, nodeRun.failures(),
                    nodeRun.firstFailure() == null ? "" : ": " + nodeRun.firstFailure());

            Parallelizer parallelizer = new Parallelizer(parallelism);
            Framework fw = new Framework(DefaultPlugins.profile(Scheduler.DEFAULT_SCHEDULER_NAME,
                    new DefaultBinder(schedClient, Duration.ofSeconds(30)), percentage), parallelizer, new Random());
            // -Devents.inflight: the Scheduled Events' writes in flight at once (1 = one round trip per Event).
            EventRecorder events = new EventRecorder(schedClient.resources(Event.class), Scheduler.DEFAULT_SCHEDULER_NAME,
                    null, Clock.system(), 1000, EventRecorder.DEFAULT_WINDOW,
                    BenchSupport.intProp("events.inflight", EventRecorder.DEFAULT_MAX_IN_FLIGHT));
            SharedInformerFactory informers = SharedInformerFactory.forClient(schedClient, Duration.ZERO);
            Scheduler scheduler = new Scheduler(schedClient, informers, List.of(fw), events, Clock.system(),
                    new Scheduler.Settings(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60),
                            Duration.ofSeconds(30), bindingThreads));
            Attempts attempts = new Attempts(pods);
            scheduler.observeAttempts(attempts::record);

            System.out.printf(Locale.ROOT, "scheduler end to end: %d nodes, %d pods per phase created with %d in flight;"
                    + " scheduler in the benchmark JVM, apiserver pid %d (own JVM, %s) on etcd; parallelism %d,"
                    + " percentageOfNodesToScore %s, %d binding threads, %d Event writes in flight, client pool %s"
                    + " connections%n", nodes, pods,
                    concurrency, api.pid(), System.getProperty("apiserver.jvmArgs", "-Xms256m -Xmx1g"), parallelism,
                    percentage == 0 ? "adaptive" : percentage + "%", bindingThreads,
                    BenchSupport.intProp("events.inflight", EventRecorder.DEFAULT_MAX_IN_FLIGHT), System.getProperty("kube4j.client.max-connections", "500"));
            System.out.println("  " + SchedulerWorkload.jvm() + "; " + BenchSupport.storageNote(etcd)
                    + "; load average before: " + loadBefore);
            System.out.println("  workload: " + workload.describe());
            System.out.println("  profile plugins: " + SchedulerWorkload.plugins(fw));
            String missing = workload.missingPlugins(fw);
            if (missing != null) {
                System.out.println("  " + missing);
            }

            // Phase 1 (the headline, as scheduler_perf's SchedulingThroughput): the pods exist before the scheduler
            // serves them. They are created first (pod creation throughput on its own), the scheduler's informers
            // then list them, and the figure is pods bound per second from the moment the scheduler starts
            // scheduling to the last bind seen on the watch.
            String ns1 = "bench-sched-pre";
            createNamespace(loader, ns1);
            Binds binds1 = Binds.watch(loader, ns1, pods);
            double apiCpuC0 = api.cpuSeconds();
            long c0 = System.nanoTime();
            BenchSupport.Run created = BenchSupport.closedLoop(pods, concurrency, i -> createPod(loader, workload, ns1, i, null));
            long c1 = System.nanoTime();
            double apiCpuCreate = api.cpuSeconds() - apiCpuC0;
            System.out.printf(Locale.ROOT, "phase 1, pods created before the scheduler runs:%n"
                    + "  creates: %d pods in %.2f s = %.0f pods/s (%d in flight), %s, %d failures%s;"
                    + " apiserver CPU %.2f ms per create%n", pods, (c1 - c0) / 1e9, pods * 1e9 / (c1 - c0),
                    concurrency, created.latencySummary(), created.failures(),
                    created.firstFailure() == null ? "" : ": " + created.firstFailure(), apiCpuCreate * 1000 / pods);

            long s0 = System.nanoTime();
            scheduler.startInformers(Duration.ofMinutes(2));
            long s1 = System.nanoTime();
            System.out.printf(Locale.ROOT, "  scheduler informers synced (%d nodes, %d pods listed) in %.2f s%n",
                    nodes, pods, (s1 - s0) / 1e9);
            double apiCpu0 = api.cpuSeconds();
            long cpu0 = SchedulerWorkload.processCpuNanos();
            attempts.reset();
            long t0 = System.nanoTime();
            scheduler.startScheduling();
            report("phase 1 (headline: pre-created pods, from the scheduler's start to the last bind)", binds1,
                    attempts, t0, timeoutS, pods, api, apiCpu0, cpu0, null);

            // Phase 2: pods created while the scheduler runs; creation and binding share the apiserver.
            String ns2 = "bench-sched-live";
            createNamespace(loader, ns2);
            Binds binds2 = Binds.watch(loader, ns2, pods);
            Map<String, Long> createdAt = new ConcurrentHashMap<>();
            double apiCpu2 = api.cpuSeconds();
            long cpu2 = SchedulerWorkload.processCpuNanos();
            attempts.reset();
            long t2 = System.nanoTime();
            AtomicLong lastCreate = new AtomicLong();
            Thread creator = new Thread(() -> {
                try {
                    BenchSupport.Run r = BenchSupport.closedLoop(pods, concurrency,
                            i -> createPod(loader, workload, ns2, i, createdAt));
                    lastCreate.set(System.nanoTime());
                    System.out.printf(Locale.ROOT, "  phase 2 creates: %.0f pods/s, %s, %d failures%s%n",
                            r.opsPerSecond(), r.latencySummary(), r.failures(),
                            r.firstFailure() == null ? "" : ": " + r.firstFailure());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-creator");
            creator.setDaemon(true);
            creator.start();
            report("phase 2 (pods created while the scheduler runs, from the first create to the last bind)", binds2,
                    attempts, t2, timeoutS, pods, api, apiCpu2, cpu2, createdAt);
            System.out.printf(Locale.ROOT, "  (phase 2 creates took %.2f s)%n",
                    lastCreate.get() == 0 ? Double.NaN : (lastCreate.get() - t2) / 1e9);
            System.out.printf(Locale.ROOT, "events: %d dropped by the recorder; load average after: %s%n",
                    events.dropped(), SchedulerWorkload.loadAverage());
            scheduler.close();
            parallelizer.close();
            // The Scheduled events may still be draining; give them a moment before the apiserver stops.
            events.close(Duration.ofSeconds(10));
        } finally {
            etcd.destroy();
        }
        System.exit(0);
    }

    private static void createNamespace(KubeClient client, String ns) {
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                .build()).block(Duration.ofSeconds(30));
    }

    private static java.util.concurrent.CompletableFuture<String> createPod(KubeClient client,
            SchedulerWorkload workload, String ns, int i, Map<String, Long> createdAt) {
        Pod pod = workload.pod(ns, "p", i);
        pod.getMetadata().setUid(null);
        pod.getMetadata().setCreationTimestamp(null);
        if (createdAt != null) {
            createdAt.put(pod.getMetadata().getName(), System.nanoTime());
        }
        return client.resources(Pod.class).create(pod).map(x -> "").toFuture().thenApply(x -> (String) null);
    }

    /** Successful scheduling attempts' latencies (pop to binding done) and the failed ones, for the current phase. */
    private static final class Attempts {
        private final long[] nanos;
        private final AtomicInteger count = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();

        Attempts(int capacity) {
            nanos = new long[capacity];
        }

        void record(Pod pod, String result, long n) {
            if ("scheduled".equals(result)) {
                int k = count.getAndIncrement();
                if (k < nanos.length) {
                    nanos[k] = n;
                }
            } else {
                failed.incrementAndGet();
            }
        }

        void reset() {
            count.set(0);
            failed.set(0);
        }

        long[] sorted() {
            long[] a = Arrays.copyOf(nanos, Math.min(nanos.length, count.get()));
            Arrays.sort(a);
            return a;
        }
    }

    /** A watch on one namespace that records when each pod is first seen with spec.nodeName set. */
    private record Binds(Map<String, Long> boundAt, CountDownLatch all, Disposable watch) {
        static Binds watch(KubeClient client, String ns, int pods) {
            Map<String, Long> boundAt = new ConcurrentHashMap<>();
            CountDownLatch all = new CountDownLatch(pods);
            String rv = client.resources(Pod.class).list(ns, ListOptions.all()).block().getMetadata()
                    .getResourceVersion();
            Disposable w = client.resources(Pod.class).watch(ns, ListOptions.all(), rv).subscribe(ev -> {
                Pod p = ev.object();
                if (p != null && p.getSpec() != null && p.getSpec().getNodeName() != null
                        && boundAt.putIfAbsent(p.getMetadata().getName(), System.nanoTime()) == null) {
                    all.countDown();
                }
            });
            return new Binds(boundAt, all, w);
        }
    }

    private static void report(String title, Binds binds, Attempts attempts, long t0, int timeoutS, int pods,
            ApiServerProcess api, double apiCpu0, long cpu0, Map<String, Long> createdAt)
            throws InterruptedException {
        boolean done = binds.all().await(timeoutS, TimeUnit.SECONDS);
        long t1 = binds.boundAt().values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
        double apiCpu = api.cpuSeconds() - apiCpu0;
        long cpu = SchedulerWorkload.processCpuNanos() - cpu0;
        binds.watch().dispose();
        int bound = binds.boundAt().size();
        long[] att = attempts.sorted();
        // Pods bound in each whole second of the run, as scheduler_perf's throughput samples.
        int seconds = (int) Math.max(1, (t1 - t0) / 1_000_000_000L);
        int[] perSecond = new int[seconds + 1];
        for (long b : binds.boundAt().values()) {
            int s = (int) ((b - t0) / 1_000_000_000L);
            if (s >= 0 && s < perSecond.length) {
                perSecond[s]++;
            }
        }
        int[] full = Arrays.copyOf(perSecond, seconds);
        Arrays.sort(full);
        System.out.println(title + ":");
        System.out.printf(Locale.ROOT, "  bound %d/%d pods in %.2f s%s%n", bound, pods, (t1 - t0) / 1e9,
                done ? "" : " — STOPPED at the " + timeoutS + " s cap");
        System.out.printf(Locale.ROOT, "  => %.0f pods/s bound (goal >= 1000); per-second windows: p50 %d,"
                + " max %d pods/s%n", bound * 1e9 / (t1 - t0), full.length == 0 ? 0 : full[full.length / 2],
                full.length == 0 ? 0 : full[full.length - 1]);
        System.out.printf(Locale.ROOT, "  attempt latency (pop to binding done, %d attempts, %d not scheduled): p50"
                + " %.1f ms, p99 %.1f ms, max %.1f ms%n", att.length, attempts.failed.get(),
                BenchSupport.pct(att, 50), BenchSupport.pct(att, 99),
                att.length == 0 ? Double.NaN : att[att.length - 1] / 1e6);
        if (createdAt != null) {
            long[] createToBound = binds.boundAt().entrySet().stream().filter(e -> createdAt.containsKey(e.getKey()))
                    .mapToLong(e -> e.getValue() - createdAt.get(e.getKey())).sorted().toArray();
            System.out.printf(Locale.ROOT, "  create to bound (watch): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    BenchSupport.pct(createToBound, 50), BenchSupport.pct(createToBound, 99),
                    createToBound.length == 0 ? Double.NaN : createToBound[createToBound.length - 1] / 1e6);
        }
        System.out.printf(Locale.ROOT, "  CPU: apiserver %.1f s = %.2f ms per pod, benchmark JVM %.1f s; load"
                + " average: %s%n", apiCpu, bound == 0 ? Double.NaN : apiCpu * 1000 / bound, cpu / 1e9,
                SchedulerWorkload.loadAverage());
    }
}
