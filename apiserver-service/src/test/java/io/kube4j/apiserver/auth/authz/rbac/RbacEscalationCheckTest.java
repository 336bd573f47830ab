package io.kube4j.apiserver.auth.authz.rbac;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.auth.authz.UnionAuthorizer;
import io.kube4j.apiserver.auth.authz.bootstrap.DefaultPolicy;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.kube4j.apiserver.auth.authz.rbac.RbacFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Escalation prevention: roles with rules one does not hold, bindings to such roles, unless escalate/bind. */
class RbacEscalationCheckTest {

    static final ResourceRegistry REG = ResourceRegistry.builtin();
    static final ResourceType ROLES = REG.byPath(G, "v1", "roles").orElseThrow();
    static final ResourceType CLUSTER_ROLES = REG.byPath(G, "v1", "clusterroles").orElseThrow();
    static final ResourceType ROLE_BINDINGS = REG.byPath(G, "v1", "rolebindings").orElseThrow();
    static final ResourceType CLUSTER_ROLE_BINDINGS = REG.byPath(G, "v1", "clusterrolebindings").orElseThrow();

    final RbacIndex index = defaults();
    final RbacAuthorizer rbac = new RbacAuthorizer(index, () -> true);
    final RbacEscalationCheck check = new RbacEscalationCheck(new UnionAuthorizer(List.of(rbac)), rbac, index);

    final UserInfo carol = new UserInfo("carol", "", List.of(UserInfo.SYSTEM_AUTHENTICATED), Map.of());

    {
        // carol administers ns1 (admin: RBAC in ns1, no secrets in ns2, nothing cluster-wide)
        index.putRoleBinding(roleBinding("ns1", "carol-admin", "ClusterRole", "admin", user("carol")));
        index.putClusterRole(clusterRole("secret-reader", DefaultPolicy.rule(List.of("get"), "", "secrets")));
        index.putClusterRole(clusterRole("node-reader", DefaultPolicy.rule(List.of("get"), "", "nodes")));
    }

    AdmissionAttributes create(ResourceType t, String ns, HasMetadata o, UserInfo u) {
        return new AdmissionAttributes(AdmissionAttributes.Operation.CREATE, t, null, ns, o.getMetadata().getName(),
                o, null, u, false, null);
    }

    void allowed(AdmissionAttributes a) {
        check.validate(a).block();
    }

    void refused(AdmissionAttributes a, String messagePart) {
        assertThatThrownBy(() -> check.validate(a).block())
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(403);
                    assertThat(e.reason()).isEqualTo("Forbidden");
                })
                .hasMessageContaining(messagePart);
    }

    @Test
    void aRoleWithRulesHeldIsAllowed() {
        allowed(create(ROLES, "ns1", role("ns1", "r", DefaultPolicy.rule(List.of("get", "list"), "", "pods", "secrets")), carol));
        allowed(create(ROLES, "ns1", role("ns1", "r", DefaultPolicy.named(List.of("get"), "", "configmaps", "cm")), carol));
    }

    @Test
    void aRoleWithRulesNotHeldIsRefusedWithKubernetesMessage() {
        refused(create(ROLES, "ns1", role("ns1", "r", DefaultPolicy.rule(List.of("get"), "", "nodes")), carol),
                "roles.rbac.authorization.k8s.io \"r\" is forbidden: user \"carol\" (groups=[\"system:authenticated\"]) is "
                        + "attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"nodes\"], Verbs:[\"get\"]}");
        // the same rules in a namespace carol does not administer
        refused(create(ROLES, "ns2", role("ns2", "r", DefaultPolicy.rule(List.of("get"), "", "pods")), carol), "not currently held");
        refused(create(CLUSTER_ROLES, "", clusterRole("c", DefaultPolicy.rule(List.of("get"), "", "pods")), carol),
                "not currently held");
        // "*" is more than the explicit list admin has
        refused(create(ROLES, "ns1", role("ns1", "r", DefaultPolicy.rule(List.of("*"), "", "pods")), carol), "Verbs:[\"*\"]");
    }

    @Test
    void escalateVerbAllowsAnyRole() {
        index.putRole(role("ns1", "escalator", DefaultPolicy.rule(List.of("escalate"), G, "roles")));
        index.putRoleBinding(roleBinding("ns1", "carol-escalate", "Role", "escalator", user("carol")));
        allowed(create(ROLES, "ns1", role("ns1", "r", DefaultPolicy.rule(List.of("get"), "", "nodes")), carol));
    }

    @Test
    void bindingsToRolesHeldAreAllowedOthersNeedBind() {
        allowed(create(ROLE_BINDINGS, "ns1", roleBinding("ns1", "b", "ClusterRole", "view", user("dan")), carol));
        allowed(create(ROLE_BINDINGS, "ns1", roleBinding("ns1", "b", "ClusterRole", "secret-reader", user("dan")), carol));
        refused(create(ROLE_BINDINGS, "ns1", roleBinding("ns1", "b", "ClusterRole", "node-reader", user("dan")), carol),
                "rolebindings.rbac.authorization.k8s.io \"b\" is forbidden");
        refused(create(ROLE_BINDINGS, "ns1", roleBinding("ns1", "b", "ClusterRole", "cluster-admin", user("carol")), carol),
                "not currently held");
        refused(create(CLUSTER_ROLE_BINDINGS, "", clusterRoleBinding("b", "view", user("dan")), carol), "not currently held");
        // bind on that one role, by name
        index.putRole(role("ns1", "binder", DefaultPolicy.named(List.of("bind"), G, "clusterroles", "node-reader")));
        index.putRoleBinding(roleBinding("ns1", "carol-bind", "Role", "binder", user("carol")));
        allowed(create(ROLE_BINDINGS, "ns1", roleBinding("ns1", "b", "ClusterRole", "node-reader", user("dan")), carol));
        refused(create(ROLE_BINDINGS, "ns1", roleBinding("ns1", "b", "ClusterRole", "cluster-admin", user("dan")), carol),
                "not currently held");
    }

    @Test
    void aggregationRuleNeedsEscalate() {
        io.fabric8.kubernetes.api.model.rbac.ClusterRole c = clusterRole("agg");
        io.fabric8.kubernetes.api.model.LabelSelector s = new io.fabric8.kubernetes.api.model.LabelSelector();
        s.setMatchLabels(Map.of("x", "y"));
        c.setAggregationRule(new io.fabric8.kubernetes.api.model.rbac.AggregationRule(List.of(s)));
        refused(create(CLUSTER_ROLES, "", c, carol), "must have cluster-admin privileges to use the aggregationRule");
    }

    @Test
    void superusersAndUnchangedUpdatesAreNotChecked() {
        allowed(create(CLUSTER_ROLES, "", clusterRole("c", DefaultPolicy.rule(List.of("*"), List.of("*"), "*")),
                UserInfo.apiserver()));
        var r = role("ns1", "r", DefaultPolicy.rule(List.of("get"), "", "nodes"));
        var relabelled = role("ns1", "r", DefaultPolicy.rule(List.of("get"), "", "nodes"));
        relabelled.getMetadata().setLabels(Map.of("a", "b"));
        allowed(new AdmissionAttributes(AdmissionAttributes.Operation.UPDATE, ROLES, null, "ns1", "r", relabelled, r,
                carol, false, null));
    }

    @Test
    void coverageFollowsKubernetes() {
        var star = DefaultPolicy.rule(List.of("*"), List.of("*"), "*");
        var scale = DefaultPolicy.rule(List.of("get"), List.of("apps"), "*/scale");
        assertThat(RuleCoverage.covers(List.of(star), List.of(DefaultPolicy.rule(List.of("get"), "", "pods")))).isTrue();
        assertThat(RuleCoverage.covers(List.of(scale), List.of(DefaultPolicy.rule(List.of("get"), "apps", "deployments/scale")))).isTrue();
        assertThat(RuleCoverage.covers(List.of(scale), List.of(DefaultPolicy.rule(List.of("get"), "apps", "deployments")))).isFalse();
        var named = DefaultPolicy.named(List.of("get"), "", "configmaps", "a");
        assertThat(RuleCoverage.covers(List.of(named), List.of(DefaultPolicy.rule(List.of("get"), "", "configmaps")))).isFalse();
        assertThat(RuleCoverage.covers(List.of(DefaultPolicy.rule(List.of("get"), "", "configmaps")), List.of(named))).isTrue();
        var logs = DefaultPolicy.urls(List.of("get"), "/logs/*");
        assertThat(RuleCoverage.covers(List.of(logs), List.of(DefaultPolicy.urls(List.of("get"), "/logs/a")))).isTrue();
        assertThat(RuleCoverage.covers(List.of(logs), List.of(DefaultPolicy.urls(List.of("get"), "/metrics")))).isFalse();
        assertThat(RuleCoverage.uncovered(List.of(DefaultPolicy.rule(List.of("get"), "", "pods")),
                List.of(DefaultPolicy.rule(List.of("get", "list"), "", "pods")))).hasSize(1);
    }
}
