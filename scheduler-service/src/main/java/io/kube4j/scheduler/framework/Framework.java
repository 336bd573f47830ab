package io.kube4j.scheduler.framework;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.PluginMetricsRecorder.ExtensionPoint;

/**
 * Runs one {@link Profile}'s plugins at each extension point, and the scheduling algorithm itself: pre-filter, filter
 * the nodes (in parallel, stopping once {@link #numFeasibleNodesToFind} are found, starting where the previous cycle
 * stopped), pre-score, score, normalize, weigh and pick the best node.
 */
public final class Framework {

    /** Kubernetes' {@code minFeasibleNodesToFind}. */
    static final int MIN_FEASIBLE_NODES_TO_FIND = 100;
    /** Kubernetes' {@code minFeasibleNodesPercentageToFind}. */
    static final int MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
    static final int BASE_PERCENTAGE_OF_NODES_TO_SCORE = 50;

    private final Profile profile;
    private final Parallelizer parallelizer;
    private final RandomGenerator random;
    private final List<PreFilterPlugin> preFilters = new ArrayList<>();
    private final List<FilterPlugin> filters = new ArrayList<>();
    private final List<PostFilterPlugin> postFilters = new ArrayList<>();
    private final List<PreScorePlugin> preScores = new ArrayList<>();
    private final List<ScorePlugin> scores = new ArrayList<>();
    private final List<ReservePlugin> reserves = new ArrayList<>();
    private final List<PermitPlugin> permits = new ArrayList<>();
    private final List<PreBindPlugin> preBinds = new ArrayList<>();
    private final List<BindPlugin> binds = new ArrayList<>();
    private final List<PostBindPlugin> postBinds = new ArrayList<>();
    // preFilterSkipsFilter[i]: the index in filters of preFilters[i]'s plugin (-1: none); the same for scores
    private final int[] preFilterSkipsFilter;
    private final int[] preScoreSkipsScore;
    // Only the scheduling thread touches it (as Kubernetes' nextStartNodeIndex).
    private int nextStartNodeIndex;
    private volatile PodNominator nominator = PodNominator.NONE;
    private volatile PluginMetricsRecorder pluginMetrics;
    private volatile PreemptionMetrics preemptionMetrics = PreemptionMetrics.NOOP;

    public Framework(Profile profile, Parallelizer parallelizer, RandomGenerator random) {
        this.profile = profile;
        this.parallelizer = parallelizer;
        this.random = random;
        for (Plugin p : profile.plugins()) {
            if (p instanceof PreFilterPlugin x) {
                preFilters.add(x);
            }
            if (p instanceof FilterPlugin x) {
                filters.add(x);
            }
            if (p instanceof PostFilterPlugin x) {
                postFilters.add(x);
            }
            if (p instanceof PreScorePlugin x) {
                preScores.add(x);
            }
            if (p instanceof ScorePlugin x) {
                scores.add(x);
            }
            if (p instanceof ReservePlugin x) {
                reserves.add(x);
            }
            if (p instanceof PermitPlugin x) {
                permits.add(x);
            }
            if (p instanceof PreBindPlugin x) {
                preBinds.add(x);
            }
            if (p instanceof BindPlugin x) {
                binds.add(x);
            }
            if (p instanceof PostBindPlugin x) {
                postBinds.add(x);
            }
        }
        preFilterSkipsFilter = indexMap(preFilters, filters);
        preScoreSkipsScore = indexMap(preScores, scores);
        if (binds.isEmpty()) {
            throw new IllegalArgumentException("profile " + profile.schedulerName() + " has no bind plugin");
        }
        for (Plugin p : profile.plugins()) {
            if (p instanceof FrameworkAware x) {
                x.setFramework(this);
            }
        }
    }

    /** Where the nominated pods filters must account for come from (the scheduling queue's nominator). */
    public void setNominator(PodNominator nominator) {
        this.nominator = nominator == null ? PodNominator.NONE : nominator;
    }

    public PodNominator nominator() {
        return nominator;
    }

    public Profile profile() {
        return profile;
    }

    public QueueSortPlugin queueSort() {
        return profile.queueSort();
    }

    /** Where plugin execution times go on cycles that {@link CycleState#recordPluginMetrics() record} them. */
    public void setPluginMetrics(PluginMetricsRecorder recorder) {
        this.pluginMetrics = recorder;
    }

    /** Where a preemption (PostFilter) plugin reports its attempts and victims. */
    public void setPreemptionMetrics(PreemptionMetrics metrics) {
        this.preemptionMetrics = metrics == null ? PreemptionMetrics.NOOP : metrics;
    }

    /** The scheduler's preemption metrics ({@link PreemptionMetrics#NOOP} when it has none). */
    public PreemptionMetrics preemptionMetrics() {
        return preemptionMetrics;
    }

    /** The recorder when this cycle records plugin metrics, else null (the common case: nothing to do). */
    private PluginMetricsRecorder recorder(CycleState state) {
        return state.recordPluginMetrics() ? pluginMetrics : null;
    }

    private static long start(PluginMetricsRecorder rec) {
        return rec == null ? 0 : System.nanoTime();
    }

    private static void observe(PluginMetricsRecorder rec, ExtensionPoint point, Plugin p, Status s, long t0) {
        if (rec != null) {
            rec.observe(point, p.name(), s.code(), System.nanoTime() - t0);
        }
    }

    /**
     * Picks a node for {@code pod} from {@code snapshot}.
     *
     * @throws FitError when no node fits
     */
    public ScheduleResult schedule(CycleState state, Pod pod, Snapshot snapshot) {
        state.setSnapshot(snapshot);
        List<NodeInfo> all = snapshot.nodes();
        if (all.isEmpty()) {
            throw new FitError(0, Map.of(), Set.of(), null);
        }
        Status pre = runPreFilter(state, pod);
        if (!pre.isSuccess()) {
            if (pre.code() == Status.Code.ERROR) {
                throw new IllegalStateException("pre-filter " + pre.plugin() + ": " + pre.message());
            }
            // A pre-filter rejection applies to every node.
            Map<String, Status> statuses = new ConcurrentHashMap<>();
            for (NodeInfo n : all) {
                statuses.put(n.name(), pre);
            }
            throw new FitError(all.size(), statuses, Set.of(pre.plugin()), null);
        }
        Map<String, Status> statuses = new ConcurrentHashMap<>();
        List<NodeInfo> feasible = evaluateNominatedNode(state, pod, snapshot);
        if (feasible.isEmpty()) {
            feasible = findFeasible(state, pod, all, statuses);
        }
        if (feasible.isEmpty()) {
            Set<String> plugins = new HashSet<>();
            statuses.values().forEach(s -> {
                if (s.plugin() != null) {
                    plugins.add(s.plugin());
                }
            });
            throw new FitError(all.size(), statuses, plugins, null);
        }
        int evaluated = feasible.size() + statuses.size();
        if (feasible.size() == 1) {
            return new ScheduleResult(feasible.get(0).name(), evaluated, 1);
        }
        long[] totals = scoreTotals(state, pod, feasible);
        return new ScheduleResult(feasible.get(selectHost(totals)).name(), evaluated, feasible.size());
    }

    /**
     * A pod nominated by an earlier preemption tries its nominated node first (Kubernetes' {@code
     * evaluateNominatedNode}): once its victims are gone it goes where the room was made for it.
     */
    private List<NodeInfo> evaluateNominatedNode(CycleState state, Pod pod, Snapshot snapshot) {
        String nominated = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
        NodeInfo node = nominated == null || nominated.isEmpty() ? null : snapshot.get(nominated);
        if (node == null || node.node() == null) {
            return List.of();
        }
        Status s = runFiltersWithNominatedPods(state, pod, node);
        if (s.code() == Status.Code.ERROR) {
            throw new IllegalStateException("filter " + s.plugin() + " on node " + node.name() + ": " + s.message());
        }
        return s.isSuccess() ? List.of(node) : List.of();
    }

    /** Runs the pre-filter plugins; the first non-success is returned, attributed to its plugin. */
    public Status runPreFilter(CycleState state, Pod pod) {
        PluginMetricsRecorder rec = recorder(state);
        long skip = 0;
        for (int i = 0; i < preFilters.size(); i++) {
            PreFilterPlugin p = preFilters.get(i);
            long t0 = start(rec);
            Status s = p.preFilter(state, pod);
            observe(rec, ExtensionPoint.PRE_FILTER, p, s, t0);
            if (s.isSkip()) {
                // Kubernetes' SkipFilterPlugins: nothing for this plugin to check on any node for this pod
                skip |= bit(preFilterSkipsFilter[i]);
            } else if (!s.isSuccess()) {
                state.setSkipFilters(skip);
                return s.withPlugin(p.name());
            }
        }
        state.setSkipFilters(skip);
        return Status.success();
    }

    /** For each plugin of {@code from}, the index of the same plugin in {@code to}, or -1. */
    private static int[] indexMap(List<? extends Plugin> from, List<? extends Plugin> to) {
        int[] m = new int[from.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = to.indexOf(from.get(i));
        }
        return m;
    }

    /** The skip bit of the plugin at {@code index} (none beyond 64 plugins: those always run). */
    private static long bit(int index) {
        return index < 0 || index >= 64 ? 0 : 1L << index;
    }

    /** Runs the filter plugins on one node, stopping at the first that rejects it. */
    public Status runFilters(CycleState state, Pod pod, NodeInfo node) {
        PluginMetricsRecorder rec = recorder(state);
        long skip = state.skipFilters();
        for (int i = 0; i < filters.size(); i++) {
            if ((skip & bit(i)) != 0) {
                continue;
            }
            FilterPlugin p = filters.get(i);
            long t0 = start(rec);
            Status s = p.filter(state, pod, node);
            observe(rec, ExtensionPoint.FILTER, p, s, t0);
            if (!s.isSuccess()) {
                return s.withPlugin(p.name());
            }
        }
        return Status.success();
    }

    /**
     * Runs the filters on {@code node} as Kubernetes' {@code RunFilterPluginsWithNominatedPods}: when pods of equal or
     * higher priority are nominated to the node, first with them added to a copy of the node and of the state (the
     * pod must not take room made for them), then, if that passed, once more without them (filters such as pod
     * affinity may need them absent). Without nominated pods it is a single plain run, with no copying.
     */
    public Status runFiltersWithNominatedPods(CycleState state, Pod pod, NodeInfo node) {
        List<Pod> nominated = node.node() == null ? List.of() : nominator.nominatedPodsForNode(node.name());
        if (nominated.isEmpty()) {
            return runFilters(state, pod, node);
        }
        int priority = PodPriority.of(pod);
        String key = PodKeys.key(pod);
        CycleState stateWith = null;
        NodeInfo nodeWith = null;
        for (Pod p : nominated) {
            if (PodPriority.of(p) >= priority && !PodKeys.key(p).equals(key)) {
                if (nodeWith == null) {
                    stateWith = state.copy();
                    nodeWith = node.copy();
                }
                nodeWith.addPod(p);
                Status s = runPreFilterExtensionAddPod(stateWith, pod, p, nodeWith);
                if (!s.isSuccess()) {
                    return s.code() == Status.Code.ERROR ? s : Status.error(s.message());
                }
            }
        }
        if (nodeWith == null) {
            return runFilters(state, pod, node);
        }
        Status with = runFilters(stateWith, pod, nodeWith);
        if (!with.isSuccess()) {
            return with;
        }
        return runFilters(state, pod, node);
    }

    /** Tells every pre-filter plugin with extensions that {@code podToAdd} is (hypothetically) on {@code node}. */
    public Status runPreFilterExtensionAddPod(CycleState state, Pod podToSchedule, Pod podToAdd, NodeInfo node) {
        return runPreFilterExtensions(ext -> ext.addPod(state, podToSchedule, podToAdd, node));
    }

    /** Tells every pre-filter plugin with extensions that {@code podToRemove} is (hypothetically) off {@code node}. */
    public Status runPreFilterExtensionRemovePod(CycleState state, Pod podToSchedule, Pod podToRemove,
            NodeInfo node) {
        return runPreFilterExtensions(ext -> ext.removePod(state, podToSchedule, podToRemove, node));
    }

    /** Calls {@code call} on the extensions of each pre-filter plugin that has them, until one does not succeed. */
    private Status runPreFilterExtensions(java.util.function.Function<PreFilterExtensions, Status> call) {
        for (PreFilterPlugin p : preFilters) {
            PreFilterExtensions ext = p.preFilterExtensions();
            if (ext != null) {
                Status s = call.apply(ext);
                if (!s.isSuccess()) {
                    return s.withPlugin(p.name());
                }
            }
        }
        return Status.success();
    }

    /** How many feasible nodes to look for among {@code numAllNodes}, as Kubernetes' {@code numFeasibleNodesToFind}. */
    public int numFeasibleNodesToFind(int numAllNodes) {
        if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) {
            return numAllNodes;
        }
        int percentage = profile.percentageOfNodesToScore();
        if (percentage <= 0) {
            percentage = Math.max(BASE_PERCENTAGE_OF_NODES_TO_SCORE - numAllNodes / 125,
                    MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
        }
        int num = (int) ((long) numAllNodes * percentage / 100);
        return Math.max(num, MIN_FEASIBLE_NODES_TO_FIND);
    }

    private List<NodeInfo> findFeasible(CycleState state, Pod pod, List<NodeInfo> all, Map<String, Status> statuses) {
        int n = all.size();
        int toFind = numFeasibleNodesToFind(n);
        int start = nextStartNodeIndex % n;
        if (filters.isEmpty()) {
            List<NodeInfo> out = new ArrayList<>(toFind);
            for (int i = 0; i < toFind; i++) {
                out.add(all.get((start + i) % n));
            }
            nextStartNodeIndex = (start + toFind) % n;
            return out;
        }
        // The offsets (from start) of the first toFind feasible nodes found, in the order they were found.
        int[] found = new int[toFind];
        AtomicInteger feasibleCount = new AtomicInteger();
        // Read once per cycle: with no pod nominated anywhere (the common case) nodes are not looked up one by one.
        boolean nominated = !nominator.isEmpty();
        parallelizer.until(n, i -> {
            NodeInfo node = all.get((start + i) % n);
            Status s = nominated ? runFiltersWithNominatedPods(state, pod, node) : runFilters(state, pod, node);
            if (s.isSuccess()) {
                int slot = feasibleCount.getAndIncrement();
                if (slot < toFind) {
                    found[slot] = i;
                }
            } else if (s.code() == Status.Code.ERROR) {
                throw new IllegalStateException("filter " + s.plugin() + " on node " + node.name() + ": "
                        + s.message());
            } else {
                statuses.put(node.name(), s);
            }
        }, () -> feasibleCount.get() >= toFind);
        int count = Math.min(toFind, feasibleCount.get());
        // In node order from start, whichever thread found them (parallel filtering finds them out of order).
        Arrays.sort(found, 0, count);
        List<NodeInfo> out = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            out.add(all.get((start + found[k]) % n));
        }
        int lastIndex = count == 0 ? -1 : found[count - 1];
        // Resume after the nodes this cycle looked at, so successive pods spread their search over the cluster.
        int processed = Math.max(lastIndex + 1, out.size() + statuses.size());
        nextStartNodeIndex = (start + processed) % n;
        return out;
    }

    /** Runs pre-score, score, normalize and weights; the result is in the order of {@code feasible}. */
    public List<NodeScore> prioritize(CycleState state, Pod pod, List<NodeInfo> feasible) {
        long[] total = scoreTotals(state, pod, feasible);
        List<NodeScore> out = new ArrayList<>(feasible.size());
        for (int i = 0; i < total.length; i++) {
            out.add(new NodeScore(feasible.get(i).name(), total[i]));
        }
        return out;
    }

    /**
     * The weighted total score of each of {@code feasible}. One parallel pass runs every score plugin on a node
     * (as Kubernetes' RunScorePlugins), rather than one pass per plugin.
     */
    private long[] scoreTotals(CycleState state, Pod pod, List<NodeInfo> feasible) {
        PluginMetricsRecorder rec = recorder(state);
        long skip = 0;
        for (int i = 0; i < preScores.size(); i++) {
            PreScorePlugin p = preScores.get(i);
            long t0 = start(rec);
            Status s = p.preScore(state, pod, feasible);
            observe(rec, ExtensionPoint.PRE_SCORE, p, s, t0);
            if (s.isSkip()) {
                // Kubernetes' SkipScorePlugins: the plugin has nothing to say about this pod; it adds 0 everywhere
                skip |= bit(preScoreSkipsScore[i]);
            } else if (!s.isSuccess()) {
                throw new IllegalStateException("pre-score " + p.name() + ": " + s.message());
            }
        }
        long skipped = skip;
        int plugins = scores.size();
        // Rows only for the plugins that score this pod (skipped ones add nothing).
        long[][] byPlugin = new long[plugins][];
        for (int k = 0; k < plugins; k++) {
            if ((skipped & bit(k)) == 0) {
                byPlugin[k] = new long[feasible.size()];
            }
        }
        parallelizer.until(feasible.size(), i -> {
            NodeInfo node = feasible.get(i);
            for (int k = 0; k < plugins; k++) {
                if ((skipped & bit(k)) != 0) {
                    continue;
                }
                ScorePlugin p = scores.get(k);
                long t0 = start(rec);
                byPlugin[k][i] = p.score(state, pod, node);
                observe(rec, ExtensionPoint.SCORE, p, Status.success(), t0);
            }
        }, () -> false);
        long[] total = new long[feasible.size()];
        for (int k = 0; k < plugins; k++) {
            if ((skipped & bit(k)) != 0) {
                continue;
            }
            ScorePlugin p = scores.get(k);
            long[] s = byPlugin[k];
            long t0 = start(rec);
            p.normalizeScores(state, pod, s);
            observe(rec, ExtensionPoint.SCORE_NORMALIZE, p, Status.success(), t0);
            int weight = profile.weight(p.name());
            for (int i = 0; i < s.length; i++) {
                if (s[i] < ScorePlugin.MIN_NODE_SCORE || s[i] > ScorePlugin.MAX_NODE_SCORE) {
                    throw new IllegalStateException("score plugin " + p.name() + " gave node " + feasible.get(i).name()
                            + " score " + s[i] + ", outside [0, 100]");
                }
                total[i] += s[i] * weight;
            }
        }
        return total;
    }

    /** The index of the highest total; ties are broken at random (reservoir sampling, as Kubernetes). */
    int selectHost(long[] totals) {
        int best = 0;
        int ties = 1;
        for (int i = 1; i < totals.length; i++) {
            if (totals[i] > totals[best]) {
                best = i;
                ties = 1;
            } else if (totals[i] == totals[best]) {
                ties++;
                if (random.nextInt(ties) == 0) {
                    best = i;
                }
            }
        }
        return best;
    }

    /** Runs post-filter plugins until one nominates a node. */
    public PostFilterResult runPostFilter(CycleState state, Pod pod, Map<String, Status> statuses) {
        PostFilterResult last = new PostFilterResult(null, Status.unschedulable());
        PluginMetricsRecorder rec = recorder(state);
        for (PostFilterPlugin p : postFilters) {
            long t0 = start(rec);
            PostFilterResult r = p.postFilter(state, pod, statuses);
            observe(rec, ExtensionPoint.POST_FILTER, p, r.status(), t0);
            if (r.status().isSuccess()) {
                return r;
            }
            last = r;
        }
        return last;
    }

    /** Reserves in order; on failure the caller runs {@link #runUnreserve}. */
    public Status runReserve(CycleState state, Pod pod, String nodeName) {
        return runUntilFailure(reserves, ExtensionPoint.RESERVE, state, p -> p.reserve(state, pod, nodeName));
    }

    /** Unreserves in reverse order, as Kubernetes. */
    public void runUnreserve(CycleState state, Pod pod, String nodeName) {
        for (int i = reserves.size() - 1; i >= 0; i--) {
            reserves.get(i).unreserve(state, pod, nodeName);
        }
    }

    public Status runPermit(CycleState state, Pod pod, String nodeName) {
        return runUntilFailure(permits, ExtensionPoint.PERMIT, state, p -> p.permit(state, pod, nodeName));
    }

    public Status runPreBind(CycleState state, Pod pod, String nodeName) {
        return runUntilFailure(preBinds, ExtensionPoint.PRE_BIND, state, p -> p.preBind(state, pod, nodeName));
    }

    /**
     * Calls {@code call} on each of {@code plugins} in order, timed as {@code point}, until one does not succeed; that
     * status is returned, attributed to its plugin. (Per pod, not per node: the lambda costs nothing that matters.)
     */
    private <P extends Plugin> Status runUntilFailure(List<P> plugins, ExtensionPoint point, CycleState state,
            java.util.function.Function<P, Status> call) {
        PluginMetricsRecorder rec = recorder(state);
        for (P p : plugins) {
            long t0 = start(rec);
            Status s = call.apply(p);
            observe(rec, point, p, s, t0);
            if (!s.isSuccess()) {
                return s.withPlugin(p.name());
            }
        }
        return Status.success();
    }

    /** Asks bind plugins in order until one does not skip. */
    public Status runBind(CycleState state, Pod pod, String nodeName) {
        PluginMetricsRecorder rec = recorder(state);
        for (BindPlugin p : binds) {
            long t0 = start(rec);
            Status s = p.bind(state, pod, nodeName);
            observe(rec, ExtensionPoint.BIND, p, s, t0);
            if (!s.isSkip()) {
                return s.withPlugin(p.name());
            }
        }
        return Status.error("no bind plugin bound pod " + PodKeys.key(pod));
    }

    public void runPostBind(CycleState state, Pod pod, String nodeName) {
        for (PostBindPlugin p : postBinds) {
            p.postBind(state, pod, nodeName);
        }
    }
}
