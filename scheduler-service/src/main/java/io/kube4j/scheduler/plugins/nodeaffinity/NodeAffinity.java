package io.kube4j.scheduler.plugins.nodeaffinity;

import java.util.List;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import io.kube4j.api.scheduling.NodeSelectors;
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
        return NodeSelectors.matchesRequired(pod.getSpec(), node);
    }

    /**
     * Whether {@code node} matches {@code selector}'s terms (ORed; no terms match nothing): a PersistentVolume's
     * {@code spec.nodeAffinity.required}, as Kubernetes' {@code volumeutil.CheckNodeAffinity}.
     */
    public static boolean matchesNodeSelector(NodeSelector selector, Node node) {
        return NodeSelectors.matches(selector, node);
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
        Affinity affinity = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
        if (affinity == null || affinity.getNodeAffinity() == null) {
            return 0;
        }
        Node node = nodeInfo.node();
        long sum = 0;
        for (PreferredSchedulingTerm p : list(
                affinity.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())) {
            if (p.getWeight() != null && p.getWeight() != 0 && p.getPreference() != null
                    && NodeSelectors.termMatches(p.getPreference(), node)) {
                sum += p.getWeight();
            }
        }
        return sum;
    }

    @Override
    public void normalizeScores(CycleState state, Pod pod, long[] scores) {
        ScorePlugin.defaultNormalize(scores, false);
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
