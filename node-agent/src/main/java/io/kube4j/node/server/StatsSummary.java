package io.kube4j.node.server;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.pod.ActivePods;
import io.kube4j.node.runtime.ContainerStats;
import io.kube4j.node.runtime.ContainerStatus;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The kubelet's Summary API ({@code /stats/summary}): node CPU and memory from {@code /proc}, the filesystem of
 * the node's root directory, and per pod and container usage from the runtime. CPU rates
 * ({@code usageNanoCores}) need two samples, so the previous one is kept per container (and for the node);
 * the first answer for a container carries only the cumulative {@code usageCoreNanoSeconds}.
 */
public final class StatsSummary {

    private record Sample(long timeNanos, long cpuNanos) {
    }

    private static final int STATS_PARALLELISM = 16;
    /** Shared by every summary; idle threads end after 30 s, and they never keep the JVM alive. */
    private static final ExecutorService STATS_POOL = statsPool();

    private static ExecutorService statsPool() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(STATS_PARALLELISM, STATS_PARALLELISM, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "stats-summary-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private final NodeContext ctx;
    private final ActivePods pods;
    private final Path procRoot;
    private final Map<String, Sample> previous = new ConcurrentHashMap<>();

    public StatsSummary(NodeContext ctx, ActivePods pods) {
        this(ctx, pods, Path.of("/proc"));
    }

    StatsSummary(NodeContext ctx, ActivePods pods, Path procRoot) {
        this.ctx = ctx;
        this.pods = pods;
        this.procRoot = procRoot;
    }

    /** The summary as JSON (blocking: samples the runtime). */
    public ObjectNode summary() {
        ObjectNode root = Codecs.json().createObjectNode();
        String now = Instant.now().toString();
        ObjectNode node = root.putObject("node");
        node.put("nodeName", ctx.nodeName());
        nodeCpu(node.putObject("cpu"), now);
        nodeMemory(node.putObject("memory"), now);
        nodeFs(node.putObject("fs"), now);
        ArrayNode podsOut = root.putArray("pods");
        List<ContainerStatus> all = ctx.runtime().listContainers();
        Map<String, CompletableFuture<Optional<ContainerStats>>> sampled = sampleConcurrently(all);
        Set<String> seen = new HashSet<>();
        seen.add("node");
        for (Pod pod : pods.activePods()) {
            String uid = pod.getMetadata().getUid();
            ObjectNode p = podsOut.addObject();
            ObjectNode ref = p.putObject("podRef");
            ref.put("name", pod.getMetadata().getName());
            ref.put("namespace", pod.getMetadata().getNamespace());
            ref.put("uid", uid);
            if (pod.getStatus() != null && pod.getStatus().getStartTime() != null) {
                p.put("startTime", pod.getStatus().getStartTime());
            }
            long podCpu = 0;
            long podRate = 0;
            boolean podRateKnown = true;
            long podMem = 0;
            long podWs = 0;
            long podRss = 0;
            ArrayNode containers = p.putArray("containers");
            for (ContainerStatus c : all) {
                if (!uid.equals(c.podUid()) || !c.running()) {
                    continue;
                }
                Optional<ContainerStats> s = joined(sampled.get(c.id()));
                if (s.isEmpty()) {
                    continue;
                }
                ContainerStats st = s.get();
                seen.add(c.id());
                ObjectNode co = containers.addObject();
                co.put("name", c.containerName());
                if (c.startedAt() != null) {
                    co.put("startTime", c.startedAt().toString());
                }
                String time = st.timestamp() == null ? now : st.timestamp().toString();
                Long rate = rate(c.id(), st.timestamp() == null ? System.nanoTime() : toNanos(st.timestamp()),
                        st.cpuUsageCoreNanoSeconds());
                ObjectNode cpu = co.putObject("cpu");
                cpu.put("time", time);
                if (rate != null) {
                    cpu.put("usageNanoCores", rate);
                    podRate += rate;
                } else {
                    podRateKnown = false;
                }
                cpu.put("usageCoreNanoSeconds", st.cpuUsageCoreNanoSeconds());
                ObjectNode mem = co.putObject("memory");
                mem.put("time", time);
                mem.put("usageBytes", st.memoryUsageBytes());
                mem.put("workingSetBytes", st.memoryWorkingSetBytes());
                mem.put("rssBytes", st.memoryRssBytes());
                if (st.rootfsUsedBytes() >= 0) {
                    ObjectNode fs = co.putObject("rootfs");
                    fs.put("time", time);
                    fs.put("usedBytes", st.rootfsUsedBytes());
                }
                podCpu += st.cpuUsageCoreNanoSeconds();
                podMem += st.memoryUsageBytes();
                podWs += st.memoryWorkingSetBytes();
                podRss += st.memoryRssBytes();
            }
            ObjectNode cpu = p.putObject("cpu");
            cpu.put("time", now);
            if (podRateKnown && !containers.isEmpty()) {
                cpu.put("usageNanoCores", podRate);
            }
            cpu.put("usageCoreNanoSeconds", podCpu);
            ObjectNode mem = p.putObject("memory");
            mem.put("time", now);
            mem.put("usageBytes", podMem);
            mem.put("workingSetBytes", podWs);
            mem.put("rssBytes", podRss);
        }
        previous.keySet().retainAll(seen);
        return root;
    }

    /**
     * Docker answers a stats request in about a second (it waits for a second CPU sample), so the active pods'
     * running containers are sampled at once, {@value #STATS_PARALLELISM} at a time, rather than one after the
     * other: a node with twenty containers still answers within the apiserver's scrape timeout.
     */
    private Map<String, CompletableFuture<Optional<ContainerStats>>> sampleConcurrently(List<ContainerStatus> all) {
        Set<String> uids = new HashSet<>();
        pods.activePods().forEach(p -> uids.add(p.getMetadata().getUid()));
        Map<String, CompletableFuture<Optional<ContainerStats>>> out = new HashMap<>();
        for (ContainerStatus c : all) {
            if (c.running() && uids.contains(c.podUid())) {
                out.put(c.id(), CompletableFuture.supplyAsync(() -> ctx.runtime().stats(c.id()), STATS_POOL));
            }
        }
        return out;
    }

    /** The sample, or the runtime's error as it would have been thrown by a direct call. */
    private static Optional<ContainerStats> joined(CompletableFuture<Optional<ContainerStats>> f) {
        if (f == null) {
            return Optional.empty();
        }
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private static long toNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** CPU rate in nanocores since the previous sample of {@code key}; null for the first sample. */
    Long rate(String key, long timeNanos, long cpuNanos) {
        Sample prev = previous.put(key, new Sample(timeNanos, cpuNanos));
        if (prev == null || timeNanos <= prev.timeNanos() || cpuNanos < prev.cpuNanos()) {
            return null;
        }
        return (long) ((cpuNanos - prev.cpuNanos()) * 1e9 / (timeNanos - prev.timeNanos()));
    }

    private void nodeCpu(ObjectNode cpu, String now) {
        cpu.put("time", now);
        try {
            // cpu  user nice system idle iowait irq softirq steal ... in USER_HZ (100 on Linux)
            String line = Files.readAllLines(procRoot.resolve("stat")).stream().filter(l -> l.startsWith("cpu "))
                    .findFirst().orElseThrow(() -> new IOException("no cpu line"));
            String[] f = line.trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            long nanos = busy * 10_000_000L;
            Long rate = rate("node", System.nanoTime(), nanos);
            if (rate != null) {
                cpu.put("usageNanoCores", rate);
            }
            cpu.put("usageCoreNanoSeconds", nanos);
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux): the node's CPU is left out, as cadvisor would
        }
    }

    private void nodeMemory(ObjectNode mem, String now) {
        mem.put("time", now);
        try {
            Map<String, Long> kb = new java.util.HashMap<>();
            for (String l : Files.readAllLines(procRoot.resolve("meminfo"))) {
                String[] f = l.split("[:\\s]+");
                if (f.length >= 2) {
                    kb.put(f[0], Long.parseLong(f[1]) * 1024);
                }
            }
            long total = kb.getOrDefault("MemTotal", 0L);
            long free = kb.getOrDefault("MemFree", 0L);
            long available = kb.getOrDefault("MemAvailable", free);
            long inactiveFile = kb.getOrDefault("Inactive(file)", 0L);
            long usage = total - free;
            mem.put("availableBytes", available);
            mem.put("usageBytes", usage);
            // as cadvisor: working set = usage - inactive file pages
            mem.put("workingSetBytes", Math.max(0, usage - inactiveFile));
            mem.put("rssBytes", Math.max(0, total - free - kb.getOrDefault("Buffers", 0L) - kb.getOrDefault("Cached", 0L)));
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
    }

    private void nodeFs(ObjectNode fs, String now) {
        fs.put("time", now);
        try {
            Path dir = ctx.rootDir() == null ? Path.of(".") : ctx.rootDir();
            while (dir != null && !Files.exists(dir)) {
                dir = dir.getParent();
            }
            FileStore store = Files.getFileStore(dir == null ? Path.of("/") : dir);
            fs.put("capacityBytes", store.getTotalSpace());
            fs.put("availableBytes", store.getUsableSpace());
            fs.put("usedBytes", store.getTotalSpace() - store.getUnallocatedSpace());
        } catch (IOException | RuntimeException e) {
            // leave the filesystem out
        }
    }

    /** For tests: the container keys holding a previous sample. */
    List<String> sampledKeys() {
        return new ArrayList<>(previous.keySet());
    }
}
