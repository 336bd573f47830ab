package io.kube4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.util.Clock;
import io.kube4j.node.agent.NodeAgent;
import io.kube4j.node.agent.NodeAgentHarness;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.config.PodLifecycleProperties;
import io.kube4j.node.runtime.ContainerRuntime;
import io.kube4j.node.runtime.docker.DockerRuntime;
import io.kube4j.node.status.NodeAddresses;
import io.kube4j.node.testsupport.DockerTestSupport;
import io.kube4j.node.testsupport.TestImages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.Disposable;

/**
 * Pod startup latency on a real Docker engine: for {@code -Dpods=100} pods (one busybox container each, image
 * present locally), the time from the create request to the watch delivering the pod with phase Running, one pod
 * at a time (or, with {@code -Dinterval.ms=N}, one every N ms); against the physical floor, {@code docker run -d}
 * of the same image the same way in the same run. A pod is two containers (the sandbox and the app), so twice
 * the floor is what a pod costs the engine. The apiserver runs as its own process on etcd; the node agent in this JVM.
 */
public final class PodStartupBenchmark {

    public static void main(String[] args) throws Exception {
        int pods = BenchSupport.intProp("pods", 100);
        // 0: one at a time (create, wait until Running, next), as docker run -d is one at a time; >0: paced
        int intervalMs = BenchSupport.intProp("interval.ms", 0);
        Path logs = Files.createTempDirectory("kube4j-podstartup");
        EtcdServer etcd = BenchSupport.startEtcd();
        String image = TestImages.busybox();
        System.out.printf(Locale.ROOT, "pod startup: %d pods, %s, image %s; %s%n", pods,
                intervalMs == 0 ? "one at a time" : "one every " + intervalMs + " ms", image,
                BenchSupport.storageNote(etcd));

        // ---- the floor: docker run -d, same image, same pace
        String net = "kube4j-bench-floor";
        run("docker", "network", "create", "--subnet", "10.244.251.0/24", net);
        long[] floor = new long[pods];
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < pods; i++) {
                long t0 = System.nanoTime();
                ids.add(run("docker", "run", "-d", "--network", net, "--label", "kube4j.bench=floor", image,
                        "sleep", "3600").strip());
                floor[i] = System.nanoTime() - t0;
                if (intervalMs > 0) {
                    sleepRest(t0, intervalMs);
                }
            }
        } finally {
            for (String id : ids) {
                run("docker", "rm", "-f", id);
            }
            run("docker", "network", "rm", net);
        }

        // ---- kube4j: create -> Running through a watch
        long[] lat;
        String slowestNote = null;
        try (ApiServerProcess api = ApiServerProcess.start(etcd.endpoint(), logs)) {
            KubeClient client = KubeClient.create(ClientConfig.of(api.url()));
            String node = "bench-node";
            NodeAgentProperties props = NodeAgentHarness.properties(Map.of("name", node, "pod-cidr",
                    "10.244.252.0/24", "root-dir", logs.resolve("node").toString(), "server.port", "0"));
            ContainerRuntime runtime = DockerRuntime.connect(node, props.docker(), props.podCidr());
            ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
            EventRecorder events = new EventRecorder(client.resources(Event.class), "kubelet", node);
            NodeContext ctx = new NodeContext(node, NodeAddresses.detectInternalIp(), props, client, runtime,
                    scheduler, events, new SimpleMeterRegistry(), Clock.system(), logs.resolve("node"));
            NodeAgent agent = new NodeAgent(ctx, PodLifecycleProperties.defaults(), null, true);
            agent.start();
            String ns = "bench";
            client.resources(io.fabric8.kubernetes.api.model.Namespace.class).create(new NamespaceBuilder()
                    .withNewMetadata().withName(ns).endMetadata().build()).block();
            Map<String, Long> created = new ConcurrentHashMap<>();
            Map<String, Long> running = new ConcurrentHashMap<>();
            CountDownLatch all = new CountDownLatch(pods);
            Map<String, CountDownLatch> perPod = new ConcurrentHashMap<>();
            String rv = client.resources(Pod.class).list(ns, ListOptions.all()).block().getMetadata()
                    .getResourceVersion();
            Disposable watch = client.resources(Pod.class).watch(ns, ListOptions.all(), rv).subscribe(ev -> {
                Pod p = ev.object();
                if (p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase())
                        && running.putIfAbsent(p.getMetadata().getName(), System.nanoTime()) == null) {
                    all.countDown();
                    CountDownLatch one = perPod.get(p.getMetadata().getName());
                    if (one != null) {
                        one.countDown();
                    }
                }
            });
            try {
                for (int i = 0; i < pods; i++) {
                    String name = "p" + i;
                    Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                            .withNewSpec().withNodeName(node).withTerminationGracePeriodSeconds(1L)
                            .addNewContainer().withName("main").withImage(image).withCommand("sleep", "3600")
                            .endContainer().endSpec().build();
                    CountDownLatch one = new CountDownLatch(1);
                    perPod.put(name, one);
                    long t0 = System.nanoTime();
                    created.put(name, t0);
                    client.resources(Pod.class).create(pod).block();
                    if (intervalMs == 0) {
                        one.await(2, TimeUnit.MINUTES);
                    } else {
                        sleepRest(t0, intervalMs);
                    }
                }
                if (!all.await(5, TimeUnit.MINUTES)) {
                    System.out.printf("only %d of %d pods ran within 5 minutes%n", pods - all.getCount(), pods);
                }
            } finally {
                watch.dispose();
            }
            lat = created.entrySet().stream().filter(e -> running.containsKey(e.getKey()))
                    .mapToLong(e -> running.get(e.getKey()) - e.getValue()).toArray();
            StringBuilder slow = new StringBuilder("slowest pods (name: ms):");
            created.entrySet().stream().filter(e -> running.containsKey(e.getKey()))
                    .sorted((a, b) -> Long.compare(running.get(b.getKey()) - b.getValue(),
                            running.get(a.getKey()) - a.getValue())).limit(5)
                    .forEach(e -> slow.append(' ').append(e.getKey()).append(": ")
                            .append((running.get(e.getKey()) - e.getValue()) / 1_000_000));
            slowestNote = slow.toString();
            agent.close();
            DockerTestSupport.cleanupNode(node);
            runtime.close();
            scheduler.shutdownNow();
            client.close();
        }
        Arrays.sort(floor);
        Arrays.sort(lat);
        System.out.printf(Locale.ROOT, "docker run -d (floor):   p50 %6.0f ms  p90 %6.0f ms  p99 %6.0f ms  max %6.0f ms%n",
                ms(BenchSupport.pct(floor, 50)), ms(BenchSupport.pct(floor, 90)), ms(BenchSupport.pct(floor, 99)),
                floor[floor.length - 1] / 1e6);
        System.out.printf(Locale.ROOT, "kube4j create->Running:  p50 %6.0f ms  p90 %6.0f ms  p99 %6.0f ms  max %6.0f ms  (%d pods)%n",
                ms(BenchSupport.pct(lat, 50)), ms(BenchSupport.pct(lat, 90)), ms(BenchSupport.pct(lat, 99)),
                lat[lat.length - 1] / 1e6, lat.length);
        if (slowestNote != null) {
            System.out.println(slowestNote);
        }
        System.out.printf(Locale.ROOT, "overhead over docker run: p50 %+.0f ms, p99 %+.0f ms (goal: p99 < 1000 ms; Kubernetes SLO p99 <= 5 s)%n",
                ms(BenchSupport.pct(lat, 50) - BenchSupport.pct(floor, 50)),
                ms(BenchSupport.pct(lat, 99) - BenchSupport.pct(floor, 99)));
        etcd.destroy();
        System.exit(0);
    }

    private static double ms(double millis) {
        return millis;
    }

    private static void sleepRest(long t0, int intervalMs) throws InterruptedException {
        long left = TimeUnit.MILLISECONDS.toNanos(intervalMs) - (System.nanoTime() - t0);
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
