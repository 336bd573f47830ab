package io.kube4j.controller.clusterroleaggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import org.junit.jupiter.api.Test;

class ClusterRoleAggregationTest {

    static PolicyRule rule(String verb, String resource) {
        return new PolicyRuleBuilder().withApiGroups("").withVerbs(verb).withResources(resource).build();
    }

    static ClusterRole role(String name, Map<String, String> labels, PolicyRule... rules) {
        return new ClusterRoleBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withRules(rules).build();
    }

    @SafeVarargs
    static ClusterRole aggregated(String name, Map<String, String> labels, Map<String, String>... selectors) {
        ClusterRoleBuilder b = new ClusterRoleBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().withNewAggregationRule().endAggregationRule();
        for (Map<String, String> s : selectors) {
            b.editAggregationRule().addToClusterRoleSelectors(new LabelSelectorBuilder().withMatchLabels(s).build())
                    .endAggregationRule();
        }
        return b.build();
    }

    static List<PolicyRule> aggregate(ClusterRole target, List<ClusterRole> all) {
        return ClusterRoleAggregation.rules(target, sel -> all.stream()
                .filter(r -> sel.matches(r.getMetadata().getLabels() == null ? Map.of() : r.getMetadata().getLabels()))
                .toList());
    }

    @Test
    void unionOfMatchedRolesInSelectorThenNameOrderEachRuleOnce() {
        ClusterRole view = aggregated("view", Map.of("agg-edit", "true"), Map.of("agg-view", "true"));
        ClusterRole edit = aggregated("edit", Map.of(), Map.of("agg-edit", "true"), Map.of("agg-view", "true"));
        ClusterRole b = role("b-pods", Map.of("agg-view", "true"), rule("get", "pods"), rule("list", "pods"));
        ClusterRole a = role("a-svc", Map.of("agg-view", "true"), rule("get", "services"), rule("get", "pods"));
        ClusterRole w = role("writer", Map.of("agg-edit", "true"), rule("create", "pods"));
        ClusterRole other = role("other", Map.of(), rule("delete", "nodes"));
        List<ClusterRole> all = List.of(view, edit, b, a, w, other);

        assertThat(aggregate(view, all)).containsExactly(rule("get", "services"), rule("get", "pods"),
                rule("list", "pods"));
        // edit's first selector matches view (still without rules) and writer; the second the agg-view roles
        assertThat(aggregate(edit, all)).containsExactly(rule("create", "pods"), rule("get", "services"),
                rule("get", "pods"), rule("list", "pods"));
    }

    @Test
    void aRoleDoesNotAggregateItselfAndNoSelectorsMeansNoRules() {
        ClusterRole self = aggregated("self", Map.of("x", "y"), Map.of("x", "y"));
        self.setRules(List.of(rule("get", "pods")));
        assertThat(aggregate(self, List.of(self))).isEmpty();
        assertThat(aggregate(aggregated("none", Map.of()), List.of(role("r", Map.of(), rule("get", "pods")))))
                .isEmpty();
    }

    @Test
    void nullAndEmptyListsAreTheSameRules() {
        PolicyRule withNull = new PolicyRuleBuilder().withVerbs("get").withResources("pods").build();
        PolicyRule withEmpty = new PolicyRuleBuilder().withVerbs("get").withResources("pods")
                .withApiGroups(List.of()).withResourceNames(List.of()).withNonResourceURLs(List.of()).build();
        assertThat(ClusterRoleAggregation.sameRules(List.of(withNull), List.of(withEmpty))).isTrue();
        assertThat(ClusterRoleAggregation.sameRules(List.of(), null)).isTrue();
        assertThat(ClusterRoleAggregation.sameRules(List.of(withNull), List.of(rule("get", "pods")))).isFalse();
    }

    @Test
    void anInvalidSelectorIsAnError() {
        ClusterRole bad = new ClusterRoleBuilder().withNewMetadata().withName("bad").endMetadata()
                .withNewAggregationRule().addNewClusterRoleSelector().addNewMatchExpression().withKey("k")
                .withOperator("Near").endMatchExpression().endClusterRoleSelector().endAggregationRule().build();
        assertThatThrownBy(() -> aggregate(bad, List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Near");
    }
}
