package io.kube4j.scheduler.plugins.noderesources;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodRequests;
import io.kube4j.scheduler.framework.PreFilterPlugin;
import io.kube4j.scheduler.framework.PreScorePlugin;
import io.kube4j.scheduler.framework.Resources;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.framework.Status;

/**
 * Filters out nodes without room for the pod's requests (cpu, memory, ephemeral-storage, extended resources, pod
 * count), and scores nodes by a {@link Strategy} over the requested resources.
 */
public final class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {

    public static final String NAME = "NodeResourcesFit";
    private static final String REQUESTS_KEY = "PreFilter" + NAME;
    private static final String NON_ZERO_KEY = "PreScore" + NAME;

    /** How requested resources turn into a score. */
    public enum Strategy {
        /** Prefer the emptiest nodes (spreads pods). */
        LEAST_ALLOCATED,
        /** Prefer the fullest nodes (packs pods). */
        MOST_ALLOCATED
    }

    private final Strategy strategy;
    private final Map<String, Integer> resourceWeights;

    /** LeastAllocated over cpu and memory with weight 1 each, Kubernetes' default. */
    public NodeResourcesFit() {
        this(Strategy.LEAST_ALLOCATED, Map.of(Resources.CPU, 1, Resources.MEMORY, 1));
    }

    public NodeResourcesFit(Strategy strategy, Map<String, Integer> resourceWeights) {
        if (resourceWeights.isEmpty()) {
            throw new IllegalArgumentException(NAME + ": scoring needs at least one resource");
        }
        resourceWeights.forEach((r, w) -> {
            if (w < 1) {
                throw new IllegalArgumentException(NAME + ": weight of " + r + " must be at least 1, got " + w);
            }
        });
        this.strategy = strategy;
        this.resourceWeights = new LinkedHashMap<>(new TreeMap<>(resourceWeights));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(CycleState state, Pod pod) {
        state.write(REQUESTS_KEY, PodRequests.of(pod));
        return Status.success();
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        Resources req = state.read(REQUESTS_KEY, Resources.class);
        if (req == null) {
            req = PodRequests.of(pod);
        }
        List<String> reasons = new ArrayList<>(2);
        if (node.pods().size() + 1 > node.allowedPodNumber()) {
            reasons.add("Too many pods");
        }
        Resources alloc = node.allocatable();
        Resources used = node.requested();
        if (req.milliCpu() > 0 && req.milliCpu() > alloc.milliCpu() - used.milliCpu()) {
            reasons.add("Insufficient cpu");
        }
        if (req.memory() > 0 && req.memory() > alloc.memory() - used.memory()) {
            reasons.add("Insufficient memory");
        }
        if (req.ephemeralStorage() > 0 && req.ephemeralStorage() > alloc.ephemeralStorage() - used.ephemeralStorage()) {
            reasons.add("Insufficient ephemeral-storage");
        }
        for (Map.Entry<String, Long> e : new TreeMap<>(req.scalars()).entrySet()) {
            long want = e.getValue();
            if (want > 0 && want > alloc.scalar(e.getKey()) - used.scalar(e.getKey())) {
                reasons.add("Insufficient " + e.getKey());
            }
        }
        return reasons.isEmpty() ? Status.success() : Status.unschedulable(reasons.toArray(String[]::new));
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> feasibleNodes) {
        state.write(NON_ZERO_KEY, PodRequests.nonZero(pod));
        return Status.success();
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        Resources podReq = state.read(NON_ZERO_KEY, Resources.class);
        if (podReq == null) {
            podReq = PodRequests.nonZero(pod);
        }
        long sum = 0;
        long weights = 0;
        for (Map.Entry<String, Integer> e : resourceWeights.entrySet()) {
            String r = e.getKey();
            long capacity = amount(node.allocatable(), r);
            // cpu and memory count containers without requests at the defaults, as Kubernetes does.
            long requested = switch (r) {
                case Resources.CPU, Resources.MEMORY -> amount(node.nonZeroRequested(), r) + amount(podReq, r);
                default -> amount(node.requested(), r) + amount(podReq, r);
            };
            sum += resourceScore(requested, capacity) * e.getValue();
            weights += e.getValue();
        }
        return sum / weights;
    }

    long resourceScore(long requested, long capacity) {
        if (capacity == 0) {
            return 0;
        }
        return switch (strategy) {
            case LEAST_ALLOCATED -> requested > capacity ? 0 : (capacity - requested) * MAX_NODE_SCORE / capacity;
            case MOST_ALLOCATED -> Math.min(requested, capacity) * MAX_NODE_SCORE / capacity;
        };
    }

    private static long amount(Resources r, String name) {
        return switch (name) {
            case Resources.CPU -> r.milliCpu();
            case Resources.MEMORY -> r.memory();
            case Resources.EPHEMERAL_STORAGE -> r.ephemeralStorage();
            default -> r.scalar(name);
        };
    }
}
