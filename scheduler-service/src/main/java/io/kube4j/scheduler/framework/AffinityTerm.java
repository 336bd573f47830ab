package io.kube4j.scheduler.framework;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.kube4j.api.selector.LabelSelector;

/**
 * A parsed pod (anti-)affinity term (Kubernetes' {@code framework.AffinityTerm}): the namespaces it names (the owning
 * pod's own when it names none and has no namespaceSelector), its label selector, topology key, and namespace
 * selector. A pod matches when it is in one of the namespaces or its namespace's labels match the namespace selector,
 * and its labels match the selector.
 */
public record AffinityTerm(Set<String> namespaces, LabelSelector selector, String topologyKey,
        LabelSelector namespaceSelector) {

    public AffinityTerm {
        namespaces = Set.copyOf(namespaces);
    }

    /**
     * Parses {@code term} of {@code owner}.
     *
     * @throws IllegalArgumentException when a selector is invalid
     */
    public static AffinityTerm of(Pod owner, PodAffinityTerm term) {
        LabelSelector selector = LabelSelector.from(term.getLabelSelector());
        List<String> names = term.getNamespaces() == null ? List.of() : term.getNamespaces();
        Set<String> namespaces = new HashSet<>();
        if (names.isEmpty() && term.getNamespaceSelector() == null) {
            namespaces.add(owner.getMetadata().getNamespace());
        } else {
            namespaces.addAll(names);
        }
        LabelSelector nsSelector = LabelSelector.from(term.getNamespaceSelector());
        return new AffinityTerm(namespaces, selector, term.getTopologyKey(), nsSelector);
    }

    /** Whether {@code pod}, in a namespace labelled {@code namespaceLabels} (null: unknown), matches this term. */
    public boolean matches(Pod pod, Map<String, String> namespaceLabels) {
        if (namespaces.contains(pod.getMetadata().getNamespace()) || namespaceSelector.matches(namespaceLabels)) {
            return selector.matches(pod.getMetadata().getLabels());
        }
        return false;
    }

    /**
     * This term with its namespace selector resolved to namespace names (Kubernetes'
     * {@code mergeAffinityTermNamespacesIfNotEmpty}), so matching needs no namespace labels. A selector that selects
     * everything stays (it matches any namespace); {@code namespacesMatching} lists the names of the namespaces a
     * selector matches.
     */
    public AffinityTerm withNamespacesMerged(Function<LabelSelector, List<String>> namespacesMatching) {
        if (namespaceSelector.isEverything() || namespaceSelector.isNothing()) {
            return this;
        }
        Set<String> merged = new HashSet<>(namespaces);
        merged.addAll(namespacesMatching.apply(namespaceSelector));
        return new AffinityTerm(merged, selector, topologyKey, LabelSelector.nothing());
    }

    /** Whether {@code pod} matches all of {@code terms} (false for none), as Kubernetes' podMatchesAllAffinityTerms. */
    public static boolean matchesAll(List<AffinityTerm> terms, Pod pod, Map<String, String> namespaceLabels) {
        if (terms.isEmpty()) {
            return false;
        }
        for (AffinityTerm t : terms) {
            if (!t.matches(pod, namespaceLabels)) {
                return false;
            }
        }
        return true;
    }

}
