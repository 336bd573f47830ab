package io.kube4j.scheduler.plugins;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.scheduler.framework.AffinityTerm;
import io.kube4j.scheduler.framework.PodAffinityInfo;
import io.kube4j.scheduler.framework.QueuedPodInfo;
import io.kube4j.scheduler.plugins.interpodaffinity.InterPodAffinity;
import io.kube4j.scheduler.plugins.podtopologyspread.PodTopologySpread;

/**
 * Which parked pods an assigned pod's arrival or label change can help (Kubernetes' queueing hints of
 * InterPodAffinity and PodTopologySpread for {@code AssignedPodAdd}/{@code AssignedPodUpdate}): a pod rejected by
 * InterPodAffinity when the pod matches one of its required terms, a pod rejected by PodTopologySpread when the pod
 * is in its namespace and matches one of its constraints' selectors. Conservative where it cannot tell (namespace
 * selectors, default constraints): then the pod is retried.
 */
public final class AssignedPodHints {

    private AssignedPodHints() {
    }

    /** Whether {@code assigned} (added, or updated from {@code old}; null for an add) may make {@code parked} fit. */
    public static boolean mayHelp(QueuedPodInfo parked, Pod old, Pod assigned) {
        if (old != null && Objects.equals(old.getMetadata().getLabels(), assigned.getMetadata().getLabels())) {
            // Only label changes of an assigned pod matter to these plugins.
            return false;
        }
        Pod pod = parked.pod();
        if (parked.unschedulablePlugins().contains(InterPodAffinity.NAME)
                && (affinityMayHelp(pod, assigned) || old != null && affinityMayHelp(pod, old))) {
            return true;
        }
        return parked.unschedulablePlugins().contains(PodTopologySpread.NAME) && spreadMayHelp(pod, assigned);
    }

    private static boolean affinityMayHelp(Pod pod, Pod other) {
        PodAffinityInfo info = PodAffinityInfo.lenient(pod);
        // A matching pod can satisfy an affinity term; for an update, the old labels leaving an anti-affinity term.
        return anyMatches(info.requiredAffinity(), other) || anyMatches(info.requiredAntiAffinity(), other);
    }

    private static boolean anyMatches(List<AffinityTerm> terms, Pod other) {
        for (AffinityTerm t : terms) {
            if (t.matches(other, null) || !t.namespaceSelector().isNothing()
                    && t.selector().matches(other.getMetadata().getLabels())) {
                return true;
            }
        }
        return false;
    }

    private static boolean spreadMayHelp(Pod pod, Pod other) {
        if (!Objects.equals(pod.getMetadata().getNamespace(), other.getMetadata().getNamespace())) {
            return false;
        }
        List<TopologySpreadConstraint> own = pod.getSpec() == null ? null
                : pod.getSpec().getTopologySpreadConstraints();
        if (own == null || own.isEmpty()) {
            return true;
        }
        Map<String, String> labels = other.getMetadata().getLabels();
        for (TopologySpreadConstraint c : own) {
            try {
                if (LabelSelector.from(c.getLabelSelector()).matches(labels)) {
                    return true;
                }
            } catch (IllegalArgumentException e) {
                return true;
            }
        }
        return false;
    }
}
