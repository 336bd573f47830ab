package io.kube4j.node.hollow;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Node;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.status.NodeLeaseRenewer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Load driver (not a test): starts N hollow nodes (full node agents: status, Lease, pod informer, pod workers) against an apiserver and prints heap per node
 * (after GC), process CPU time per node per minute over a window, and the lease renewal p99.
 * {@code HollowFleetBenchmark <apiserver-url> [nodes=1000] [window-seconds=60]}.
 */
public final class HollowFleetBenchmark {

    private HollowFleetBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : "http://127.0.0.1:8080";
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int windowSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 6) + "-";
        NodeAgentProperties p = HollowFleetApplication.bind(Map.of("kube4j.node.hollow.name-prefix", prefix));
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // one long-lived pod watch per node: the shared pool needs more than the default 500 connections
        System.getProperties().putIfAbsent("kube4j.client.max-connections", "20000");
        try (KubeClient client = KubeClient.create(ClientConfig.of(url))) {
            client.resources(Node.class).list(null, ListOptions.all().withLimit(1, null)).block(Duration.ofSeconds(30));
            long heapBefore = heapAfterGc(mem);
            long t0 = System.nanoTime();
            HollowFleet fleet = new HollowFleet(client, p, count, HollowRuntime.Resources.DEFAULT, meters,
                    HollowFleet.fullAgents(io.kube4j.node.config.PodLifecycleProperties.defaults(),
                            java.util.concurrent.Executors.newFixedThreadPool(8)));
            fleet.start();
            while (registered(client, prefix) < count) {
                Thread.sleep(1000);
            }
            System.out.printf("registered %d nodes in %.1f s%n", count, (System.nanoTime() - t0) / 1e9);
            // let every node pass its first lease renewal before measuring the steady state
            Thread.sleep(p.lease().renewInterval().toMillis() + 2000);
            long heapAfter = heapAfterGc(mem);
            Timer renew = meters.get(NodeLeaseRenewer.RENEW_TIMER).timer();
            long renewsBefore = renew.count();
            double renewMsBefore = renew.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS);
            long cpu0 = os.getProcessCpuTime();
            long w0 = System.nanoTime();
            Thread.sleep(windowSeconds * 1000L);
            long cpu = os.getProcessCpuTime() - cpu0;
            double minutes = (System.nanoTime() - w0) / 60e9;
            double p99 = Double.NaN;
            for (ValueAtPercentile v : renew.takeSnapshot().percentileValues()) {
                if (v.percentile() == 0.99) {
                    p99 = v.value(java.util.concurrent.TimeUnit.MILLISECONDS);
                }
            }
            System.out.printf("nodes: %d%n", count);
            System.out.printf("heap used per node (after GC): %.1f KiB (%.1f MiB total above the idle client)%n",
                    (heapAfter - heapBefore) / 1024.0 / count, (heapAfter - heapBefore) / 1048576.0);
            System.out.printf("process CPU per node per minute: %.2f ms (%.1f s CPU in %.2f min for all nodes)%n",
                    cpu / 1e6 / count / minutes, cpu / 1e9, minutes);
            long renews = renew.count() - renewsBefore;
            System.out.printf("lease renewals in window: %d (%.1f/s); renew p99 (decaying ~2 min window): %.1f ms, "
                            + "mean in window %.1f ms, errors since start %.0f%n",
                    renews, renews / (minutes * 60), p99,
                    (renew.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS) - renewMsBefore) / Math.max(1, renews),
                    meters.get(NodeLeaseRenewer.RENEW_ERRORS).counter().count());
            fleet.close();
        }
    }

    private static long registered(KubeClient client, String prefix) {
        return client.resources(Node.class).list(null, ListOptions.all()).block(Duration.ofSeconds(30)).getItems()
                .stream().filter(n -> n.getMetadata().getName().startsWith(prefix)).count();
    }

    private static long heapAfterGc(MemoryMXBean mem) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
