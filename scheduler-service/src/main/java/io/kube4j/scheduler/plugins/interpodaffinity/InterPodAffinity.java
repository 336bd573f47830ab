package io.kube4j.scheduler.plugins.interpodaffinity;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.client.informer.Lister;
import io.kube4j.scheduler.framework.AffinityTerm;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.PodAffinityInfo;
import io.kube4j.scheduler.framework.PreFilterExtensions;
import io.kube4j.scheduler.framework.PreFilterPlugin;
import io.kube4j.scheduler.framework.PreScorePlugin;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.framework.WeightedAffinityTerm;

/**
 * Inter-pod affinity and anti-affinity as Kubernetes' {@code InterPodAffinity}. PreFilter counts, per topology pair
 * (key=value), the existing pods whose required anti-affinity terms match the incoming pod (looking only at nodes
 * that have such pods), and the existing pods matching the incoming pod's required affinity and anti-affinity terms.
 * Filter then checks a node with lookups: the pod's affinity (with the first-pod-of-a-group exception), its
 * anti-affinity, and existing pods' anti-affinity. Score sums, per topology pair, the weights of preferred terms both
 * ways (and of existing pods' required affinity terms, at {@code hardPodAffinityWeight}) and normalizes to 0..100.
 * Namespace selectors are resolved through the Namespace lister when the handle has informers.
 */
public final class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin,
        PreFilterExtensions {

    public static final String NAME = "InterPodAffinity";
    public static final String ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
    public static final String ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH =
            "node(s) didn't match pod anti-affinity rules";
    public static final String ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH =
            "node(s) didn't satisfy existing pods anti-affinity rules";

    private static final String PRE_FILTER_KEY = "PreFilter" + NAME;
    private static final String PRE_SCORE_KEY = "PreScore" + NAME;

    /** A topology domain: a node label key and value. */
    record TopologyPair(String key, String value) {
    }

    private final int hardPodAffinityWeight;
    private final Parallelizer parallelizer;
    private final Lister<Namespace> namespaces;

    /** Default args, no namespace lister: for tests. */
    public InterPodAffinity() {
        this(PluginArgs.empty(NAME), FrameworkHandle.offline(null));
    }

    /**
     * Reads {@code hardPodAffinityWeight} (0..100, default 1).
     *
     * @throws IllegalArgumentException when it is out of range
     */
    public InterPodAffinity(PluginArgs args, FrameworkHandle handle) {
        this.hardPodAffinityWeight = args.integer("hardPodAffinityWeight", 1);
        if (hardPodAffinityWeight < 0 || hardPodAffinityWeight > 100) {
            throw args.invalid("hardPodAffinityWeight", "in the range [0, 100]", hardPodAffinityWeight);
        }
        this.parallelizer = handle == null ? null : handle.parallelizer();
        this.namespaces = handle == null || handle.informers() == null ? null
                : handle.informers().informerFor(Namespace.class, null).lister();
    }

    /** With the given parallelizer (null: sequential) and namespace lister (for tests). */
    InterPodAffinity(int hardPodAffinityWeight, Parallelizer parallelizer, Lister<Namespace> namespaces) {
        this.hardPodAffinityWeight = hardPodAffinityWeight;
        this.parallelizer = parallelizer;
        this.namespaces = namespaces;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The names of the namespaces {@code selector} selects (none without a lister). */
    private List<String> namespacesMatching(LabelSelector selector) {
        if (namespaces == null) {
            return List.of();
        }
        return namespaces.list(selector).stream().map(n -> n.getMetadata().getName()).toList();
    }

    /** The labels of namespace {@code ns}, or null when unknown. */
    private Map<String, String> namespaceLabels(String ns) {
        if (namespaces == null) {
            return null;
        }
        Namespace n = namespaces.get(null, ns);
        return n == null ? null : n.getMetadata().getLabels();
    }

    // ---- counts per topology pair

    /** Counts per topology pair; a pair whose count drops to zero is removed, as Kubernetes'. */
    static final class Counts {
        final Map<TopologyPair, Long> map;

        Counts() {
            this.map = new HashMap<>();
        }

        Counts(Counts o) {
            this.map = new HashMap<>(o.map);
        }

        void update(Map<String, String> nodeLabels, String key, long value) {
            String v = nodeLabels.get(key);
            if (v != null) {
                map.merge(new TopologyPair(key, v), value, (a, b) -> a + b == 0 ? null : a + b);
            }
        }

        /** For each term, when {@code pod} matches ALL the terms. */
        void updateWithAffinityTerms(List<AffinityTerm> terms, Pod pod, Map<String, String> nsLabels,
                Map<String, String> nodeLabels, long value) {
            if (AffinityTerm.matchesAll(terms, pod, nsLabels)) {
                for (AffinityTerm t : terms) {
                    update(nodeLabels, t.topologyKey(), value);
                }
            }
        }

        /** For each term {@code pod} matches. */
        void updateWithAntiAffinityTerms(List<AffinityTerm> terms, Pod pod, Map<String, String> nsLabels,
                Map<String, String> nodeLabels, long value) {
            for (AffinityTerm t : terms) {
                if (t.matches(pod, nsLabels)) {
                    update(nodeLabels, t.topologyKey(), value);
                }
            }
        }

        long get(TopologyPair p) {
            return map.getOrDefault(p, 0L);
        }

        void addAll(Counts o) {
            o.map.forEach((k, v) -> map.merge(k, v, (a, b) -> a + b == 0 ? null : a + b));
        }
    }

    /** What Filter needs (Kubernetes' {@code preFilterState}); copied for preemption's what-if runs. */
    static final class PreFilterState implements CycleState.StateData {
        final Counts existingAntiAffinityCounts;
        final Counts affinityCounts;
        final Counts antiAffinityCounts;
        final PodAffinityInfo podInfo;
        final Map<String, String> namespaceLabels;

        PreFilterState(Counts existing, Counts affinity, Counts anti, PodAffinityInfo podInfo,
                Map<String, String> namespaceLabels) {
            this.existingAntiAffinityCounts = existing;
            this.affinityCounts = affinity;
            this.antiAffinityCounts = anti;
            this.podInfo = podInfo;
            this.namespaceLabels = namespaceLabels;
        }

        @Override
        public PreFilterState copy() {
            return new PreFilterState(new Counts(existingAntiAffinityCounts), new Counts(affinityCounts),
                    new Counts(antiAffinityCounts), podInfo, namespaceLabels);
        }

        void updateWithPod(PodAffinityInfo other, Node node, long multiplier) {
            if (node == null) {
                return;
            }
            Map<String, String> nodeLabels = labels(node);
            existingAntiAffinityCounts.updateWithAntiAffinityTerms(other.requiredAntiAffinity(), podInfo.pod(),
                    namespaceLabels, nodeLabels, multiplier);
            // The incoming pod's terms have their namespace selectors merged into namespaces: no labels needed.
            affinityCounts.updateWithAffinityTerms(podInfo.requiredAffinity(), other.pod(), null, nodeLabels,
                    multiplier);
            antiAffinityCounts.updateWithAntiAffinityTerms(podInfo.requiredAntiAffinity(), other.pod(), null,
                    nodeLabels, multiplier);
        }
    }

    // ---- PreFilter / Filter

    @Override
    public Status preFilter(CycleState state, Pod pod) {
        PodAffinityInfo info;
        try {
            info = PodAffinityInfo.parse(pod).withNamespacesMerged(this::namespacesMatching);
        } catch (IllegalArgumentException e) {
            return Status.unresolvable("parsing pod: " + e.getMessage());
        }
        Map<String, String> nsLabels = namespaceLabels(pod.getMetadata().getNamespace());
        List<NodeInfo> withAnti = state.snapshot().havePodsWithRequiredAntiAffinity();
        Counts existing = countExistingAntiAffinity(pod, nsLabels, withAnti);
        Counts affinity = new Counts();
        Counts anti = new Counts();
        if (!info.requiredAffinity().isEmpty() || !info.requiredAntiAffinity().isEmpty()) {
            countIncoming(info, state.snapshot().nodes(), affinity, anti);
        }
        PreFilterState s = new PreFilterState(existing, affinity, anti, info, nsLabels);
        state.write(PRE_FILTER_KEY, s);
        if (existing.map.isEmpty() && info.requiredAffinity().isEmpty() && info.requiredAntiAffinity().isEmpty()) {
            return Status.skip();
        }
        return Status.success();
    }

    private Counts countExistingAntiAffinity(Pod pod, Map<String, String> nsLabels, List<NodeInfo> nodes) {
        Counts[] perNode = new Counts[nodes.size()];
        run(nodes.size(), i -> {
            NodeInfo n = nodes.get(i);
            Map<String, String> nodeLabels = null;
            Counts c = null;
            for (PodAffinityInfo existing : n.podsWithRequiredAntiAffinity()) {
                for (AffinityTerm t : existing.requiredAntiAffinity()) {
                    if (t.matches(pod, nsLabels)) {
                        nodeLabels = nodeLabels == null ? labels(n.node()) : nodeLabels;
                        c = c == null ? new Counts() : c;
                        c.update(nodeLabels, t.topologyKey(), 1);
                    }
                }
            }
            if (c != null && !c.map.isEmpty()) {
                perNode[i] = c;
            }
        });
        Counts out = new Counts();
        for (Counts c : perNode) {
            if (c != null) {
                out.addAll(c);
            }
        }
        return out;
    }

    private void countIncoming(PodAffinityInfo info, List<NodeInfo> nodes, Counts affinity, Counts anti) {
        Counts[] aff = new Counts[nodes.size()];
        Counts[] ant = new Counts[nodes.size()];
        run(nodes.size(), i -> {
            NodeInfo n = nodes.get(i);
            if (n.pods().isEmpty()) {
                return;
            }
            Map<String, String> nodeLabels = labels(n.node());
            Counts a = null;
            Counts b = null;
            // Most pods match nothing: counts are made only for a match.
            for (NodeInfo.PodEntry e : n.pods()) {
                Pod existing = e.pod();
                if (AffinityTerm.matchesAll(info.requiredAffinity(), existing, null)) {
                    a = a == null ? new Counts() : a;
                    a.updateWithAffinityTerms(info.requiredAffinity(), existing, null, nodeLabels, 1);
                }
                for (AffinityTerm t : info.requiredAntiAffinity()) {
                    if (t.matches(existing, null)) {
                        b = b == null ? new Counts() : b;
                        b.update(nodeLabels, t.topologyKey(), 1);
                    }
                }
            }
            if (a != null && !a.map.isEmpty()) {
                aff[i] = a;
            }
            if (b != null && !b.map.isEmpty()) {
                ant[i] = b;
            }
        });
        for (int i = 0; i < nodes.size(); i++) {
            if (aff[i] != null) {
                affinity.addAll(aff[i]);
            }
            if (ant[i] != null) {
                anti.addAll(ant[i]);
            }
        }
    }

    @Override
    public PreFilterExtensions preFilterExtensions() {
        return this;
    }

    @Override
    public Status addPod(CycleState state, Pod podToSchedule, Pod podToAdd, NodeInfo node) {
        return updateWithPod(state, podToAdd, node, 1);
    }

    @Override
    public Status removePod(CycleState state, Pod podToSchedule, Pod podToRemove, NodeInfo node) {
        return updateWithPod(state, podToRemove, node, -1);
    }

    private Status updateWithPod(CycleState state, Pod pod, NodeInfo node, long multiplier) {
        PreFilterState s = state.read(PRE_FILTER_KEY, PreFilterState.class);
        if (s == null) {
            return Status.error("reading " + PRE_FILTER_KEY + " from cycle state: not found");
        }
        s.updateWithPod(PodAffinityInfo.lenient(pod), node.node(), multiplier);
        return Status.success();
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
        PreFilterState s = state.read(PRE_FILTER_KEY, PreFilterState.class);
        if (s == null) {
            return Status.error("reading " + PRE_FILTER_KEY + " from cycle state: not found");
        }
        Map<String, String> nodeLabels = labels(nodeInfo.node());
        if (!satisfyPodAffinity(s, nodeLabels)) {
            return Status.unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH);
        }
        if (!satisfyPodAntiAffinity(s, nodeLabels)) {
            return Status.unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
        }
        if (!satisfyExistingPodsAntiAffinity(s, nodeLabels)) {
            return Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
        }
        return Status.success();
    }

    private static boolean satisfyExistingPodsAntiAffinity(PreFilterState s, Map<String, String> nodeLabels) {
        if (!s.existingAntiAffinityCounts.map.isEmpty()) {
            for (Map.Entry<String, String> l : nodeLabels.entrySet()) {
                if (s.existingAntiAffinityCounts.get(new TopologyPair(l.getKey(), l.getValue())) > 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean satisfyPodAntiAffinity(PreFilterState s, Map<String, String> nodeLabels) {
        if (!s.antiAffinityCounts.map.isEmpty()) {
            for (AffinityTerm t : s.podInfo.requiredAntiAffinity()) {
                String v = nodeLabels.get(t.topologyKey());
                if (v != null && s.antiAffinityCounts.get(new TopologyPair(t.topologyKey(), v)) > 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean satisfyPodAffinity(PreFilterState s, Map<String, String> nodeLabels) {
        boolean podsExist = true;
        for (AffinityTerm t : s.podInfo.requiredAffinity()) {
            String v = nodeLabels.get(t.topologyKey());
            if (v == null) {
                // Every topology key must be on the node.
                return false;
            }
            if (s.affinityCounts.get(new TopologyPair(t.topologyKey(), v)) <= 0) {
                podsExist = false;
            }
        }
        if (!podsExist) {
            // The first pod of a group with affinity to itself: when no pod anywhere matches the terms and the pod
            // matches its own terms, it may go to any node that has the topology keys.
            return s.affinityCounts.map.isEmpty()
                    && AffinityTerm.matchesAll(s.podInfo.requiredAffinity(), s.podInfo.pod(), null);
        }
        return true;
    }

    // ---- PreScore / Score

    /** Score per topology key and value (Kubernetes' {@code preScoreState.topologyScore}). */
    static final class PreScoreState {
        final Map<String, Map<String, Long>> topologyScore;

        PreScoreState(Map<String, Map<String, Long>> topologyScore) {
            this.topologyScore = topologyScore;
        }
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> feasible) {
        if (feasible.isEmpty()) {
            return Status.skip();
        }
        PodAffinityInfo info;
        try {
            info = PodAffinityInfo.parse(pod).withNamespacesMerged(this::namespacesMatching);
        } catch (IllegalArgumentException e) {
            return Status.error("parsing pod: " + e.getMessage());
        }
        boolean hasConstraints = !info.preferredAffinity().isEmpty() || !info.preferredAntiAffinity().isEmpty();
        // Unless the pod has preferred terms, only pods with affinity can contribute.
        List<NodeInfo> nodes = hasConstraints ? state.snapshot().nodes() : state.snapshot().havePodsWithAffinity();
        if (nodes.isEmpty()) {
            return Status.skip();
        }
        Map<String, String> nsLabels = namespaceLabels(pod.getMetadata().getNamespace());
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Long>>[] perNode = new Map[nodes.size()];
        run(nodes.size(), i -> {
            NodeInfo n = nodes.get(i);
            Map<String, String> nodeLabels = labels(n.node());
            if (nodeLabels.isEmpty()) {
                return;
            }
            Map<String, Map<String, Long>> score = new HashMap<>();
            if (hasConstraints) {
                Map<String, PodAffinityInfo> withAffinity = null;
                if (!n.podsWithAffinity().isEmpty()) {
                    withAffinity = new HashMap<>();
                    for (PodAffinityInfo a : n.podsWithAffinity()) {
                        withAffinity.put(a.key(), a);
                    }
                }
                for (NodeInfo.PodEntry e : n.pods()) {
                    PodAffinityInfo existing = withAffinity == null ? null : withAffinity.get(e.key());
                    processExistingPod(info, nsLabels, e.pod(), existing, nodeLabels, pod, score);
                }
            } else {
                for (PodAffinityInfo existing : n.podsWithAffinity()) {
                    // Only required anti-affinity (the common replica-spreading case): nothing to score.
                    if (existing.requiredAffinity().isEmpty() && existing.preferredAffinity().isEmpty()
                            && existing.preferredAntiAffinity().isEmpty()) {
                        continue;
                    }
                    processExistingPod(info, nsLabels, existing.pod(), existing, nodeLabels, pod, score);
                }
            }
            if (!score.isEmpty()) {
                perNode[i] = score;
            }
        });
        Map<String, Map<String, Long>> total = new HashMap<>();
        for (Map<String, Map<String, Long>> m : perNode) {
            if (m == null) {
                continue;
            }
            m.forEach((k, values) -> {
                Map<String, Long> t = total.computeIfAbsent(k, x -> new HashMap<>());
                values.forEach((v, n) -> t.merge(v, n, Long::sum));
            });
        }
        if (total.isEmpty()) {
            return Status.skip();
        }
        state.write(PRE_SCORE_KEY, new PreScoreState(total));
        return Status.success();
    }

    private void processExistingPod(PodAffinityInfo incoming, Map<String, String> nsLabels, Pod existingPod,
            PodAffinityInfo existing, Map<String, String> nodeLabels, Pod pod,
            Map<String, Map<String, Long>> score) {
        // The incoming pod's preferred terms, against the existing pod.
        processTerms(incoming.preferredAffinity(), existingPod, null, nodeLabels, 1, score);
        processTerms(incoming.preferredAntiAffinity(), existingPod, null, nodeLabels, -1, score);
        if (existing == null) {
            return;
        }
        // The existing pod's terms, against the incoming pod.
        if (hardPodAffinityWeight > 0) {
            for (AffinityTerm t : existing.requiredAffinity()) {
                processTerm(t, hardPodAffinityWeight, pod, nsLabels, nodeLabels, 1, score);
            }
        }
        processTerms(existing.preferredAffinity(), pod, nsLabels, nodeLabels, 1, score);
        processTerms(existing.preferredAntiAffinity(), pod, nsLabels, nodeLabels, -1, score);
    }

    private static void processTerms(List<WeightedAffinityTerm> terms, Pod pod, Map<String, String> nsLabels,
            Map<String, String> nodeLabels, int multiplier, Map<String, Map<String, Long>> score) {
        for (WeightedAffinityTerm w : terms) {
            processTerm(w.term(), w.weight(), pod, nsLabels, nodeLabels, multiplier, score);
        }
    }

    private static void processTerm(AffinityTerm term, int weight, Pod pod, Map<String, String> nsLabels,
            Map<String, String> nodeLabels, int multiplier, Map<String, Map<String, Long>> score) {
        if (term.matches(pod, nsLabels)) {
            String v = nodeLabels.get(term.topologyKey());
            if (v != null) {
                score.computeIfAbsent(term.topologyKey(), k -> new HashMap<>())
                        .merge(v, (long) weight * multiplier, Long::sum);
            }
        }
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
        PreScoreState s = state.read(PRE_SCORE_KEY, PreScoreState.class);
        if (s == null) {
            return 0;
        }
        Map<String, String> nodeLabels = labels(nodeInfo.node());
        long score = 0;
        for (Map.Entry<String, Map<String, Long>> e : s.topologyScore.entrySet()) {
            String v = nodeLabels.get(e.getKey());
            if (v != null) {
                score += e.getValue().getOrDefault(v, 0L);
            }
        }
        return score;
    }

    @Override
    public void normalizeScores(CycleState state, Pod pod, long[] scores) {
        PreScoreState s = state.read(PRE_SCORE_KEY, PreScoreState.class);
        if (s == null || s.topologyScore.isEmpty()) {
            return;
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long v : scores) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        long diff = max - min;
        for (int i = 0; i < scores.length; i++) {
            scores[i] = diff > 0 ? (long) (MAX_NODE_SCORE * ((double) (scores[i] - min) / diff)) : 0;
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

    static Map<String, String> labels(Node node) {
        Map<String, String> l = node == null || node.getMetadata() == null ? null : node.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }
}
