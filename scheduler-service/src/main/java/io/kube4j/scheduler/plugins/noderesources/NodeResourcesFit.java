package io.kube4j.scheduler.plugins.noderesources;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.PodRequests;
import io.kube4j.scheduler.framework.PreFilterPlugin;
import io.kube4j.scheduler.framework.PreScorePlugin;
import io.kube4j.scheduler.framework.Resources;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.framework.Status;

/**
 * Filters out nodes without room for the pod's requests (cpu, memory, ephemeral-storage, extended resources, pod
 * count), and scores nodes by a {@link Strategy} over the requested resources. Args as Kubernetes'
 * {@code NodeResourcesFitArgs}: {@code ignoredResources} and {@code ignoredResourceGroups} (extended resources the
 * filter does not check), {@code scoringStrategy.type}, {@code scoringStrategy.resources [{name, weight}]} and, for
 * RequestedToCapacityRatio, {@code scoringStrategy.requestedToCapacityRatio.shape [{utilization, score}]}.
 */
public final class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {

    public static final String NAME = "NodeResourcesFit";
    private static final String REQUESTS_KEY = "PreFilter" + NAME;
    private static final String NON_ZERO_KEY = "PreScore" + NAME;
    /** Kubernetes' {@code MaxCustomPriorityScore}: shape scores are 0..10, scaled to 0..100. */
    static final int MAX_CUSTOM_PRIORITY_SCORE = 10;

    /** How requested resources turn into a score. */
    public enum Strategy {
        /** Prefer the emptiest nodes (spreads pods). */
        LEAST_ALLOCATED("LeastAllocated"),
        /** Prefer the fullest nodes (packs pods). */
        MOST_ALLOCATED("MostAllocated"),
        /** Score by a piecewise linear function of each resource's utilization. */
        REQUESTED_TO_CAPACITY_RATIO("RequestedToCapacityRatio");

        private final String configName;

        Strategy(String configName) {
            this.configName = configName;
        }

        /** The name in {@code scoringStrategy.type}. */
        public String configName() {
            return configName;
        }
    }

    /** One point of the RequestedToCapacityRatio shape: utilization 0..100 → score 0..10. */
    public record ShapePoint(int utilization, int score) {
    }

    private final Strategy strategy;
    private final ResourceScorer resources;
    private final long[] shapeUtilization;
    private final long[] shapeScore;
    private final Set<String> ignoredResources;
    private final Set<String> ignoredResourceGroups;

    /** The pod's requests, with the extended resources to check resolved once per cycle. */
    private record PreFilterState(Resources requests, String[] scalarNames, long[] scalarAmounts) {
    }

    /** LeastAllocated over cpu and memory with weight 1 each, Kubernetes' default. */
    public NodeResourcesFit() {
        this(Strategy.LEAST_ALLOCATED, Map.of(Resources.CPU, 1, Resources.MEMORY, 1));
    }

    public NodeResourcesFit(Strategy strategy, Map<String, Integer> resourceWeights) {
        this(strategy, specs(resourceWeights), List.of(), Set.of(), Set.of());
    }

    private static List<ResourceScorer.Spec> specs(Map<String, Integer> weights) {
        List<ResourceScorer.Spec> out = new ArrayList<>();
        new TreeMap<>(weights).forEach((r, w) -> out.add(new ResourceScorer.Spec(r, w)));
        return out;
    }

    NodeResourcesFit(Strategy strategy, List<ResourceScorer.Spec> resources, List<ShapePoint> shape,
            Set<String> ignoredResources, Set<String> ignoredResourceGroups) {
        if (resources.isEmpty()) {
            throw new IllegalArgumentException(NAME + ": scoring needs at least one resource");
        }
        for (ResourceScorer.Spec r : resources) {
            if (r.weight() < 1 || r.weight() > 100) {
                throw new IllegalArgumentException(NAME + ": weight of " + r.name() + " must be within [1, 100], got "
                        + r.weight());
            }
        }
        if (strategy == Strategy.REQUESTED_TO_CAPACITY_RATIO) {
            validateShape(shape);
        }
        this.strategy = strategy;
        this.resources = new ResourceScorer(resources);
        this.shapeUtilization = shape.stream().mapToLong(ShapePoint::utilization).toArray();
        this.shapeScore = shape.stream().mapToLong(p -> (long) p.score() * (MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE))
                .toArray();
        this.ignoredResources = Set.copyOf(ignoredResources);
        this.ignoredResourceGroups = Set.copyOf(ignoredResourceGroups);
    }

    private static void validateShape(List<ShapePoint> shape) {
        if (shape.isEmpty()) {
            throw new IllegalArgumentException(NAME + ": args.scoringStrategy.requestedToCapacityRatio.shape needs"
                    + " at least one point");
        }
        for (int i = 0; i < shape.size(); i++) {
            ShapePoint p = shape.get(i);
            if (p.utilization() < 0 || p.utilization() > 100) {
                throw new IllegalArgumentException(NAME + ": shape[" + i + "].utilization must be within [0, 100], got "
                        + p.utilization());
            }
            if (p.score() < 0 || p.score() > MAX_CUSTOM_PRIORITY_SCORE) {
                throw new IllegalArgumentException(NAME + ": shape[" + i + "].score must be within [0, "
                        + MAX_CUSTOM_PRIORITY_SCORE + "], got " + p.score());
            }
            if (i > 0 && p.utilization() <= shape.get(i - 1).utilization()) {
                throw new IllegalArgumentException(NAME + ": shape utilization values must be sorted in increasing"
                        + " order, got " + shape.get(i - 1).utilization() + " then " + p.utilization());
            }
        }
    }

    /** The plugin as {@code args} (Kubernetes' NodeResourcesFitArgs) configure it. */
    public static NodeResourcesFit of(PluginArgs args) {
        args.requireOnly(null, "ignoredResources", "ignoredResourceGroups", "scoringStrategy");
        Set<String> ignored = new java.util.LinkedHashSet<>();
        for (Object o : args.list("ignoredResources")) {
            ignored.add(String.valueOf(o));
        }
        Set<String> groups = new java.util.LinkedHashSet<>();
        for (Object o : args.list("ignoredResourceGroups")) {
            String g = String.valueOf(o);
            if (g.contains("/")) {
                throw args.invalid("ignoredResourceGroups", "group names without '/'", g);
            }
            groups.add(g);
        }
        PluginArgs ss = new PluginArgs(NAME, ResourceScorer.stringKeys(args.map("scoringStrategy")));
        ss.requireOnly("scoringStrategy", "type", "resources", "requestedToCapacityRatio");
        String type = ss.string("type", Strategy.LEAST_ALLOCATED.configName());
        Strategy strategy = null;
        for (Strategy s : Strategy.values()) {
            if (s.configName().equals(type)) {
                strategy = s;
            }
        }
        if (strategy == null) {
            throw args.invalid("scoringStrategy.type", "LeastAllocated, MostAllocated or RequestedToCapacityRatio",
                    type);
        }
        List<ResourceScorer.Spec> res = ss.has("resources")
                ? ResourceScorer.specs(args, ss.list("resources"), "scoringStrategy.resources", 1, 100)
                : List.of(new ResourceScorer.Spec(Resources.CPU, 1), new ResourceScorer.Spec(Resources.MEMORY, 1));
        List<ShapePoint> shape = new ArrayList<>();
        PluginArgs rtcr = new PluginArgs(NAME, ResourceScorer.stringKeys(ss.map("requestedToCapacityRatio")));
        rtcr.requireOnly("scoringStrategy.requestedToCapacityRatio", "shape");
        if (strategy != Strategy.REQUESTED_TO_CAPACITY_RATIO && rtcr.has("shape")) {
            throw args.invalid("scoringStrategy.requestedToCapacityRatio", "unset unless type is"
                    + " RequestedToCapacityRatio", rtcr.values());
        }
        List<Object> points = rtcr.list("shape");
        for (int i = 0; i < points.size(); i++) {
            String ip = "scoringStrategy.requestedToCapacityRatio.shape[" + i + "]";
            if (!(points.get(i) instanceof Map<?, ?> m)) {
                throw args.invalid(ip, "an object {utilization, score}", points.get(i));
            }
            PluginArgs p = new PluginArgs(NAME, ResourceScorer.stringKeys(m)).requireOnly(ip, "utilization", "score");
            shape.add(new ShapePoint(p.integer("utilization", 0), p.integer("score", 0)));
        }
        try {
            return new NodeResourcesFit(strategy, res, shape, ignored, groups);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("plugin " + e.getMessage(), e);
        }
    }

    public Strategy strategy() {
        return strategy;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(CycleState state, Pod pod) {
        state.write(REQUESTS_KEY, preFilterState(PodRequests.of(pod)));
        return Status.success();
    }

    private PreFilterState preFilterState(Resources req) {
        TreeMap<String, Long> scalars = new TreeMap<>();
        req.scalars().forEach((name, amount) -> {
            if (amount > 0 && !ignored(name)) {
                scalars.put(name, amount);
            }
        });
        return new PreFilterState(req, scalars.keySet().toArray(String[]::new),
                scalars.values().stream().mapToLong(Long::longValue).toArray());
    }

    /** Extended resources may be ignored by name or by the group before their '/' (Kubernetes' semantics). */
    private boolean ignored(String name) {
        if (!isExtended(name)) {
            return false;
        }
        if (ignoredResources.contains(name)) {
            return true;
        }
        int slash = name.indexOf('/');
        return !ignoredResourceGroups.isEmpty() && ignoredResourceGroups.contains(name.substring(0, slash));
    }

    /** Kubernetes' {@code IsExtendedResourceName}: a domain-prefixed name outside kubernetes.io. */
    static boolean isExtended(String name) {
        return name.indexOf('/') > 0 && !name.startsWith("kubernetes.io/") && !name.contains(".kubernetes.io/")
                && !name.startsWith("requests.");
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        PreFilterState st = state.read(REQUESTS_KEY, PreFilterState.class);
        if (st == null) {
            st = preFilterState(PodRequests.of(pod));
        }
        Resources req = st.requests();
        List<String> reasons = null;
        if (node.podCount() + 1 > node.allowedPodNumber()) {
            reasons = add(reasons, "Too many pods");
        }
        if (req.milliCpu() > 0 && req.milliCpu() > node.allocatableMilliCpu() - node.requestedMilliCpu()) {
            reasons = add(reasons, "Insufficient cpu");
        }
        if (req.memory() > 0 && req.memory() > node.allocatableMemory() - node.requestedMemory()) {
            reasons = add(reasons, "Insufficient memory");
        }
        if (req.ephemeralStorage() > 0
                && req.ephemeralStorage() > node.allocatableEphemeralStorage() - node.requestedEphemeralStorage()) {
            reasons = add(reasons, "Insufficient ephemeral-storage");
        }
        String[] names = st.scalarNames();
        long[] amounts = st.scalarAmounts();
        for (int i = 0; i < names.length; i++) {
            Resources alloc = node.allocatable();
            Resources used = node.requested();
            if (amounts[i] > alloc.scalar(names[i]) - used.scalar(names[i])) {
                reasons = add(reasons, "Insufficient " + names[i]);
            }
        }
        return reasons == null ? Status.success() : Status.unschedulable(reasons.toArray(String[]::new));
    }

    private static List<String> add(List<String> l, String reason) {
        List<String> out = l == null ? new ArrayList<>(2) : l;
        out.add(reason);
        return out;
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> feasibleNodes) {
        state.write(NON_ZERO_KEY, resources.podRequests(PodRequests.nonZero(pod)));
        return Status.success();
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        long[] podReq = state.read(NON_ZERO_KEY, long[].class);
        if (podReq == null) {
            podReq = resources.podRequests(PodRequests.nonZero(pod));
        }
        long sum = 0;
        long weights = 0;
        for (int i = 0; i < podReq.length; i++) {
            long allocatable = resources.allocatable(node, i, podReq[i]);
            if (allocatable == 0) {
                continue;
            }
            long w = resources.weights[i];
            long s = resourceScore(resources.requested(node, i, podReq[i], true), allocatable);
            // RequestedToCapacityRatio counts only resources that score above 0, as Kubernetes.
            if (strategy == Strategy.REQUESTED_TO_CAPACITY_RATIO && s <= 0) {
                continue;
            }
            sum += s * w;
            weights += w;
        }
        if (weights == 0) {
            return 0;
        }
        return strategy == Strategy.REQUESTED_TO_CAPACITY_RATIO ? Math.round((double) sum / weights) : sum / weights;
    }

    long resourceScore(long requested, long capacity) {
        return switch (strategy) {
            case LEAST_ALLOCATED -> capacity == 0 || requested > capacity ? 0
                    : (capacity - requested) * MAX_NODE_SCORE / capacity;
            case MOST_ALLOCATED -> capacity == 0 ? 0 : Math.min(requested, capacity) * MAX_NODE_SCORE / capacity;
            case REQUESTED_TO_CAPACITY_RATIO -> capacity == 0 || requested > capacity ? brokenLinear(100)
                    : brokenLinear(utilization(requested, capacity));
        };
    }

    /** requested * 100 / capacity without overflow, requested within [0, capacity]. */
    private static long utilization(long requested, long capacity) {
        if (capacity <= 0 || requested <= 0) {
            return 0;
        }
        if (requested >= capacity) {
            return 100;
        }
        return requested <= Long.MAX_VALUE / 100 ? requested * 100 / capacity
                : java.math.BigInteger.valueOf(requested).multiply(java.math.BigInteger.valueOf(100))
                        .divide(java.math.BigInteger.valueOf(capacity)).longValue();
    }

    /** Kubernetes' {@code BuildBrokenLinearFunction} over the shape (scores already scaled to 0..100). */
    long brokenLinear(long p) {
        for (int i = 0; i < shapeUtilization.length; i++) {
            if (p <= shapeUtilization[i]) {
                if (i == 0) {
                    return shapeScore[0];
                }
                return shapeScore[i - 1] + (shapeScore[i] - shapeScore[i - 1]) * (p - shapeUtilization[i - 1])
                        / (shapeUtilization[i] - shapeUtilization[i - 1]);
            }
        }
        return shapeScore[shapeScore.length - 1];
    }
}
