package io.kube4j.scheduler.plugins.nodeaffinity;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.framework.Status;

/**
 * Filters nodes by the pod's {@code nodeSelector} and required node affinity, and scores them by the summed weights
 * of the preferred node affinity terms they match.
 */
public final class NodeAffinity implements FilterPlugin, ScorePlugin {

    public static final String NAME = "NodeAffinity";
    public static final String REASON = "node(s) didn't match Pod's node affinity/selector";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
        return matchesRequired(pod, nodeInfo.node()) ? Status.success() : Status.unresolvable(REASON);
    }

    /** Whether {@code node} satisfies the pod's nodeSelector and required node affinity. */
    public static boolean matchesRequired(Pod pod, Node node) {
        if (pod.getSpec() == null) {
            return true;
        }
        Map<String, String> selector = pod.getSpec().getNodeSelector();
        Affinity affinity = pod.getSpec().getAffinity();
        if ((selector == null || selector.isEmpty()) && (affinity == null || affinity.getNodeAffinity() == null)) {
            // Nothing to match: do not touch the node (the common pod).
            return true;
        }
        Map<String, String> labels = labels(node);
        if (selector != null) {
            for (Map.Entry<String, String> e : selector.entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (affinity == null || affinity.getNodeAffinity() == null) {
            return true;
        }
        NodeSelector required = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        if (required == null) {
            return true;
        }
        // Terms are ORed; no terms matches nothing, as Kubernetes' nodeaffinity.NodeSelector.
        for (NodeSelectorTerm term : list(required.getNodeSelectorTerms())) {
            if (termMatches(term, node, labels)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code node} matches {@code selector}'s terms (ORed; no terms match nothing): a PersistentVolume's
     * {@code spec.nodeAffinity.required}, as Kubernetes' {@code volumeutil.CheckNodeAffinity}.
     */
    public static boolean matchesNodeSelector(NodeSelector selector, Node node) {
        Map<String, String> labels = labels(node);
        for (NodeSelectorTerm term : list(selector.getNodeSelectorTerms())) {
            if (termMatches(term, node, labels)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
        Affinity affinity = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
        if (affinity == null || affinity.getNodeAffinity() == null) {
            return 0;
        }
        Node node = nodeInfo.node();
        Map<String, String> labels = labels(node);
        long sum = 0;
        for (PreferredSchedulingTerm p : list(
                affinity.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())) {
            if (p.getWeight() != null && p.getWeight() != 0 && p.getPreference() != null
                    && termMatches(p.getPreference(), node, labels)) {
                sum += p.getWeight();
            }
        }
        return sum;
    }

    @Override
    public void normalizeScores(CycleState state, Pod pod, long[] scores) {
        ScorePlugin.defaultNormalize(scores, false);
    }

    /** A term matches when all its expressions and fields match; an empty term matches nothing. */
    static boolean termMatches(NodeSelectorTerm term, Node node, Map<String, String> labels) {
        List<NodeSelectorRequirement> exprs = list(term.getMatchExpressions());
        List<NodeSelectorRequirement> fields = list(term.getMatchFields());
        if (exprs.isEmpty() && fields.isEmpty()) {
            return false;
        }
        for (NodeSelectorRequirement r : exprs) {
            if (!requirement(r).matches(labels)) {
                return false;
            }
        }
        for (NodeSelectorRequirement r : fields) {
            // metadata.name is the only field Kubernetes supports here.
            if (!"metadata.name".equals(r.getKey())
                    || !requirement(r).matches(Map.of("metadata.name", node.getMetadata().getName()))) {
                return false;
            }
        }
        return true;
    }

    private static LabelSelector.Requirement requirement(NodeSelectorRequirement r) {
        LabelSelector.Operator op = switch (String.valueOf(r.getOperator())) {
            case "In" -> LabelSelector.Operator.IN;
            case "NotIn" -> LabelSelector.Operator.NOT_IN;
            case "Exists" -> LabelSelector.Operator.EXISTS;
            case "DoesNotExist" -> LabelSelector.Operator.DOES_NOT_EXIST;
            case "Gt" -> LabelSelector.Operator.GREATER_THAN;
            case "Lt" -> LabelSelector.Operator.LESS_THAN;
            // The apiserver validates operators; an unknown one matches nothing rather than everything.
            default -> null;
        };
        if (op == null) {
            return new LabelSelector.Requirement(r.getKey(), LabelSelector.Operator.IN, List.of());
        }
        List<String> values = list(r.getValues());
        if ((op == LabelSelector.Operator.GREATER_THAN || op == LabelSelector.Operator.LESS_THAN)
                && values.size() != 1) {
            return new LabelSelector.Requirement(r.getKey(), LabelSelector.Operator.IN, List.of());
        }
        return new LabelSelector.Requirement(r.getKey(), op, values);
    }

    private static Map<String, String> labels(Node node) {
        Map<String, String> l = node.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
