package io.kube4j.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.kube4j.node.agent.NodeContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class StatsSummaryTest {

    @TempDir
    Path proc;

    @Test
    void cpuRateNeedsTwoSamples() {
        StatsSummary s = new StatsSummary(null, null, proc);
        assertThat(s.rate("c1", 1_000_000_000L, 5_000_000_000L)).isNull();
        // half a core over two seconds
        assertThat(s.rate("c1", 3_000_000_000L, 6_000_000_000L)).isEqualTo(500_000_000L);
        // a counter that went backwards (container restarted) starts over
        assertThat(s.rate("c1", 4_000_000_000L, 1_000L)).isNull();
        assertThat(s.rate("c1", 4_000_000_000L, 2_000L)).isNull();
    }

    /** A runtime with no containers (the node part of the summary does not need one). */
    private static io.kube4j.node.runtime.ContainerRuntime emptyRuntime() {
        return (io.kube4j.node.runtime.ContainerRuntime) java.lang.reflect.Proxy.newProxyInstance(
                StatsSummaryTest.class.getClassLoader(), new Class<?>[] {io.kube4j.node.runtime.ContainerRuntime.class},
                (proxy, m, args) -> {
                    if (m.getName().startsWith("list")) {
                        return java.util.List.of();
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    void nodeUsageFromProc() throws IOException {
        Files.writeString(proc.resolve("stat"), "cpu  100 0 50 1000 10 0 0 0 0 0\ncpu0 100 0 50 1000 10 0 0 0 0 0\n");
        Files.writeString(proc.resolve("meminfo"), """
                MemTotal:        1000 kB
                MemFree:          200 kB
                MemAvailable:     600 kB
                Buffers:           50 kB
                Cached:           150 kB
                Inactive(file):   100 kB
                """);
        NodeContext ctx = NodeApiFixtures.context("n1", NodeApiFixtures.properties(Map.of()), emptyRuntime(), proc);
        StatsSummary s = new StatsSummary(ctx, new NodeApiFixtures.FixedPods(), proc);
        JsonNode first = s.summary().path("node");
        assertThat(first.path("nodeName").asString()).isEqualTo("n1");
        assertThat(first.path("cpu").path("usageCoreNanoSeconds").asLong()).isEqualTo(150 * 10_000_000L);
        assertThat(first.path("cpu").has("usageNanoCores")).isFalse();
        assertThat(first.path("memory").path("availableBytes").asLong()).isEqualTo(600 * 1024L);
        assertThat(first.path("memory").path("usageBytes").asLong()).isEqualTo(800 * 1024L);
        assertThat(first.path("memory").path("workingSetBytes").asLong()).isEqualTo(700 * 1024L);
        Files.writeString(proc.resolve("stat"), "cpu  300 0 50 1000 10 0 0 0 0 0\n");
        JsonNode second = s.summary().path("node");
        assertThat(second.path("cpu").path("usageNanoCores").asLong()).isPositive();
        assertThat(second.path("fs").path("capacityBytes").asLong()).isPositive();
    }

    /** Docker takes about a second per stats call: the containers of a node are sampled at once, not in turn. */
    @Test
    void containersAreSampledConcurrently() throws IOException {
        Files.writeString(proc.resolve("stat"), "cpu  100 0 50 1000 10 0 0 0 0 0\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal: 1000 kB\nMemFree: 200 kB\n");
        int n = 4;
        java.util.concurrent.CountDownLatch allAsked = new java.util.concurrent.CountDownLatch(n);
        java.time.Instant now = java.time.Instant.now();
        java.util.List<io.kube4j.node.runtime.ContainerStatus> containers = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            containers.add(new io.kube4j.node.runtime.ContainerStatus("id" + i, "uid", "web", "ns", "c" + i, 0, "sb",
                    io.kube4j.node.runtime.ContainerStatus.State.RUNNING, now, now, null, 0, null, null, "img", "img",
                    "h", Map.of()));
        }
        io.kube4j.node.runtime.ContainerRuntime runtime = (io.kube4j.node.runtime.ContainerRuntime)
                java.lang.reflect.Proxy.newProxyInstance(StatsSummaryTest.class.getClassLoader(),
                        new Class<?>[] {io.kube4j.node.runtime.ContainerRuntime.class}, (proxy, m, args) -> {
                            if (m.getName().equals("listContainers")) {
                                return containers;
                            }
                            if (m.getName().equals("stats")) {
                                // answers only once every container's sample was asked for: serial sampling gets none
                                allAsked.countDown();
                                return allAsked.await(10, java.util.concurrent.TimeUnit.SECONDS)
                                        ? java.util.Optional.of(new io.kube4j.node.runtime.ContainerStats(now, 5, 10, 8, 4, -1))
                                        : java.util.Optional.empty();
                            }
                            throw new UnsupportedOperationException(m.getName());
                        });
        NodeContext ctx = NodeApiFixtures.context("n1", NodeApiFixtures.properties(Map.of()), runtime, proc);
        NodeApiFixtures.FixedPods pods = new NodeApiFixtures.FixedPods();
        pods.pods.add(NodeApiFixtures.pod("ns", "web", "uid", "10.0.0.1", "c0", "c1", "c2", "c3"));
        JsonNode pod = new StatsSummary(ctx, pods, proc).summary().path("pods").get(0);
        assertThat(pod.path("containers")).hasSize(n);
        assertThat(pod.path("memory").path("workingSetBytes").asLong()).isEqualTo(8L * n);
    }
}
