package io.kube4j.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.client.util.Clock;
import io.kube4j.scheduler.Scheduler;
import io.kube4j.scheduler.framework.BindPlugin;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.framework.PodKeys;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.DefaultPlugins;

/**
 * Scheduling throughput of the framework alone, as scheduler_perf's SchedulingBasic but without an apiserver: the
 * real {@link Scheduler} loop (queue, cache snapshot, filter/score, assume, reserve/permit, asynchronous bind) with
 * the default profile whose binder is a no-op that succeeds, and the bound pod reported back to the scheduler as its
 * informer would (so the cache confirms the assumed pod). {@code -Dnodes} nodes are added, {@code -Dwarmup} pods are
 * scheduled and not measured (JIT warm-up, as scheduler_perf's init pods), then {@code -Dpods} pods are queued at once
 * and the time until the last one is bound gives pods/s; attempt latency is pop to bound, as Kubernetes'
 * {@code scheduler_scheduling_attempt_duration_seconds}. Every phase stops after {@code -Dtimeout.s}.
 */
public final class SchedulerThroughputBenchmark {

    public static void main(String[] args) throws Exception {
        int nodes = BenchSupport.intProp("nodes", 5000);
        int pods = BenchSupport.intProp("pods", 10000);
        int warmup = BenchSupport.intProp("warmup", 5000);
        int parallelism = BenchSupport.intProp("parallelism", Runtime.getRuntime().availableProcessors());
        int percentage = BenchSupport.intProp("percentageOfNodesToScore", 0);
        int bindingThreads = BenchSupport.intProp("binding.threads", 64);
        int timeoutS = BenchSupport.intProp("timeout.s", 120);
        SchedulerWorkload workload = SchedulerWorkload.fromProperties();
        String loadBefore = SchedulerWorkload.loadAverage();

        AtomicReference<Scheduler> ref = new AtomicReference<>();
        ExecutorService informer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bench-informer");
            t.setDaemon(true);
            return t;
        });
        BindPlugin binder = new BindPlugin() {
            @Override
            public String name() {
                return "NoopBinder";
            }

            @Override
            public Status bind(CycleState state, Pod pod, String nodeName) {
                // What the pod informer would deliver once the binding is stored: the pod with its node.
                informer.execute(() -> ref.get().podEvents().onUpdate(pod, pod));
                return Status.success();
            }
        };
        Parallelizer parallelizer = new Parallelizer(parallelism);
        // The default profile as the scheduler runs it, minus preemption (no apiserver to delete victims through).
        Framework fw = new Framework(DefaultPlugins.profile(Scheduler.DEFAULT_SCHEDULER_NAME, binder, percentage,
                FrameworkHandle.offline(parallelizer), false), parallelizer, new Random(1));
        Scheduler scheduler = Scheduler.inProcess(List.of(fw), Clock.system(), new Scheduler.Settings(
                Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(30),
                bindingThreads));
        ref.set(scheduler);

        System.out.printf(Locale.ROOT, "scheduler throughput (in-process, no-op binder): %d nodes, %d pods measured"
                + " after %d warm-up pods; parallelism %d, percentageOfNodesToScore %s (%d nodes per cycle),"
                + " %d binding threads%n", nodes, pods, warmup, parallelism,
                percentage == 0 ? "adaptive" : percentage + "%", fw.numFeasibleNodesToFind(nodes), bindingThreads);
        System.out.println("  " + SchedulerWorkload.jvm() + "; load average before: " + loadBefore);
        System.out.println("  workload: " + workload.describe());
        System.out.println("  profile plugins: " + SchedulerWorkload.plugins(fw));
        String missing = workload.missingPlugins(fw);
        if (missing != null) {
            System.out.println("  " + missing);
        }

        for (int i = 0; i < nodes; i++) {
            scheduler.nodeEvents().onAdd(SchedulerWorkload.node(i));
        }
        Phase phase = new Phase();
        scheduler.observeAttempts((pod, result, nanos) -> phase.get().observe(pod, result, nanos));
        scheduler.startLoop();
        try {
            if (warmup > 0) {
                Phase.Run w = phase.start(warmup, "w", workload, scheduler);
                w.await(timeoutS);
                System.out.println("  warm-up:  " + w.summary());
            }
            Phase.Run m = phase.start(pods, "p", workload, scheduler);
            m.await(timeoutS);
            System.out.println("  measured: " + m.summary());
            System.out.printf(Locale.ROOT, "  => %.0f pods/s (goal >= 5000), attempt latency %s; load average after:"
                    + " %s%n", m.podsPerSecond(), m.latency(), SchedulerWorkload.loadAverage());
        } finally {
            scheduler.close();
            parallelizer.close();
            informer.shutdownNow();
        }
        System.exit(0);
    }

    /** The phase in progress: its pods, outcomes and latencies. */
    static final class Phase {
        private final AtomicReference<Run> current = new AtomicReference<>();

        Run get() {
            return current.get();
        }

        /** Queues {@code count} pods named {@code prefix-i} from a feeder thread, as creates arriving fast. */
        Run start(int count, String prefix, SchedulerWorkload workload, Scheduler scheduler) {
            List<Pod> pods = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                pods.add(workload.pod("bench", prefix, i));
            }
            Run run = new Run(count, prefix);
            current.set(run);
            System.gc();
            run.begin();
            for (Pod p : pods) {
                scheduler.podEvents().onAdd(p);
            }
            return run;
        }

        static final class Run {
            final int count;
            final String prefix;
            final long[] latencies;
            final AtomicInteger scheduled = new AtomicInteger();
            final AtomicInteger unschedulable = new AtomicInteger();
            final AtomicInteger errors = new AtomicInteger();
            final ConcurrentHashMap<String, Boolean> done = new ConcurrentHashMap<>();
            final CountDownLatch all;
            long t0;
            volatile long t1;
            long[] gc0;
            long[] gc1;
            long cpu0;
            long cpu1;
            long alloc0;
            long alloc1;
            boolean timedOut;

            Run(int count, String prefix) {
                this.count = count;
                this.prefix = prefix;
                this.latencies = new long[count];
                this.all = new CountDownLatch(count);
            }

            void begin() {
                gc0 = SchedulerWorkload.gc();
                cpu0 = SchedulerWorkload.processCpuNanos();
                alloc0 = SchedulerWorkload.allocatedBytes();
                t0 = System.nanoTime();
            }

            void observe(Pod pod, String result, long nanos) {
                switch (result) {
                    case "scheduled" -> {
                        if (done.putIfAbsent(PodKeys.key(pod), Boolean.TRUE) == null) {
                            int n = scheduled.getAndIncrement();
                            if (n < count) {
                                latencies[n] = nanos;
                            }
                            t1 = System.nanoTime();
                            all.countDown();
                        }
                    }
                    case "unschedulable" -> unschedulable.incrementAndGet();
                    default -> errors.incrementAndGet();
                }
            }

            void await(int timeoutS) throws InterruptedException {
                timedOut = !all.await(timeoutS, TimeUnit.SECONDS);
                if (timedOut) {
                    t1 = System.nanoTime();
                }
                gc1 = SchedulerWorkload.gc();
                cpu1 = SchedulerWorkload.processCpuNanos();
                alloc1 = SchedulerWorkload.allocatedBytes();
            }

            double podsPerSecond() {
                return scheduled.get() * 1e9 / (t1 - t0);
            }

            String latency() {
                long[] s = Arrays.copyOf(latencies, Math.min(count, scheduled.get()));
                Arrays.sort(s);
                return s.length == 0 ? "n/a" : String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                        BenchSupport.pct(s, 50), BenchSupport.pct(s, 99), s[s.length - 1] / 1e6);
            }

            String summary() {
                return String.format(Locale.ROOT, "%d/%d pods bound in %.2f s = %.0f pods/s; %s; %d unschedulable"
                        + " and %d failed attempts; per pod: JVM CPU %.0f us, allocated %.1f KiB (feeding the queue"
                        + " included); GC %d collections, %d ms%s", scheduled.get(), count,
                        (t1 - t0) / 1e9, podsPerSecond(), latency(), unschedulable.get(), errors.get(),
                        (cpu1 - cpu0) / 1e3 / Math.max(1, scheduled.get()),
                        (alloc1 - alloc0) / 1024.0 / Math.max(1, scheduled.get()),
                        gc1[0] - gc0[0], gc1[1] - gc0[1], timedOut ? "; STOPPED at the time cap" : "");
            }
        }
    }
}
