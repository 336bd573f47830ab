package io.kube4j.controller.clusterroleaggregation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.kube4j.api.selector.LabelSelector;

/**
 * The rules an aggregated ClusterRole should have, as Kubernetes computes them: for each of its
 * {@code aggregationRule.clusterRoleSelectors} in order, the ClusterRoles the selector matches sorted by name (itself
 * left out), their rules in order, each rule once.
 */
public final class ClusterRoleAggregation {

    private ClusterRoleAggregation() {
    }

    /**
     * @param selected the ClusterRoles a label selector matches (the informer cache)
     * @throws IllegalArgumentException for a selector that is not valid
     */
    public static List<PolicyRule> rules(ClusterRole aggregated, Function<LabelSelector, List<ClusterRole>> selected) {
        List<PolicyRule> out = new ArrayList<>();
        List<Rule> seen = new ArrayList<>();
        for (var selector : aggregated.getAggregationRule().getClusterRoleSelectors() == null
                ? List.<io.fabric8.kubernetes.api.model.LabelSelector>of()
                : aggregated.getAggregationRule().getClusterRoleSelectors()) {
            List<ClusterRole> roles = new ArrayList<>(selected.apply(LabelSelector.from(selector)));
            roles.sort(Comparator.comparing(r -> r.getMetadata().getName()));
            for (ClusterRole role : roles) {
                if (role.getMetadata().getName().equals(aggregated.getMetadata().getName())) {
                    continue;
                }
                for (PolicyRule rule : role.getRules() == null ? List.<PolicyRule>of() : role.getRules()) {
                    Rule r = Rule.of(rule);
                    if (!seen.contains(r)) {
                        seen.add(r);
                        out.add(rule);
                    }
                }
            }
        }
        return out;
    }

    /** Whether two rule lists are equal as Kubernetes' semantic equality sees them (null and empty lists alike). */
    public static boolean sameRules(List<PolicyRule> a, List<PolicyRule> b) {
        return normalized(a).equals(normalized(b));
    }

    private static List<Rule> normalized(List<PolicyRule> rules) {
        return rules == null ? List.of() : rules.stream().map(Rule::of).toList();
    }

    /** A PolicyRule's fields with null lists as empty ones. */
    private record Rule(List<String> verbs, List<String> apiGroups, List<String> resources, List<String> resourceNames,
                        List<String> nonResourceURLs) {

        static Rule of(PolicyRule r) {
            return new Rule(nn(r.getVerbs()), nn(r.getApiGroups()), nn(r.getResources()), nn(r.getResourceNames()),
                    nn(r.getNonResourceURLs()));
        }

        private static List<String> nn(List<String> l) {
            return l == null ? List.of() : l.stream().map(s -> Objects.requireNonNullElse(s, "")).toList();
        }
    }
}
