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
 * Scheduling throughput end to end, as scheduler_perf: etcd and the apiserver (its own JVM), {@code -Dnodes} plain
 * Node objects created through the API (no kubelets), the scheduler in this JVM with its own client, informers and
 * the real {@link DefaultBinder} ({@code pods/binding}), and {@code -Dpods} pods created through the API with
 * {@code -Dconcurrency} requests in flight. A watch on the namespace records when each pod is seen bound; the figures
 * are pods bound per second (overall and per one-second window), the scheduler's attempt latency (pop to binding
 * done) and create-to-bound latency. The pods' wait stops after {@code -Dtimeout.s}.
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
            String ns = "bench-sched";
            loader.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(ns)
                    .endMetadata().build()).block(Duration.ofSeconds(30));

            long n0 = System.nanoTime();
            BenchSupport.Run nodeRun = BenchSupport.closedLoop(nodes, 32, i -> loader.resources(Node.class)
                    .create(SchedulerWorkload.node(i)).map(x -> "").toFuture().thenApply(x -> (String) null));
            System.out.printf(Locale.ROOT, "created %d nodes in %.1f s (%d failures%s)%n", nodes,
                    (System.nanoTime() - n0) / 1e9, nodeRun.failures(),
                    nodeRun.firstFailure() == null ? "" : ": " + nodeRun.firstFailure());

            Parallelizer parallelizer = new Parallelizer(parallelism);
            Framework fw = new Framework(DefaultPlugins.profile(Scheduler.DEFAULT_SCHEDULER_NAME,
                    new DefaultBinder(schedClient, Duration.ofSeconds(30)), percentage), parallelizer, new Random());
            EventRecorder events = new EventRecorder(schedClient.resources(Event.class), Scheduler.DEFAULT_SCHEDULER_NAME,
                    null);
            SharedInformerFactory informers = SharedInformerFactory.forClient(schedClient, Duration.ZERO);
            Scheduler scheduler = new Scheduler(schedClient, informers, List.of(fw), events, Clock.system(),
                    new Scheduler.Settings(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60),
                            Duration.ofSeconds(30), bindingThreads));
            long[] attempts = new long[pods];
            AtomicInteger attemptCount = new AtomicInteger();
            AtomicInteger failedAttempts = new AtomicInteger();
            scheduler.observeAttempts((pod, result, nanos) -> {
                if ("scheduled".equals(result)) {
                    int k = attemptCount.getAndIncrement();
                    if (k < pods) {
                        attempts[k] = nanos;
                    }
                } else {
                    failedAttempts.incrementAndGet();
                }
            });
            long s0 = System.nanoTime();
            scheduler.start(Duration.ofMinutes(2));
            System.out.printf(Locale.ROOT, "scheduler started (in this JVM, informers synced) in %.1f s%n",
                    (System.nanoTime() - s0) / 1e9);

            System.out.printf(Locale.ROOT, "scheduler end to end: %d nodes, %d pods created with %d in flight;"
                    + " scheduler in the benchmark JVM, apiserver pid %d (own JVM) on etcd; parallelism %d,"
                    + " percentageOfNodesToScore %s, %d binding threads, client pool %s connections%n", nodes, pods,
                    concurrency, api.pid(), parallelism, percentage == 0 ? "adaptive" : percentage + "%",
                    bindingThreads, System.getProperty("kube4j.client.max-connections", "500"));
            System.out.println("  " + SchedulerWorkload.jvm() + "; " + BenchSupport.storageNote(etcd)
                    + "; load average before: " + loadBefore);
            System.out.println("  workload: " + workload.describe());
            System.out.println("  profile plugins: " + SchedulerWorkload.plugins(fw));
            String missing = workload.missingPlugins(fw);
            if (missing != null) {
                System.out.println("  " + missing);
            }

            Map<String, Long> createdAt = new ConcurrentHashMap<>();
            Map<String, Long> boundAt = new ConcurrentHashMap<>();
            CountDownLatch allBound = new CountDownLatch(pods);
            String rv = loader.resources(Pod.class).list(ns, ListOptions.all()).block().getMetadata()
                    .getResourceVersion();
            Disposable watch = loader.resources(Pod.class).watch(ns, ListOptions.all(), rv).subscribe(ev -> {
                Pod p = ev.object();
                if (p != null && p.getSpec() != null && p.getSpec().getNodeName() != null
                        && boundAt.putIfAbsent(p.getMetadata().getName(), System.nanoTime()) == null) {
                    allBound.countDown();
                }
            });
            double apiCpu0 = api.cpuSeconds();
            long cpu0 = SchedulerWorkload.processCpuNanos();
            long t0 = System.nanoTime();
            AtomicLong lastCreate = new AtomicLong();
            Thread creator = new Thread(() -> {
                try {
                    BenchSupport.Run r = BenchSupport.closedLoop(pods, concurrency, i -> {
                        Pod pod = workload.pod(ns, "p", i);
                        pod.getMetadata().setUid(null);
                        pod.getMetadata().setCreationTimestamp(null);
                        createdAt.put(pod.getMetadata().getName(), System.nanoTime());
                        return loader.resources(Pod.class).create(pod).map(x -> "").toFuture()
                                .thenApply(x -> (String) null);
                    });
                    lastCreate.set(System.nanoTime());
                    System.out.printf(Locale.ROOT, "  creates: %.0f pods/s, %s, %d failures%s%n", r.opsPerSecond(),
                            r.latencySummary(), r.failures(), r.firstFailure() == null ? "" : ": " + r.firstFailure());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-creator");
            creator.setDaemon(true);
            creator.start();
            boolean done = allBound.await(timeoutS, TimeUnit.SECONDS);
            long t1 = boundAt.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
            double apiCpu = api.cpuSeconds() - apiCpu0;
            long cpu = SchedulerWorkload.processCpuNanos() - cpu0;
            watch.dispose();
            int bound = boundAt.size();

            long[] createToBound = boundAt.entrySet().stream().filter(e -> createdAt.containsKey(e.getKey()))
                    .mapToLong(e -> e.getValue() - createdAt.get(e.getKey())).sorted().toArray();
            long[] att = Arrays.copyOf(attempts, Math.min(pods, attemptCount.get()));
            Arrays.sort(att);
            // Pods bound in each whole second of the run, as scheduler_perf's throughput samples.
            int seconds = (int) Math.max(1, (t1 - t0) / 1_000_000_000L);
            int[] perSecond = new int[seconds + 1];
            for (long b : boundAt.values()) {
                int s = (int) ((b - t0) / 1_000_000_000L);
                if (s >= 0 && s < perSecond.length) {
                    perSecond[s]++;
                }
            }
            int[] full = Arrays.copyOf(perSecond, seconds);
            Arrays.sort(full);
            System.out.printf(Locale.ROOT, "  bound %d/%d pods in %.2f s%s (creates took %.2f s)%n", bound, pods,
                    (t1 - t0) / 1e9, done ? "" : " — STOPPED at the " + timeoutS + " s cap",
                    lastCreate.get() == 0 ? Double.NaN : (lastCreate.get() - t0) / 1e9);
            System.out.printf(Locale.ROOT, "  => %.0f pods/s bound (goal >= 1000); per-second windows: p50 %d,"
                    + " max %d pods/s%n", bound * 1e9 / (t1 - t0), full.length == 0 ? 0 : full[full.length / 2],
                    full.length == 0 ? 0 : full[full.length - 1]);
            System.out.printf(Locale.ROOT, "  attempt latency (pop to bound, %d attempts, %d not scheduled): p50 %.1f"
                    + " ms, p99 %.1f ms, max %.1f ms%n", att.length, failedAttempts.get(), BenchSupport.pct(att, 50),
                    BenchSupport.pct(att, 99), att.length == 0 ? Double.NaN : att[att.length - 1] / 1e6);
            System.out.printf(Locale.ROOT, "  create to bound (watch): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    BenchSupport.pct(createToBound, 50), BenchSupport.pct(createToBound, 99),
                    createToBound.length == 0 ? Double.NaN : createToBound[createToBound.length - 1] / 1e6);
            System.out.printf(Locale.ROOT, "  CPU: apiserver %.1f s, benchmark JVM (scheduler + creates + watch)"
                    + " %.1f s; load average after: %s%n", apiCpu, cpu / 1e9, SchedulerWorkload.loadAverage());
            scheduler.close();
            parallelizer.close();
            // The Scheduled events may still be draining; give them a moment before the apiserver stops.
            events.close(Duration.ofSeconds(10));
        } finally {
            etcd.destroy();
        }
        System.exit(0);
    }
}
