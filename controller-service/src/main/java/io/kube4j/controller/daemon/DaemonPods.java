package io.kube4j.controller.daemon;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.kube4j.api.scheduling.Tolerations;
import io.kube4j.api.scheduling.NodeSelectors;

/**
 * Daemon pod helpers as Kubernetes' {@code pkg/controller/daemon/util}: the tolerations every daemon pod gets (so a
 * daemon keeps running on nodes that are not ready, unreachable or under pressure, which is the point of a daemon)
 * and the taint half of {@code NodeShouldRunDaemonPod}.
 */
public final class DaemonPods {

    private DaemonPods() {
    }

    /**
     * Adds Kubernetes' default daemon tolerations to {@code spec} when no toleration with the same key and effect
     * exists: not-ready and unreachable NoExecute (no tolerationSeconds: never evicted), disk/memory/pid-pressure and
     * unschedulable NoSchedule, and network-unavailable NoSchedule for hostNetwork pods.
     */
    public static void addDefaultTolerations(PodSpec spec) {
        List<Toleration> tolerations = new ArrayList<>(spec.getTolerations() == null ? List.of() : spec.getTolerations());
        add(tolerations, "node.kubernetes.io/not-ready", "NoExecute");
        add(tolerations, "node.kubernetes.io/unreachable", "NoExecute");
        add(tolerations, "node.kubernetes.io/disk-pressure", "NoSchedule");
        add(tolerations, "node.kubernetes.io/memory-pressure", "NoSchedule");
        add(tolerations, "node.kubernetes.io/pid-pressure", "NoSchedule");
        add(tolerations, "node.kubernetes.io/unschedulable", "NoSchedule");
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            add(tolerations, "node.kubernetes.io/network-unavailable", "NoSchedule");
        }
        spec.setTolerations(tolerations);
    }

    private static void add(List<Toleration> tolerations, String key, String effect) {
        for (Toleration t : tolerations) {
            if (key.equals(t.getKey()) && effect.equals(t.getEffect())) {
                return;
            }
        }
        tolerations.add(new TolerationBuilder().withKey(key).withOperator("Exists").withEffect(effect).build());
    }

    /**
     * The required node affinity term that pins a daemon pod to {@code nodeName} while leaving placement to the
     * default scheduler ({@code matchFields metadata.name In [node]}), as Kubernetes' {@code ReplaceDaemonSetPodNodeNameNodeAffinity}.
     */
    public static NodeSelectorTerm nodeNameTerm(String nodeName) {
        return new NodeSelectorTermBuilder().withMatchFields(new NodeSelectorRequirementBuilder()
                .withKey("metadata.name").withOperator("In").withValues(nodeName).build()).build();
    }

    /** Taint eligibility of {@code NodeShouldRunDaemonPod}. */
    public record Eligibility(boolean shouldRun, boolean shouldContinueRunning) {
    }

    /**
     * Whether a daemon pod with {@code spec} (default tolerations already added) should be started on
     * {@code node} (no untolerated NoSchedule or NoExecute taint) and whether an existing one may keep running (no
     * untolerated NoExecute taint).
     */
    public static Eligibility taintEligibility(PodSpec spec, Node node) {
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null
                ? List.of() : node.getSpec().getTaints();
        List<Toleration> tolerations = spec.getTolerations() == null ? List.of() : spec.getTolerations();
        boolean schedule = Tolerations.firstUntolerated(taints, tolerations,
                t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect())) == null;
        boolean keep = Tolerations.firstUntolerated(taints, tolerations, t -> "NoExecute".equals(t.getEffect())) == null;
        return new Eligibility(schedule, keep);
    }

    /**
     * Whether {@code node} satisfies {@code spec}'s nodeSelector and required node affinity (terms ORed, an empty
     * term matching nothing, {@code matchFields} on {@code metadata.name} only), the selector half of
     * {@code NodeShouldRunDaemonPod}. The scheduler's NodeAffinity plugin applies the same rules
     * ({@link NodeSelectors}).
     */
    public static boolean nodeSelectorMatches(PodSpec spec, Node node) {
        return NodeSelectors.matchesRequired(spec, node);
    }

    /** {@code NodeShouldRunDaemonPod}: the selector and taint checks together. */
    public static Eligibility shouldRun(PodSpec specWithDefaultTolerations, Node node) {
        if (!nodeSelectorMatches(specWithDefaultTolerations, node)) {
            return new Eligibility(false, false);
        }
        return taintEligibility(specWithDefaultTolerations, node);
    }

    /**
     * The node a daemon pod is for: its {@code spec.nodeName} once bound, else the {@code metadata.name} value of its
     * required affinity ({@code GetTargetNodeName}); null when neither names one.
     */
    public static String targetNode(PodSpec spec) {
        if (spec == null) {
            return null;
        }
        if (spec.getNodeName() != null && !spec.getNodeName().isEmpty()) {
            return spec.getNodeName();
        }
        Affinity a = spec.getAffinity();
        NodeSelector required = a == null || a.getNodeAffinity() == null ? null
                : a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        if (required == null) {
            return null;
        }
        for (NodeSelectorTerm term : list(required.getNodeSelectorTerms())) {
            for (NodeSelectorRequirement r : list(term.getMatchFields())) {
                if ("metadata.name".equals(r.getKey()) && "In".equals(r.getOperator()) && r.getValues() != null
                        && r.getValues().size() == 1) {
                    return r.getValues().get(0);
                }
            }
        }
        return null;
    }

    /**
     * Replaces {@code spec}'s required node affinity by the single term pinning it to {@code nodeName}, with the
     * template's own label expressions kept in it ({@code ReplaceDaemonSetPodNodeNameNodeAffinity}).
     */
    public static void pinToNode(PodSpec spec, String nodeName) {
        NodeSelectorTerm pin = nodeNameTerm(nodeName);
        Affinity affinity = spec.getAffinity() == null ? new Affinity() : spec.getAffinity();
        if (affinity.getNodeAffinity() == null) {
            affinity.setNodeAffinity(new io.fabric8.kubernetes.api.model.NodeAffinity());
        }
        affinity.getNodeAffinity().setRequiredDuringSchedulingIgnoredDuringExecution(
                new NodeSelector(new ArrayList<>(List.of(pin))));
        spec.setAffinity(affinity);
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
