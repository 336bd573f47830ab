package io.kube4j.scheduler.framework;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.kube4j.api.selector.LabelSelector;

/**
 * A pod with its inter-pod (anti-)affinity terms parsed once (the affinity half of Kubernetes' {@code PodInfo}).
 * {@link NodeInfo} keeps these for the pods on a node that have affinity, so the InterPodAffinity plugin never parses
 * terms of existing pods per cycle.
 */
public record PodAffinityInfo(Pod pod, String key, List<AffinityTerm> requiredAffinity,
        List<AffinityTerm> requiredAntiAffinity, List<WeightedAffinityTerm> preferredAffinity,
        List<WeightedAffinityTerm> preferredAntiAffinity) {

    /** Whether {@code pod} has any pod affinity or anti-affinity (Kubernetes' {@code podWithAffinity}). */
    public static boolean hasAffinity(Pod pod) {
        Affinity a = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
        return a != null && (a.getPodAffinity() != null || a.getPodAntiAffinity() != null);
    }

    /** Whether {@code pod} has required anti-affinity terms. */
    public static boolean hasRequiredAntiAffinity(Pod pod) {
        Affinity a = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
        return a != null && a.getPodAntiAffinity() != null
                && a.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null
                && !a.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().isEmpty();
    }

    /**
     * Parses the pod's terms, strictly: the pod being scheduled is rejected when a selector is invalid.
     *
     * @throws IllegalArgumentException naming the invalid selector
     */
    public static PodAffinityInfo parse(Pod pod) {
        return build(pod, true);
    }

    /**
     * Parses the terms of a pod already placed; an invalid term (which the apiserver should have refused) matches no
     * pod instead of failing the cache.
     */
    public static PodAffinityInfo lenient(Pod pod) {
        return build(pod, false);
    }

    private static PodAffinityInfo build(Pod pod, boolean strict) {
        Affinity a = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
        List<AffinityTerm> reqAff = List.of();
        List<AffinityTerm> reqAnti = List.of();
        List<WeightedAffinityTerm> prefAff = List.of();
        List<WeightedAffinityTerm> prefAnti = List.of();
        if (a != null && a.getPodAffinity() != null) {
            reqAff = terms(pod, a.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution(), strict);
            prefAff = weighted(pod, a.getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution(), strict);
        }
        if (a != null && a.getPodAntiAffinity() != null) {
            reqAnti = terms(pod, a.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution(), strict);
            prefAnti = weighted(pod, a.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution(),
                    strict);
        }
        return new PodAffinityInfo(pod, PodKeys.key(pod), reqAff, reqAnti, prefAff, prefAnti);
    }

    private static List<AffinityTerm> terms(Pod pod, List<PodAffinityTerm> terms, boolean strict) {
        if (terms == null || terms.isEmpty()) {
            return List.of();
        }
        List<AffinityTerm> out = new ArrayList<>(terms.size());
        for (PodAffinityTerm t : terms) {
            out.add(term(pod, t, strict));
        }
        return List.copyOf(out);
    }

    private static List<WeightedAffinityTerm> weighted(Pod pod, List<WeightedPodAffinityTerm> terms,
            boolean strict) {
        if (terms == null || terms.isEmpty()) {
            return List.of();
        }
        List<WeightedAffinityTerm> out = new ArrayList<>(terms.size());
        for (WeightedPodAffinityTerm t : terms) {
            if (t.getPodAffinityTerm() == null) {
                continue;
            }
            out.add(new WeightedAffinityTerm(term(pod, t.getPodAffinityTerm(), strict),
                    t.getWeight() == null ? 0 : t.getWeight()));
        }
        return List.copyOf(out);
    }

    private static AffinityTerm term(Pod pod, PodAffinityTerm t, boolean strict) {
        try {
            return AffinityTerm.of(pod, t);
        } catch (IllegalArgumentException e) {
            if (strict) {
                throw e;
            }
            return new AffinityTerm(java.util.Set.of(), LabelSelector.nothing(), t.getTopologyKey(),
                    LabelSelector.nothing());
        }
    }

    /** This info with the namespace selectors of its terms resolved (see {@link AffinityTerm#withNamespacesMerged}). */
    public PodAffinityInfo withNamespacesMerged(java.util.function.Function<LabelSelector, List<String>> lister) {
        return new PodAffinityInfo(pod, key,
                requiredAffinity.stream().map(t -> t.withNamespacesMerged(lister)).toList(),
                requiredAntiAffinity.stream().map(t -> t.withNamespacesMerged(lister)).toList(),
                preferredAffinity.stream().map(w -> new WeightedAffinityTerm(w.term().withNamespacesMerged(lister),
                        w.weight())).toList(),
                preferredAntiAffinity.stream().map(w -> new WeightedAffinityTerm(w.term().withNamespacesMerged(lister),
                        w.weight())).toList());
    }
}
