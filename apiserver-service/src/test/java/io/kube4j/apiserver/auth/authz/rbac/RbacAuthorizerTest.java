package io.kube4j.apiserver.auth.authz.rbac;

import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.apiserver.auth.authz.Decision;
import io.kube4j.apiserver.auth.authz.bootstrap.DefaultPolicy;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.kube4j.apiserver.auth.authz.rbac.RbacFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The RBAC matrix: users with view/edit/admin/namespaced roles × verbs × resources → exactly the expected answer. */
class RbacAuthorizerTest {

    static final RbacIndex INDEX = defaults();

    static {
        INDEX.putRoleBinding(roleBinding("ns1", "alice-view", "ClusterRole", "view", user("alice")));
        INDEX.putRoleBinding(roleBinding("ns1", "bob-edit", "ClusterRole", "edit", user("bob")));
        INDEX.putRoleBinding(roleBinding("ns1", "carol-admin", "ClusterRole", "admin", user("carol")));
        INDEX.putRole(role("ns2", "pod-reader", DefaultPolicy.rule(List.of("get", "list"), "", "pods", "pods/log")));
        INDEX.putRole(role("ns2", "one-config", DefaultPolicy.named(List.of("get", "update"), "", "configmaps", "cm1")));
        INDEX.putRoleBinding(roleBinding("ns2", "dave-pods", "Role", "pod-reader", user("dave")));
        INDEX.putRoleBinding(roleBinding("ns2", "dave-cm", "Role", "one-config", user("dave")));
        INDEX.putClusterRoleBinding(clusterRoleBinding("ops-view", "view", group("ops")));
        INDEX.putRoleBinding(roleBinding("ns1", "builder-edit", "ClusterRole", "edit", serviceAccount(null, "builder")));
        INDEX.putClusterRole(clusterRole("scaler", DefaultPolicy.rule(List.of("get", "update"), List.of("*"), "*/scale"),
                DefaultPolicy.urls(List.of("get"), "/logs/*")));
        INDEX.putClusterRoleBinding(clusterRoleBinding("erin-scaler", "scaler", user("erin")));
        INDEX.putRoleBinding(roleBinding("ns3", "frank-missing", "Role", "does-not-exist", user("frank")));
    }

    static final RbacAuthorizer RBAC = new RbacAuthorizer(INDEX, () -> true);

    static UserInfo u(String name, String... groups) {
        List<String> g = new java.util.ArrayList<>(List.of(groups));
        g.add(UserInfo.SYSTEM_AUTHENTICATED);
        return new UserInfo(name, "", g, java.util.Map.of());
    }

    static Arguments c(UserInfo user, String verb, String group, String resource, String sub, String ns, String name,
                       boolean allowed) {
        return Arguments.of(user.name(), AuthorizationAttributes.resource(user, verb, group, "v1", resource, sub, ns, name),
                allowed);
    }

    static Stream<Arguments> matrix() {
        UserInfo alice = u("alice");
        UserInfo bob = u("bob");
        UserInfo carol = u("carol");
        UserInfo dave = u("dave");
        UserInfo olga = u("olga", "ops");
        UserInfo builder = new UserInfo("system:serviceaccount:ns1:builder", "",
                List.of("system:serviceaccounts", "system:serviceaccounts:ns1", UserInfo.SYSTEM_AUTHENTICATED), java.util.Map.of());
        UserInfo erin = u("erin");
        UserInfo nobody = u("nobody");
        return Stream.of(
                // view in ns1: reads, no writes, no secrets, nothing elsewhere
                c(alice, "get", "", "pods", "", "ns1", "p", true),
                c(alice, "list", "", "pods", "", "ns1", "", true),
                c(alice, "watch", "apps", "deployments", "", "ns1", "", true),
                c(alice, "get", "", "pods", "log", "ns1", "p", true),
                c(alice, "create", "", "pods", "", "ns1", "", false),
                c(alice, "delete", "", "pods", "", "ns1", "p", false),
                c(alice, "get", "", "secrets", "", "ns1", "s", false),
                c(alice, "get", "", "pods", "", "ns2", "p", false),
                c(alice, "list", "", "pods", "", "", "", false),
                c(alice, "create", "", "pods", "exec", "ns1", "p", false),
                c(alice, "list", "rbac.authorization.k8s.io", "roles", "", "ns1", "", false),
                // edit in ns1: writes and secrets, no RBAC
                c(bob, "create", "", "pods", "", "ns1", "", true),
                c(bob, "deletecollection", "", "pods", "", "ns1", "", true),
                c(bob, "get", "", "secrets", "", "ns1", "s", true),
                c(bob, "create", "", "pods", "exec", "ns1", "p", true),
                c(bob, "update", "apps", "deployments", "scale", "ns1", "d", true),
                c(bob, "patch", "apps", "deployments", "", "ns1", "d", true),
                c(bob, "create", "rbac.authorization.k8s.io", "rolebindings", "", "ns1", "", false),
                c(bob, "create", "", "pods", "", "ns2", "", false),
                c(bob, "impersonate", "", "serviceaccounts", "", "ns1", "default", true),
                c(bob, "create", "", "namespaces", "", "", "", false),
                // admin in ns1: RBAC in the namespace, nothing cluster-wide
                c(carol, "create", "rbac.authorization.k8s.io", "rolebindings", "", "ns1", "", true),
                c(carol, "delete", "rbac.authorization.k8s.io", "roles", "", "ns1", "r", true),
                c(carol, "create", "authorization.k8s.io", "localsubjectaccessreviews", "", "ns1", "", true),
                c(carol, "delete", "", "pods", "", "ns1", "p", true),
                c(carol, "create", "rbac.authorization.k8s.io", "clusterroles", "", "", "", false),
                c(carol, "list", "", "nodes", "", "", "", false),
                // namespaced Role with subresource and resourceNames
                c(dave, "get", "", "pods", "", "ns2", "p", true),
                c(dave, "list", "", "pods", "", "ns2", "", true),
                c(dave, "watch", "", "pods", "", "ns2", "", false),
                c(dave, "get", "", "pods", "log", "ns2", "p", true),
                c(dave, "get", "", "pods", "status", "ns2", "p", false),
                c(dave, "get", "", "configmaps", "", "ns2", "cm1", true),
                c(dave, "update", "", "configmaps", "", "ns2", "cm1", true),
                c(dave, "get", "", "configmaps", "", "ns2", "cm2", false),
                c(dave, "list", "", "configmaps", "", "ns2", "", false),
                c(dave, "delete", "", "configmaps", "", "ns2", "cm1", false),
                c(dave, "get", "", "pods", "", "ns1", "p", false),
                // a group bound cluster-wide
                c(olga, "list", "", "pods", "", "", "", true),
                c(olga, "get", "apps", "deployments", "", "ns9", "d", true),
                c(olga, "update", "apps", "deployments", "", "ns9", "d", false),
                // a ServiceAccount subject (namespace from the binding)
                c(builder, "create", "apps", "deployments", "", "ns1", "", true),
                c(builder, "create", "apps", "deployments", "", "ns2", "", false),
                // */scale matches every resource's scale, not the resource itself
                c(erin, "update", "apps", "deployments", "scale", "ns5", "d", true),
                c(erin, "get", "apps", "statefulsets", "scale", "ns5", "s", true),
                c(erin, "get", "apps", "deployments", "", "ns5", "d", false),
                c(erin, "get", "apps", "deployments", "status", "ns5", "d", false),
                // self reviews for every authenticated user; nothing else
                c(nobody, "create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", "", true),
                c(nobody, "create", "authorization.k8s.io", "selfsubjectrulesreviews", "", "", "", true),
                c(nobody, "get", "", "pods", "", "ns1", "p", false),
                c(nobody, "get", "", "namespaces", "", "ns1", "ns1", false));
    }

    @ParameterizedTest(name = "{1} → {2}")
    @MethodSource("matrix")
    void matrix(String user, AuthorizationAttributes a, boolean allowed) {
        Decision d = RBAC.decide(a);
        assertThat(d.allowed()).as(d.reason()).isEqualTo(allowed);
        assertThat(d.kind()).isIn(Decision.Kind.ALLOW, Decision.Kind.NO_OPINION); // RBAC never denies
    }

    @Test
    void nonResourceUrls() {
        UserInfo erin = u("erin");
        UserInfo anon = UserInfo.anonymous();
        assertThat(RBAC.decide(AuthorizationAttributes.nonResource(erin, "get", "/logs/kubelet.log")).allowed()).isTrue();
        assertThat(RBAC.decide(AuthorizationAttributes.nonResource(erin, "post", "/logs/x")).allowed()).isFalse();
        assertThat(RBAC.decide(AuthorizationAttributes.nonResource(erin, "get", "/logsx")).allowed()).isFalse();
        assertThat(RBAC.decide(AuthorizationAttributes.nonResource(erin, "get", "/apis/apps/v1")).allowed()).isTrue();
        assertThat(RBAC.decide(AuthorizationAttributes.nonResource(anon, "get", "/healthz")).allowed()).isTrue();
        assertThat(RBAC.decide(AuthorizationAttributes.nonResource(anon, "get", "/api")).allowed()).isFalse();
        assertThat(RBAC.decide(AuthorizationAttributes.nonResource(u("m", "system:monitoring"), "get",
                "/actuator/prometheus")).allowed()).isTrue();
    }

    @Test
    void reasonsNameTheBindingAsKubernetesDoes() {
        assertThat(RBAC.decide(AuthorizationAttributes.resource(u("alice"), "get", "", "v1", "pods", "", "ns1", "p"))
                .reason()).isEqualTo("RBAC: allowed by RoleBinding \"alice-view/ns1\" of ClusterRole \"view\" to User \"alice\"");
        assertThat(RBAC.decide(AuthorizationAttributes.resource(u("olga", "ops"), "list", "", "v1", "pods", "", "", ""))
                .reason()).isEqualTo("RBAC: allowed by ClusterRoleBinding \"ops-view\" of ClusterRole \"view\" to Group \"ops\"");
        UserInfo builder = UserInfo.of("system:serviceaccount:ns1:builder");
        assertThat(RBAC.decide(AuthorizationAttributes.resource(builder, "create", "", "v1", "pods", "", "ns1", ""))
                .reason()).isEqualTo("RBAC: allowed by RoleBinding \"builder-edit/ns1\" of ClusterRole \"edit\" to "
                + "ServiceAccount \"ns1/builder\"");
        assertThat(RBAC.decide(AuthorizationAttributes.resource(u("frank"), "get", "", "v1", "pods", "", "ns3", "p"))
                .reason()).contains("role.rbac.authorization.k8s.io \"does-not-exist\" not found");
    }

    @Test
    void bindingChangesApplyAndRemovalsForget() {
        RbacIndex i = defaults();
        RbacAuthorizer r = new RbacAuthorizer(i, () -> true);
        AuthorizationAttributes a = AuthorizationAttributes.resource(u("zed"), "get", "", "v1", "pods", "", "n", "p");
        assertThat(r.decide(a).allowed()).isFalse();
        i.putRoleBinding(roleBinding("n", "b", "ClusterRole", "view", user("zed")));
        assertThat(r.decide(a).allowed()).isTrue();
        // the same binding now names someone else: zed loses it
        i.putRoleBinding(roleBinding("n", "b", "ClusterRole", "view", user("yan")));
        assertThat(r.decide(a).allowed()).isFalse();
        i.putRoleBinding(roleBinding("n", "b", "ClusterRole", "view", user("zed")));
        i.removeRoleBinding("n", "b");
        assertThat(r.decide(a).allowed()).isFalse();
        // a role's rules change in place
        i.putRole(role("n", "r", DefaultPolicy.rule(List.of("get"), "", "pods")));
        i.putRoleBinding(roleBinding("n", "b2", "Role", "r", user("zed")));
        assertThat(r.decide(a).allowed()).isTrue();
        i.putRole(role("n", "r", DefaultPolicy.rule(List.of("list"), "", "pods")));
        assertThat(r.decide(a).allowed()).isFalse();
        i.removeRole("n", "r");
        assertThat(r.decide(a).allowed()).isFalse();
    }

    @Test
    void waitsForTheIndexThenAnswers() {
        java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
        RbacAuthorizer r = new RbacAuthorizer(INDEX, ready::get);
        AuthorizationAttributes a = AuthorizationAttributes.resource(u("alice"), "get", "", "v1", "pods", "", "ns1", "p");
        reactor.test.StepVerifier.create(r.authorize(a))
                .then(() -> ready.set(true))
                .assertNext(d -> assertThat(d.allowed()).isTrue())
                .verifyComplete();
    }
}
