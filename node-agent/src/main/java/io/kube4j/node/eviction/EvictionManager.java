package io.kube4j.node.eviction;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.pod.ActivePods;
import io.kube4j.node.runtime.ContainerStats;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.status.NodePressure;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Hard eviction, after the kubelet's eviction manager: every {@code eviction.monitoringInterval} it observes the
 * node's signals; below a threshold it reports pressure and evicts ONE pod per interval, ranked as the kubelet ranks
 * them — pods using more than they requested first, then lowest priority, then the largest usage above request
 * (memory working set under memory pressure, writable-layer bytes under disk pressure). BestEffort pods request
 * nothing, so any usage puts them first.
 *
 * <p>Thresholds: {@code memory.available < eviction.memoryAvailable}, {@code nodefs.available <
 * eviction.nodefsAvailablePercent} of the filesystem. PIDPressure is reported below 5% free PIDs of pid_max (the
 * properties have no PID threshold and the runtime reports no per-pod process counts), but never evicts.
 */
public final class EvictionManager {

    /** Free PIDs below this share of pid_max report PIDPressure. */
    static final double PID_PRESSURE_FREE_FRACTION = 0.05;
    private static final Logger log = LoggerFactory.getLogger(EvictionManager.class);

    private final NodeContext ctx;
    private final ActivePods pods;
    private final NodeSignals signals;
    private final NodeAgentProperties.Eviction config;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile NodePressure pressure = NodePressure.NONE;
    private volatile ScheduledFuture<?> ticker;

    public EvictionManager(NodeContext ctx, ActivePods pods) {
        this(ctx, pods, new ProcNodeSignals(ctx.rootDir()));
    }

    public EvictionManager(NodeContext ctx, ActivePods pods, NodeSignals signals) {
        this.ctx = Objects.requireNonNull(ctx);
        this.pods = Objects.requireNonNull(pods);
        this.signals = Objects.requireNonNull(signals);
        this.config = ctx.properties().eviction();
    }

    public synchronized void start() {
        if (ticker != null) {
            return;
        }
        long every = Math.max(1, config.monitoringInterval().toMillis());
        ticker = ctx.scheduler().scheduleAtFixedRate(this::tick, 0, every, TimeUnit.MILLISECONDS);
    }

    public synchronized void stop() {
        if (ticker != null) {
            ticker.cancel(false);
        }
    }

    /** The pressure seen at the last observation (the Node's pressure conditions). */
    public NodePressure pressure() {
        return pressure;
    }

    private void tick() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        // Observing and ranking read the runtime, which may block: not on the shared scheduler.
        Mono.fromCallable(this::synchronize).subscribeOn(Schedulers.boundedElastic())
                .doFinally(s -> running.set(false))
                .subscribe(x -> { }, e -> log.warn("node {}: eviction check failed: {}", ctx.nodeName(), e.toString()));
    }

    /** One pass: observe, update {@link #pressure()}, and evict at most one pod; returns the evicted pod's UID. */
    public Optional<String> synchronize() {
        NodeSignals.Observation o = signals.observe();
        long memThreshold = config.memoryAvailable().toBytes();
        boolean memory = o.memoryAvailableBytes() >= 0 && o.memoryAvailableBytes() < memThreshold;
        long diskThreshold = o.nodefsCapacityBytes() < 0 ? -1
                : o.nodefsCapacityBytes() * config.nodefsAvailablePercent() / 100;
        boolean disk = o.nodefsAvailableBytes() >= 0 && diskThreshold >= 0 && o.nodefsAvailableBytes() < diskThreshold;
        boolean pid = o.pidMax() > 0 && o.pidsInUse() >= 0
                && (o.pidMax() - o.pidsInUse()) < o.pidMax() * PID_PRESSURE_FREE_FRACTION;
        pressure = new NodePressure(memory, disk, pid);
        if (!config.enabled() || (!memory && !disk)) {
            return Optional.empty();
        }
        Resource r = memory ? Resource.MEMORY : Resource.EPHEMERAL_STORAGE;
        List<Candidate> ranked = rank(pods.activePods(), usageByPod(r), r);
        if (ranked.isEmpty()) {
            log.warn("node {} is low on {} but has no pod to evict", ctx.nodeName(), r.name);
            return Optional.empty();
        }
        Candidate victim = ranked.get(0);
        String message = memory
                ? message(r, memThreshold, o.memoryAvailableBytes(), victim)
                : message(r, diskThreshold, o.nodefsAvailableBytes(), victim);
        log.info("node {}: evicting pod {}/{}: {}", ctx.nodeName(), victim.pod().getMetadata().getNamespace(),
                victim.pod().getMetadata().getName(), message);
        pods.evict(victim.pod().getMetadata().getUid(), message);
        return Optional.of(victim.pod().getMetadata().getUid());
    }

    /** The resource being reclaimed. */
    public enum Resource {
        MEMORY("memory"), EPHEMERAL_STORAGE("ephemeral-storage");

        final String name;

        Resource(String name) {
            this.name = name;
        }
    }

    /** A pod with its usage and request of the resource being reclaimed. */
    public record Candidate(Pod pod, long usage, long request, int priority) {

        boolean exceedsRequest() {
            return usage > request;
        }
    }

    /** Eviction order: usage over request first, then lowest priority, then most usage above request. */
    public static List<Candidate> rank(List<Pod> active, Map<String, Long> usageByUid, Resource r) {
        List<Candidate> out = new ArrayList<>();
        for (Pod p : active) {
            if (p.getMetadata() == null || p.getMetadata().getUid() == null) {
                continue;
            }
            long usage = usageByUid.getOrDefault(p.getMetadata().getUid(), 0L);
            Integer prio = p.getSpec() == null ? null : p.getSpec().getPriority();
            out.add(new Candidate(p, usage, request(p, r.name), prio == null ? 0 : prio));
        }
        out.sort(Comparator.comparing((Candidate c) -> !c.exceedsRequest())
                .thenComparingInt(Candidate::priority)
                .thenComparing(Comparator.comparingLong((Candidate c) -> c.usage() - c.request()).reversed()));
        return out;
    }

    /** The pod's request of {@code resource}: max(sum of app containers, largest init container), as the kubelet. */
    static long request(Pod p, String resource) {
        if (p.getSpec() == null) {
            return 0;
        }
        long sum = 0;
        for (Container c : p.getSpec().getContainers() == null ? List.<Container>of() : p.getSpec().getContainers()) {
            sum += request(c.getResources(), resource);
        }
        long init = 0;
        for (Container c : p.getSpec().getInitContainers() == null ? List.<Container>of()
                : p.getSpec().getInitContainers()) {
            init = Math.max(init, request(c.getResources(), resource));
        }
        return Math.max(sum, init);
    }

    private static long request(ResourceRequirements rr, String resource) {
        if (rr == null || rr.getRequests() == null) {
            return 0;
        }
        Quantity q = rr.getRequests().get(resource);
        if (q == null) {
            return 0;
        }
        BigDecimal v = Quantity.getAmountInBytes(q);
        return v.longValue();
    }

    /** Usage per pod UID, summed over its running containers (working set, or writable-layer bytes). */
    private Map<String, Long> usageByPod(Resource r) {
        Map<String, Long> usage = new HashMap<>();
        for (ContainerStatus c : ctx.runtime().listContainers()) {
            if (!c.running() || c.podUid() == null) {
                continue;
            }
            Optional<ContainerStats> s = ctx.runtime().stats(c.id());
            if (s.isEmpty()) {
                continue;
            }
            long v = r == Resource.MEMORY ? s.get().memoryWorkingSetBytes() : Math.max(0, s.get().rootfsUsedBytes());
            usage.merge(c.podUid(), v, Long::sum);
        }
        return usage;
    }

    private static String message(Resource r, long threshold, long available, Candidate c) {
        return "The node was low on resource: " + r.name + ". Threshold quantity: " + quantity(threshold)
                + ", available: " + quantity(available) + ". Pod was using " + quantity(c.usage())
                + ", request is " + quantity(c.request()) + ".";
    }

    static String quantity(long bytes) {
        if (bytes >= 0 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + "Mi";
        }
        if (bytes >= 0 && bytes % 1024 == 0) {
            return bytes / 1024 + "Ki";
        }
        return Long.toString(bytes);
    }
}
