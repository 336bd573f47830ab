package io.kube4j.apiserver.auth.authz.review;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.kube4j.apiserver.auth.authz.rbac.RbacAuthorizer;
import io.kube4j.apiserver.auth.authz.rbac.RbacIndex;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kube4j.apiserver.auth.authz.rbac.RbacFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/** What SelfSubjectRulesReview lists: the rules of the user's bindings in the namespace, and when it is incomplete. */
class RuleResolverTest {

    final RbacIndex index = defaults();
    final RuleResolver resolver = new RuleResolver(List.of("Node", "RBAC"), new RbacAuthorizer(index, () -> true));

    {
        index.putRoleBinding(roleBinding("ns1", "alice-view", "ClusterRole", "view", user("alice")));
        index.putRoleBinding(roleBinding("ns2", "alice-missing", "Role", "gone", user("alice")));
    }

    @Test
    void aUserSeesItsNamespaceRulesPlusTheClusterWideOnes() {
        UserInfo alice = UserInfo.of("alice", UserInfo.SYSTEM_AUTHENTICATED);
        RuleResolver.Result ns1 = resolver.rulesFor(alice, "ns1");
        assertThat(ns1.incomplete()).isFalse();
        assertThat(resources(ns1.rules())).contains("pods", "deployments", "selfsubjectaccessreviews");
        assertThat(ns1.rules().stream().flatMap(r -> r.getNonResourceURLs().stream())).contains("/api/*", "/healthz");
        RuleResolver.Result other = resolver.rulesFor(alice, "ns3");
        assertThat(resources(other.rules())).doesNotContain("pods").contains("selfsubjectrulesreviews");
        RuleResolver.Result broken = resolver.rulesFor(alice, "ns2");
        assertThat(broken.incomplete()).isTrue();
        assertThat(broken.errors()).containsExactly("role.rbac.authorization.k8s.io \"gone\" not found");
    }

    @Test
    void mastersSeeEverythingAndNodesAreIncomplete() {
        RuleResolver.Result admin = resolver.rulesFor(UserInfo.of("root", UserInfo.SYSTEM_MASTERS), "x");
        assertThat(admin.rules()).anyMatch(r -> r.getResources().contains("*") && r.getVerbs().contains("*"));
        RuleResolver.Result node = resolver.rulesFor(UserInfo.of("system:node:n1", UserInfo.NODES_GROUP), "x");
        assertThat(node.incomplete()).isTrue();
        assertThat(node.errors()).containsExactly("node authorizer does not support user rule resolution");
    }

    static List<String> resources(List<PolicyRule> rules) {
        return rules.stream().flatMap(r -> r.getResources().stream()).toList();
    }
}
