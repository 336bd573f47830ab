package io.kube4j.scheduler.plugins.podtopologyspread;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.PreFilterExtensions;
import io.kube4j.scheduler.framework.PreFilterPlugin;
import io.kube4j.scheduler.framework.PreScorePlugin;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.helper.DefaultSelector;
import io.kube4j.api.scheduling.Tolerations;
import io.kube4j.scheduler.plugins.nodeaffinity.NodeAffinity;

/**
 * Spreads pods over topology domains (zones, regions, hosts) as Kubernetes' {@code PodTopologySpread}: PreFilter
 * counts, per {@code DoNotSchedule} constraint, the matching pods in each domain of the nodes the constraint
 * applies to (node affinity honoured and taints ignored by default, per {@code nodeAffinityPolicy} /
 * {@code nodeTaintsPolicy}); Filter rejects a node when placing the pod there makes its domain exceed the global
 * minimum by more than {@code maxSkew} (the minimum is 0 while fewer than {@code minDomains} domains exist); Score
 * prefers nodes whose domains hold fewer matching pods for {@code ScheduleAnyway} constraints, each weighted by the
 * log of its number of domains. Pods without constraints get the profile's default constraints ({@code System}: zone
 * maxSkew 5 and hostname maxSkew 3, {@code ScheduleAnyway}) with the selector of their Services, ReplicaSet or
 * StatefulSet. Filter and Score are lookups in the PreFilter/PreScore counts; preemption updates the counts through
 * {@link PreFilterExtensions}.
 */
public final class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin,
        PreFilterExtensions {

    public static final String NAME = "PodTopologySpread";
    public static final String ERR_REASON_CONSTRAINTS_NOT_MATCH =
            "node(s) didn't match pod topology spread constraints";
    public static final String ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH
            + " (missing required label)";

    public static final String LABEL_HOSTNAME = "kubernetes.io/hostname";
    public static final String LABEL_ZONE = "topology.kubernetes.io/zone";
    public static final String DO_NOT_SCHEDULE = "DoNotSchedule";
    public static final String SCHEDULE_ANYWAY = "ScheduleAnyway";

    /** Kubernetes' {@code systemDefaultConstraints}. */
    public static final List<TopologySpreadConstraint> SYSTEM_DEFAULT_CONSTRAINTS = List.of(
            new TopologySpreadConstraintBuilder().withTopologyKey(LABEL_HOSTNAME)
                    .withWhenUnsatisfiable(SCHEDULE_ANYWAY).withMaxSkew(3).build(),
            new TopologySpreadConstraintBuilder().withTopologyKey(LABEL_ZONE)
                    .withWhenUnsatisfiable(SCHEDULE_ANYWAY).withMaxSkew(5).build());

    private static final String PRE_FILTER_KEY = "PreFilter" + NAME;
    private static final String PRE_SCORE_KEY = "PreScore" + NAME;

    /** One constraint, parsed (Kubernetes' {@code topologySpreadConstraint}). */
    record Constraint(int maxSkew, String topologyKey, LabelSelector selector, int minDomains,
            boolean honorNodeAffinity, boolean honorNodeTaints) {

        /** Whether {@code node} counts for this constraint under its node inclusion policies. */
        boolean includes(Pod pod, Node node) {
            if (honorNodeAffinity && hasNodeConstraints(pod) && !NodeAffinity.matchesRequired(pod, node)) {
                return false;
            }
            if (honorNodeTaints) {
                List<io.fabric8.kubernetes.api.model.Taint> taints = node.getSpec() == null ? null
                        : node.getSpec().getTaints();
                if (taints != null && Tolerations.firstUntolerated(taints, Tolerations.of(pod),
                        t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect())) != null) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<TopologySpreadConstraint> defaultConstraints;
    private final boolean systemDefaulted;
    private final Parallelizer parallelizer;
    private final DefaultSelector defaultSelector;

    /** With System defaulting and no listers (no default selector can be derived): for tests. */
    public PodTopologySpread() {
        this(PluginArgs.empty(NAME), FrameworkHandle.offline(null));
    }

    /**
     * Reads {@code defaultingType} ({@code System}, the default, or {@code List}) and {@code defaultConstraints}
     * (only with {@code List}); listers of Services, ReplicaSets and StatefulSets come from the handle's informers
     * when there are any.
     *
     * @throws IllegalArgumentException when the args are invalid
     */
    public PodTopologySpread(PluginArgs args, FrameworkHandle handle) {
        this(args, handle == null ? null : handle.parallelizer(), defaultSelector(handle));
    }

    /** With the given parallelizer (null: sequential) and default selector (for tests). */
    PodTopologySpread(PluginArgs args, Parallelizer parallelizer, DefaultSelector defaultSelector) {
        String defaultingType = args.string("defaultingType", "System");
        List<TopologySpreadConstraint> configured = parseDefaultConstraints(args);
        switch (defaultingType) {
            case "System" -> {
                if (!configured.isEmpty()) {
                    throw args.invalid("defaultConstraints", "empty when defaultingType is System", configured);
                }
                this.defaultConstraints = SYSTEM_DEFAULT_CONSTRAINTS;
                this.systemDefaulted = true;
            }
            case "List" -> {
                this.defaultConstraints = configured;
                this.systemDefaulted = false;
            }
            default -> throw args.invalid("defaultingType", "System or List", defaultingType);
        }
        this.parallelizer = parallelizer;
        this.defaultSelector = defaultSelector;
    }

    private static DefaultSelector defaultSelector(FrameworkHandle handle) {
        if (handle == null || handle.informers() == null) {
            return new DefaultSelector(null, null, null);
        }
        var inf = handle.informers();
        return new DefaultSelector(inf.informerFor(Service.class, null).lister(),
                inf.informerFor(ReplicaSet.class, null).lister(),
                inf.informerFor(StatefulSet.class, null).lister());
    }

    private static List<TopologySpreadConstraint> parseDefaultConstraints(PluginArgs args) {
        List<TopologySpreadConstraint> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<Object> list = args.list("defaultConstraints");
        for (int i = 0; i < list.size(); i++) {
            String at = "defaultConstraints[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw args.invalid(at, "an object", list.get(i));
            }
            PluginArgs c = new PluginArgs(NAME, stringKeys(m));
            int maxSkew = c.integer("maxSkew", 0);
            if (maxSkew <= 0) {
                throw args.invalid(at + ".maxSkew", "greater than zero", c.values().get("maxSkew"));
            }
            String key = c.string("topologyKey", "");
            if (key.isBlank()) {
                throw args.invalid(at + ".topologyKey", "a label key", "nothing");
            }
            String when = c.string("whenUnsatisfiable", "");
            if (!DO_NOT_SCHEDULE.equals(when) && !SCHEDULE_ANYWAY.equals(when)) {
                throw args.invalid(at + ".whenUnsatisfiable", "DoNotSchedule or ScheduleAnyway", when);
            }
            if (c.has("labelSelector")) {
                throw args.invalid(at + ".labelSelector",
                        "absent (default constraints take the selector of each pod's Services and controller)",
                        c.values().get("labelSelector"));
            }
            if (!seen.add(key + "/" + when)) {
                throw args.invalid(at, "unique by topologyKey and whenUnsatisfiable", key + ", " + when);
            }
            out.add(new TopologySpreadConstraintBuilder().withMaxSkew(maxSkew).withTopologyKey(key)
                    .withWhenUnsatisfiable(when).build());
        }
        return List.copyOf(out);
    }

    private static Map<String, Object> stringKeys(Map<?, ?> m) {
        Map<String, Object> out = new HashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    @Override
    public String name() {
        return NAME;
    }

    // ---- constraints

    /** The pod's constraints with {@code action}, or the default constraints when it has none. */
    List<Constraint> constraints(Pod pod, String action) {
        List<TopologySpreadConstraint> own = pod.getSpec() == null ? null
                : pod.getSpec().getTopologySpreadConstraints();
        if (own != null && !own.isEmpty()) {
            return filterConstraints(own, pod, action);
        }
        List<Constraint> defaults = filterConstraints(defaultConstraints, pod, action);
        if (defaults.isEmpty()) {
            return List.of();
        }
        LabelSelector selector = defaultSelector.of(pod);
        if (selector.isEverything()) {
            return List.of();
        }
        List<Constraint> out = new ArrayList<>(defaults.size());
        for (Constraint c : defaults) {
            out.add(new Constraint(c.maxSkew(), c.topologyKey(), selector, c.minDomains(), c.honorNodeAffinity(),
                    c.honorNodeTaints()));
        }
        return out;
    }

    private static List<Constraint> filterConstraints(List<TopologySpreadConstraint> constraints, Pod pod,
            String action) {
        List<Constraint> out = new ArrayList<>();
        Map<String, String> podLabels = labels(pod);
        for (TopologySpreadConstraint c : constraints) {
            if (!action.equals(c.getWhenUnsatisfiable())) {
                continue;
            }
            LabelSelector selector = LabelSelector.from(c.getLabelSelector());
            if (c.getMatchLabelKeys() != null && !c.getMatchLabelKeys().isEmpty() && !selector.isNothing()) {
                Map<String, String> matchLabels = new HashMap<>();
                for (String k : c.getMatchLabelKeys()) {
                    if (podLabels.containsKey(k)) {
                        matchLabels.put(k, podLabels.get(k));
                    }
                }
                if (!matchLabels.isEmpty()) {
                    selector = DefaultSelector.and(DefaultSelector.fromSet(matchLabels), selector);
                }
            }
            out.add(new Constraint(c.getMaxSkew() == null ? 1 : c.getMaxSkew(), c.getTopologyKey(), selector,
                    c.getMinDomains() == null ? 1 : c.getMinDomains(), !"Ignore".equals(c.getNodeAffinityPolicy()),
                    "Honor".equals(c.getNodeTaintsPolicy())));
        }
        return out;
    }

    /** Whether the pod restricts nodes by nodeSelector or required node affinity (else every node matches). */
    static boolean hasNodeConstraints(Pod pod) {
        if (pod.getSpec() == null) {
            return false;
        }
        Map<String, String> sel = pod.getSpec().getNodeSelector();
        var affinity = pod.getSpec().getAffinity();
        return sel != null && !sel.isEmpty() || affinity != null && affinity.getNodeAffinity() != null
                && affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null;
    }

    static boolean nodeHasAllKeys(Map<String, String> nodeLabels, List<Constraint> constraints) {
        for (Constraint c : constraints) {
            if (!nodeLabels.containsKey(c.topologyKey())) {
                return false;
            }
        }
        return true;
    }

    /** Matching pods on {@code node} in {@code ns}, terminating pods left out (Kubernetes' countPodsMatchSelector). */
    static int countMatching(NodeInfo node, LabelSelector selector, String ns) {
        if (selector.isEverything() || selector.isNothing() || node.pods().isEmpty()) {
            return 0;
        }
        int count = 0;
        for (NodeInfo.PodEntry e : node.pods()) {
            Pod p = e.pod();
            if (p.getMetadata().getDeletionTimestamp() != null || !ns.equals(p.getMetadata().getNamespace())) {
                continue;
            }
            if (selector.matches(p.getMetadata().getLabels())) {
                count++;
            }
        }
        return count;
    }

    // ---- PreFilter / Filter

    /** The two domains with the fewest matching pods, kept as counts change (Kubernetes' {@code criticalPaths}). */
    static final class CriticalPaths {
        String value0;
        int num0 = Integer.MAX_VALUE;
        String value1;
        int num1 = Integer.MAX_VALUE;

        CriticalPaths copy() {
            CriticalPaths c = new CriticalPaths();
            c.value0 = value0;
            c.num0 = num0;
            c.value1 = value1;
            c.num1 = num1;
            return c;
        }

        void update(String value, int num) {
            if (value.equals(value0) || value.equals(value1)) {
                if (value.equals(value0)) {
                    num0 = num;
                } else {
                    num1 = num;
                }
                if (num0 > num1) {
                    String v = value0;
                    int n = num0;
                    value0 = value1;
                    num0 = num1;
                    value1 = v;
                    num1 = n;
                }
            } else if (num < num0) {
                value1 = value0;
                num1 = num0;
                value0 = value;
                num0 = num;
            } else if (num < num1) {
                value1 = value;
                num1 = num;
            }
        }
    }

    /** The PreFilter counts: per DoNotSchedule constraint, matching pods per domain and the two smallest domains. */
    static final class PreFilterState implements CycleState.StateData {
        final List<Constraint> constraints;
        final List<Map<String, Integer>> counts;
        final List<CriticalPaths> criticalPaths;

        PreFilterState(List<Constraint> constraints, List<Map<String, Integer>> counts,
                List<CriticalPaths> criticalPaths) {
            this.constraints = constraints;
            this.counts = counts;
            this.criticalPaths = criticalPaths;
        }

        int minMatchNum(int i) {
            int min = criticalPaths.get(i).num0;
            // Fewer domains than minDomains: the global minimum counts as 0.
            return counts.get(i).size() < constraints.get(i).minDomains() ? 0 : min;
        }

        @Override
        public PreFilterState copy() {
            List<Map<String, Integer>> c = new ArrayList<>(counts.size());
            for (Map<String, Integer> m : counts) {
                c.add(new HashMap<>(m));
            }
            List<CriticalPaths> p = new ArrayList<>(criticalPaths.size());
            for (CriticalPaths cp : criticalPaths) {
                p.add(cp.copy());
            }
            return new PreFilterState(constraints, c, p);
        }
    }

    @Override
    public Status preFilter(CycleState state, Pod pod) {
        List<Constraint> constraints;
        try {
            constraints = constraints(pod, DO_NOT_SCHEDULE);
        } catch (IllegalArgumentException e) {
            return Status.unresolvable("invalid topology spread constraint: " + e.getMessage());
        }
        if (constraints.isEmpty()) {
            state.write(PRE_FILTER_KEY, new PreFilterState(List.of(), List.of(), List.of()));
            return Status.skip();
        }
        List<NodeInfo> all = state.snapshot().nodes();
        int nc = constraints.size();
        int[][] perNode = new int[all.size()][];
        String ns = pod.getMetadata().getNamespace();
        run(all.size(), i -> {
            Node node = all.get(i).node();
            Map<String, String> nodeLabels = labels(node);
            if (!nodeHasAllKeys(nodeLabels, constraints)) {
                return;
            }
            int[] counts = new int[nc];
            for (int c = 0; c < nc; c++) {
                Constraint con = constraints.get(c);
                counts[c] = con.includes(pod, node) ? countMatching(all.get(i), con.selector(), ns) : -1;
            }
            perNode[i] = counts;
        });
        List<Map<String, Integer>> counts = new ArrayList<>(nc);
        for (int c = 0; c < nc; c++) {
            counts.add(new HashMap<>());
        }
        for (int i = 0; i < perNode.length; i++) {
            if (perNode[i] == null) {
                continue;
            }
            Map<String, String> nodeLabels = labels(all.get(i).node());
            for (int c = 0; c < nc; c++) {
                if (perNode[i][c] >= 0) {
                    counts.get(c).merge(nodeLabels.get(constraints.get(c).topologyKey()), perNode[i][c],
                            Integer::sum);
                }
            }
        }
        List<CriticalPaths> paths = new ArrayList<>(nc);
        for (int c = 0; c < nc; c++) {
            CriticalPaths p = new CriticalPaths();
            counts.get(c).forEach(p::update);
            paths.add(p);
        }
        state.write(PRE_FILTER_KEY, new PreFilterState(constraints, counts, paths));
        return Status.success();
    }

    @Override
    public PreFilterExtensions preFilterExtensions() {
        return this;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
        PreFilterState s = state.read(PRE_FILTER_KEY, PreFilterState.class);
        if (s == null) {
            return Status.error("reading " + PRE_FILTER_KEY + " from cycle state: not found");
        }
        if (s.constraints.isEmpty()) {
            return Status.success();
        }
        Map<String, String> nodeLabels = labels(nodeInfo.node());
        Map<String, String> podLabels = labels(pod);
        for (int i = 0; i < s.constraints.size(); i++) {
            Constraint c = s.constraints.get(i);
            String value = nodeLabels.get(c.topologyKey());
            if (value == null) {
                return Status.unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
            }
            int selfMatch = c.selector().matches(podLabels) ? 1 : 0;
            int matchNum = s.counts.get(i).getOrDefault(value, 0);
            int skew = matchNum + selfMatch - s.minMatchNum(i);
            if (skew > c.maxSkew()) {
                return Status.unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
            }
        }
        return Status.success();
    }

    @Override
    public Status addPod(CycleState state, Pod podToSchedule, Pod podToAdd, NodeInfo node) {
        return updateWithPod(state, podToSchedule, podToAdd, node, 1);
    }

    @Override
    public Status removePod(CycleState state, Pod podToSchedule, Pod podToRemove, NodeInfo node) {
        return updateWithPod(state, podToSchedule, podToRemove, node, -1);
    }

    private Status updateWithPod(CycleState state, Pod preemptor, Pod updated, NodeInfo nodeInfo, int delta) {
        PreFilterState s = state.read(PRE_FILTER_KEY, PreFilterState.class);
        if (s == null) {
            return Status.error("reading " + PRE_FILTER_KEY + " from cycle state: not found");
        }
        Node node = nodeInfo.node();
        if (s.constraints.isEmpty() || node == null || !Objects.equals(updated.getMetadata().getNamespace(),
                preemptor.getMetadata().getNamespace())) {
            return Status.success();
        }
        Map<String, String> nodeLabels = labels(node);
        if (!nodeHasAllKeys(nodeLabels, s.constraints)) {
            return Status.success();
        }
        Map<String, String> podLabels = labels(updated);
        for (int i = 0; i < s.constraints.size(); i++) {
            Constraint c = s.constraints.get(i);
            if (!c.selector().matches(podLabels) || !c.includes(preemptor, node)) {
                continue;
            }
            String value = nodeLabels.get(c.topologyKey());
            int n = s.counts.get(i).merge(value, delta, Integer::sum);
            s.criticalPaths.get(i).update(value, n);
        }
        return Status.success();
    }

    // ---- PreScore / Score

    /** The PreScore counts of ScheduleAnyway constraints (Kubernetes' {@code preScoreState}). */
    static final class PreScoreState {
        final List<Constraint> constraints;
        final Set<String> ignoredNodes;
        // Per constraint: domain -> matching pods (hostname constraints are counted per node in Score).
        final List<Map<String, AtomicLong>> counts;
        final double[] weights;
        final List<NodeInfo> feasible;

        PreScoreState(List<Constraint> constraints, Set<String> ignoredNodes, List<Map<String, AtomicLong>> counts,
                double[] weights, List<NodeInfo> feasible) {
            this.constraints = constraints;
            this.ignoredNodes = ignoredNodes;
            this.counts = counts;
            this.weights = weights;
            this.feasible = feasible;
        }
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> feasible) {
        List<NodeInfo> all = state.snapshot().nodes();
        if (feasible.isEmpty() || all.isEmpty()) {
            return Status.skip();
        }
        boolean hasOwn = pod.getSpec() != null && pod.getSpec().getTopologySpreadConstraints() != null
                && !pod.getSpec().getTopologySpreadConstraints().isEmpty();
        List<Constraint> constraints;
        try {
            constraints = constraints(pod, SCHEDULE_ANYWAY);
        } catch (IllegalArgumentException e) {
            return Status.error("invalid topology spread constraint: " + e.getMessage());
        }
        if (constraints.isEmpty()) {
            return Status.skip();
        }
        // Only non-system-default constraints require every topology key, so that nodes without a zone label
        // still spread by hostname.
        boolean requireAll = hasOwn || !systemDefaulted;
        int nc = constraints.size();
        Set<String> ignored = new HashSet<>();
        List<Map<String, AtomicLong>> counts = new ArrayList<>(nc);
        int[] domains = new int[nc];
        for (int c = 0; c < nc; c++) {
            counts.add(new HashMap<>());
        }
        for (NodeInfo n : feasible) {
            Map<String, String> nodeLabels = labels(n.node());
            if (requireAll && !nodeHasAllKeys(nodeLabels, constraints)) {
                ignored.add(n.name());
                continue;
            }
            for (int c = 0; c < nc; c++) {
                String key = constraints.get(c).topologyKey();
                if (LABEL_HOSTNAME.equals(key)) {
                    continue;
                }
                String value = nodeLabels.getOrDefault(key, "");
                if (counts.get(c).putIfAbsent(value, new AtomicLong()) == null) {
                    domains[c]++;
                }
            }
        }
        double[] weights = new double[nc];
        for (int c = 0; c < nc; c++) {
            int size = LABEL_HOSTNAME.equals(constraints.get(c).topologyKey()) ? feasible.size() - ignored.size()
                    : domains[c];
            weights[c] = Math.log(size + 2);
        }
        String ns = pod.getMetadata().getNamespace();
        boolean onlyHostname = constraints.stream().allMatch(c -> LABEL_HOSTNAME.equals(c.topologyKey()));
        // Hostname domains are counted per node in Score: with only those, there is nothing to count here.
        run(onlyHostname ? 0 : all.size(), i -> {
            Node node = all.get(i).node();
            Map<String, String> nodeLabels = labels(node);
            if (requireAll && !nodeHasAllKeys(nodeLabels, constraints)) {
                return;
            }
            for (int c = 0; c < nc; c++) {
                Constraint con = constraints.get(c);
                if (LABEL_HOSTNAME.equals(con.topologyKey()) || !con.includes(pod, node)) {
                    continue;
                }
                // Only domains of feasible nodes matter; hostname counts are taken per node in Score.
                AtomicLong count = counts.get(c).get(nodeLabels.getOrDefault(con.topologyKey(), ""));
                if (count == null) {
                    continue;
                }
                count.addAndGet(countMatching(all.get(i), con.selector(), ns));
            }
        });
        state.write(PRE_SCORE_KEY, new PreScoreState(constraints, ignored, counts, weights, feasible));
        return Status.success();
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
        PreScoreState s = state.read(PRE_SCORE_KEY, PreScoreState.class);
        if (s == null || s.ignoredNodes.contains(nodeInfo.name())) {
            return 0;
        }
        Map<String, String> nodeLabels = labels(nodeInfo.node());
        double score = 0;
        for (int c = 0; c < s.constraints.size(); c++) {
            Constraint con = s.constraints.get(c);
            String value = nodeLabels.get(con.topologyKey());
            if (value == null) {
                continue;
            }
            long count;
            if (LABEL_HOSTNAME.equals(con.topologyKey())) {
                count = countMatching(nodeInfo, con.selector(), pod.getMetadata().getNamespace());
            } else {
                AtomicLong n = s.counts.get(c).get(value);
                count = n == null ? 0 : n.get();
            }
            score += count * s.weights[c] + (con.maxSkew() - 1);
        }
        return Math.round(score);
    }

    @Override
    public void normalizeScores(CycleState state, Pod pod, long[] scores) {
        PreScoreState s = state.read(PRE_SCORE_KEY, PreScoreState.class);
        if (s == null) {
            return;
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        boolean[] ignored = new boolean[scores.length];
        for (int i = 0; i < scores.length; i++) {
            if (s.ignoredNodes.contains(s.feasible.get(i).name())) {
                ignored[i] = true;
                continue;
            }
            min = Math.min(min, scores[i]);
            max = Math.max(max, scores[i]);
        }
        for (int i = 0; i < scores.length; i++) {
            if (ignored[i]) {
                scores[i] = 0;
            } else if (max == 0) {
                scores[i] = MAX_NODE_SCORE;
            } else {
                scores[i] = MAX_NODE_SCORE * (max + min - scores[i]) / max;
            }
        }
    }

    // ---- helpers

    private void run(int n, java.util.function.IntConsumer body) {
        if (parallelizer == null) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
        } else {
            parallelizer.until(n, body, () -> false);
        }
    }

    private static Map<String, String> labels(Node node) {
        Map<String, String> l = node == null || node.getMetadata() == null ? null : node.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    private static Map<String, String> labels(Pod pod) {
        Map<String, String> l = pod.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }
}
