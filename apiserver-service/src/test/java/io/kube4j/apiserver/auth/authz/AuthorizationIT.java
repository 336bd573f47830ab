package io.kube4j.apiserver.auth.authz;

import io.kube4j.apiserver.auth.authz.bootstrap.DefaultPolicy;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Authorization in a real apiserver on real etcd: the default roles are reconciled at start, RBAC and the Node
 * authorizer follow objects written through the API (via the watch cache), and the access reviews answer over
 * HTTP. (The requests themselves are made as the development superuser; the secure ITs are added with the
 * authentication chain.)
 */
class AuthorizationIT {

    static ApiServerInstance api;
    static ApiClient http;
    static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";
    static final String AUTHZ = "/apis/authorization.k8s.io/v1";

    @BeforeAll
    static void start() {
        api = ApiServerInstance.shared();
        http = api.client();
        await().atMost(Duration.ofSeconds(30)).until(() -> http.get(RBAC + "/clusterrolebindings/system:node-proxier").code() == 200);
    }

    @Test
    void defaultRolesAreReconciledWithAggregatedRules() {
        for (String name : DefaultPolicy.clusterRoles().keySet()) {
            assertThat(http.get(RBAC + "/clusterroles/" + name).code()).as(name).isEqualTo(200);
        }
        JsonNode admin = http.get(RBAC + "/clusterroles/admin").json();
        assertThat(admin.path("aggregationRule").path("clusterRoleSelectors").get(0).path("matchLabels")
                .path("rbac.authorization.k8s.io/aggregate-to-admin").asString()).isEqualTo("true");
        assertThat(admin.path("rules").toString()).contains("rolebindings").contains("secrets").contains("pods/log");
        JsonNode edit = http.get(RBAC + "/clusterroles/edit").json();
        assertThat(edit.path("metadata").path("labels").path("rbac.authorization.k8s.io/aggregate-to-admin").asString())
                .isEqualTo("true");
        // nodes may not create namespaces: the apiserver creates the one their Leases live in
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/api/v1/namespaces/kube-node-lease").code() == 200);
        JsonNode binding = http.get(RBAC + "/clusterrolebindings/cluster-admin").json();
        assertThat(binding.path("subjects").get(0).path("name").asString()).isEqualTo(UserInfo.SYSTEM_MASTERS);
    }

    @Test
    void reconciliationKeepsUserAdditionsAndRestoresMissingRules() {
        String view = http.get(RBAC + "/clusterroles/system:public-info-viewer").body();
        // a user narrows the role and adds a subject to its binding; a restart puts the rule back, keeps the subject
        assertThat(http.put(RBAC + "/clusterroles/system:public-info-viewer", view.replace("\"/livez\",", "")).code()).isEqualTo(200);
        JsonNode b = http.get(RBAC + "/clusterrolebindings/system:public-info-viewer").json();
        String withExtra = b.toString().replace("\"subjects\":[", "\"subjects\":[{\"kind\":\"Group\",\"apiGroup\":"
                + "\"rbac.authorization.k8s.io\",\"name\":\"extra-group\"},");
        assertThat(http.put(RBAC + "/clusterrolebindings/system:public-info-viewer", withExtra).code()).isEqualTo(200);
        api.bean(io.kube4j.apiserver.auth.authz.bootstrap.BootstrapRbac.class).reconcile().block(Duration.ofSeconds(30));
        assertThat(http.get(RBAC + "/clusterroles/system:public-info-viewer").body()).contains("/livez");
        assertThat(http.get(RBAC + "/clusterrolebindings/system:public-info-viewer").body())
                .contains("extra-group").contains(UserInfo.SYSTEM_UNAUTHENTICATED);
    }

    @Test
    void rbacFollowsBindingsWrittenThroughTheApi() {
        String ns = "authz-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(http.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}").code()).isEqualTo(201);
        String user = "alice-" + ns;
        assertThat(sar(user, List.of(), "list", "", "pods", ns).path("allowed").asBoolean()).isFalse();
        assertThat(http.post(RBAC + "/namespaces/" + ns + "/rolebindings", """
                {"metadata":{"name":"alice-view"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},
                 "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"%s"}]}""".formatted(user))
                .code()).isEqualTo(201);
        // the authorizer reads bindings from the watch cache: it follows a write a moment later, as Kubernetes' does
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode allowed = sar(user, List.of(), "list", "", "pods", ns);
            assertThat(allowed.path("allowed").asBoolean()).isTrue();
            assertThat(allowed.path("reason").asString()).isEqualTo("RBAC: allowed by RoleBinding \"alice-view/" + ns
                    + "\" of ClusterRole \"view\" to User \"" + user + "\"");
        });
        assertThat(sar(user, List.of(), "create", "", "pods", ns).path("allowed").asBoolean()).isFalse();
        assertThat(sar(user, List.of(), "list", "", "pods", "default").path("allowed").asBoolean()).isFalse();
        // a group's binding, and removal
        assertThat(sar("bob", List.of("team-" + ns), "get", "", "secrets", ns).path("allowed").asBoolean()).isFalse();
        assertThat(http.post(RBAC + "/namespaces/" + ns + "/rolebindings", """
                {"metadata":{"name":"team-edit"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},
                 "subjects":[{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"team-%s"}]}""".formatted(ns))
                .code()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(sar("bob", List.of("team-" + ns), "get", "", "secrets", ns).path("allowed").asBoolean()).isTrue());
        assertThat(http.delete(RBAC + "/namespaces/" + ns + "/rolebindings/alice-view").code()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(sar(user, List.of(), "list", "", "pods", ns).path("allowed").asBoolean()).isFalse());
    }

    @Test
    void theNodeAuthorizerFollowsPodsBoundToTheNode() {
        String ns = "node-" + UUID.randomUUID().toString().substring(0, 8);
        http.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
        List<String> nodeGroups = List.of(UserInfo.NODES_GROUP, UserInfo.SYSTEM_AUTHENTICATED);
        assertThat(sar("system:node:n1", nodeGroups, "get", "", "secrets", ns, "creds").path("allowed").asBoolean()).isFalse();
        assertThat(http.post("/api/v1/namespaces/" + ns + "/pods", """
                {"metadata":{"name":"web"},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"busybox"}],
                 "volumes":[{"name":"s","secret":{"secretName":"creds"}}]}}""").code()).isEqualTo(201);
        // the Node authorizer's graph follows pods through the watch cache, a moment after the write
        await().atMost(Duration.ofSeconds(30)).until(() ->
                sar("system:node:n1", nodeGroups, "get", "", "secrets", ns, "creds").path("allowed").asBoolean());
        assertThat(sar("system:node:n2", List.of(UserInfo.NODES_GROUP), "get", "", "secrets", ns, "creds")
                .path("allowed").asBoolean()).isFalse();
        assertThat(sar("system:node:n1", nodeGroups, "update", "", "pods", ns, "web", "status").path("allowed").asBoolean()).isTrue();
        assertThat(sar("system:node:n2", List.of(UserInfo.NODES_GROUP), "update", "", "pods", ns, "web", "status")
                .path("allowed").asBoolean()).isFalse();
        assertThat(http.delete("/api/v1/namespaces/" + ns + "/pods/web", "{\"gracePeriodSeconds\":0}").code()).isIn(200, 202);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                !sar("system:node:n1", nodeGroups, "get", "", "secrets", ns, "creds").path("allowed").asBoolean());
    }

    @Test
    void aNodeReadsThePersistentVolumeOfAClaimItsPodsUse() {
        String ns = "node-pv-" + UUID.randomUUID().toString().substring(0, 8);
        String pv = "pv-" + ns;
        http.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
        List<String> nodeGroups = List.of(UserInfo.NODES_GROUP, UserInfo.SYSTEM_AUTHENTICATED);
        assertThat(http.post("/api/v1/namespaces/" + ns + "/persistentvolumeclaims", """
                {"metadata":{"name":"data"},"spec":{"volumeName":"PV","accessModes":["ReadWriteOnce"],
                 "resources":{"requests":{"storage":"1Gi"}}}}""".replace("PV", pv)).code()).isEqualTo(201);
        assertThat(sar("system:node:n1", nodeGroups, "get", "", "persistentvolumes", "", pv).path("allowed")
                .asBoolean()).isFalse();
        assertThat(http.post("/api/v1/namespaces/" + ns + "/pods", """
                {"metadata":{"name":"db"},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"busybox"}],
                 "volumes":[{"name":"d","persistentVolumeClaim":{"claimName":"data"}}]}}""").code()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                sar("system:node:n1", nodeGroups, "get", "", "persistentvolumes", "", pv).path("allowed").asBoolean());
        assertThat(sar("system:node:n2", nodeGroups, "get", "", "persistentvolumes", "", pv).path("allowed")
                .asBoolean()).isFalse();
        assertThat(sar("system:node:n1", nodeGroups, "update", "", "persistentvolumes", "", pv).path("allowed")
                .asBoolean()).isFalse();
        // list and watch are open to nodes, read only (the local-path cleanup watches PVs)
        assertThat(sar("system:node:n2", nodeGroups, "watch", "", "persistentvolumes", "").path("allowed")
                .asBoolean()).isTrue();
    }

    @Test
    void reviewsAnswerAsKubernetes() {
        JsonNode self = post(AUTHZ + "/selfsubjectaccessreviews", """
                {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview",
                 "spec":{"resourceAttributes":{"verb":"delete","resource":"nodes"}}}""", 201);
        assertThat(self.path("status").path("allowed").asBoolean()).isTrue(); // the development user is in system:masters
        JsonNode rules = post(AUTHZ + "/selfsubjectrulesreviews", """
                {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{"namespace":"default"}}""", 201);
        assertThat(rules.path("status").path("resourceRules").toString()).contains("\"*\"");
        assertThat(rules.path("status").path("nonResourceRules").toString()).contains("/api/*");
        assertThat(rules.path("status").path("incomplete").asBoolean()).isFalse();
        // a local review in another namespace than its path's is refused; a review without attributes is invalid
        post(AUTHZ + "/namespaces/default/localsubjectaccessreviews", """
                {"spec":{"user":"x","resourceAttributes":{"namespace":"other","verb":"get","resource":"pods"}}}""", 400);
        post(AUTHZ + "/subjectaccessreviews", "{\"spec\":{\"user\":\"x\"}}", 422);
        post(AUTHZ + "/subjectaccessreviews", "{\"spec\":{\"resourceAttributes\":{\"verb\":\"get\"}}}", 422);
        post(AUTHZ + "/subjectaccessreviews", "{\"spec\":", 400);
        assertThat(http.get(AUTHZ + "/subjectaccessreviews").code()).isEqualTo(405);
        JsonNode local = post(AUTHZ + "/namespaces/default/localsubjectaccessreviews", """
                {"spec":{"user":"nobody","resourceAttributes":{"verb":"get","resource":"pods"}}}""", 201);
        assertThat(local.path("status").path("allowed").asBoolean()).isFalse();
        assertThat(local.path("metadata").path("namespace").asString()).isEqualTo("default");
    }

    static JsonNode post(String path, String body, int code) {
        ApiClient.Response r = http.post(path, body);
        assertThat(r.code()).as(r.body()).isEqualTo(code);
        return r.json();
    }

    static JsonNode sar(String user, List<String> groups, String verb, String group, String resource, String ns) {
        return sar(user, groups, verb, group, resource, ns, "", "");
    }

    static JsonNode sar(String user, List<String> groups, String verb, String group, String resource, String ns, String name) {
        return sar(user, groups, verb, group, resource, ns, name, "");
    }

    static JsonNode sar(String user, List<String> groups, String verb, String group, String resource, String ns,
                        String name, String sub) {
        List<String> quoted = new ArrayList<>();
        groups.forEach(g -> quoted.add("\"" + g + "\""));
        String body = """
                {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"%s","groups":[%s],
                 "resourceAttributes":{"verb":"%s","group":"%s","resource":"%s","namespace":"%s","name":"%s","subresource":"%s"}}}"""
                .formatted(user, String.join(",", quoted), verb, group, resource, ns, name, sub);
        return post(AUTHZ + "/subjectaccessreviews", body, 201).path("status");
    }
}
