package io.kube4j.api.scheduling;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.kube4j.api.selector.LabelSelector;

/**
 * Node selector matching as Kubernetes' {@code component-helpers/scheduling/corev1/nodeaffinity}: a pod's
 * {@code nodeSelector} plus its required node affinity, and a bare {@link NodeSelector} (a PersistentVolume's
 * {@code spec.nodeAffinity.required}). One copy for every role that decides where a pod or volume may live: the
 * scheduler's NodeAffinity and VolumeBinding plugins, the DaemonSet controller's eligibility check and the PV
 * binder must agree, or a daemon pod would be created for a node the scheduler then refuses.
 */
public final class NodeSelectors {

    private NodeSelectors() {
    }

    /**
     * Whether {@code node} satisfies {@code spec}'s nodeSelector (every label equal) and required node affinity
     * (terms ORed; no terms match nothing). A spec with neither matches every node.
     */
    public static boolean matchesRequired(PodSpec spec, Node node) {
        if (spec == null) {
            return true;
        }
        Map<String, String> selector = spec.getNodeSelector();
        Affinity affinity = spec.getAffinity();
        if ((selector == null || selector.isEmpty()) && (affinity == null || affinity.getNodeAffinity() == null)) {
            return true; // the common pod: nothing to match
        }
        Map<String, String> labels = labels(node);
        if (selector != null) {
            for (Map.Entry<String, String> e : selector.entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
        }
        NodeSelector required = affinity == null || affinity.getNodeAffinity() == null ? null
                : affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        return required == null || matches(required, node);
    }

    /** Whether {@code node} matches one of {@code selector}'s terms (ORed; no terms match nothing). */
    public static boolean matches(NodeSelector selector, Node node) {
        Map<String, String> labels = labels(node);
        for (NodeSelectorTerm term : list(selector.getNodeSelectorTerms())) {
            if (termMatches(term, node, labels)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code node} matches {@code term}: all its label expressions and fields ({@code metadata.name}, the
     * only field Kubernetes supports); an empty term matches nothing.
     */
    public static boolean termMatches(NodeSelectorTerm term, Node node) {
        return termMatches(term, node, labels(node));
    }

    private static boolean termMatches(NodeSelectorTerm term, Node node, Map<String, String> labels) {
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
            if (!"metadata.name".equals(r.getKey())
                    || !requirement(r).matches(Map.of("metadata.name", node.getMetadata().getName()))) {
                return false;
            }
        }
        return true;
    }

    private static LabelSelector.Requirement requirement(NodeSelectorRequirement r) {
        List<String> values = list(r.getValues());
        LabelSelector.Operator op = switch (String.valueOf(r.getOperator())) {
            case "In" -> LabelSelector.Operator.IN;
            case "NotIn" -> LabelSelector.Operator.NOT_IN;
            case "Exists" -> LabelSelector.Operator.EXISTS;
            case "DoesNotExist" -> LabelSelector.Operator.DOES_NOT_EXIST;
            case "Gt" -> values.size() == 1 ? LabelSelector.Operator.GREATER_THAN : null;
            case "Lt" -> values.size() == 1 ? LabelSelector.Operator.LESS_THAN : null;
            default -> null;
        };
        // The apiserver validates operators; an unknown or malformed one matches nothing rather than everything.
        return op == null ? new LabelSelector.Requirement(r.getKey(), LabelSelector.Operator.IN, List.of())
                : new LabelSelector.Requirement(r.getKey(), op, values);
    }

    private static Map<String, String> labels(Node node) {
        Map<String, String> l = node.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
