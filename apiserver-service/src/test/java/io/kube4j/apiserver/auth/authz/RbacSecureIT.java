package io.kube4j.apiserver.auth.authz;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.apiserver.testsupport.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The RBAC matrix over real HTTPS with client-certificate users on a secure apiserver (real etcd): namespaced
 * view/edit/admin users, escalation refused, a node limited to its own objects, impersonation, and real
 * {@code kubectl auth can-i} (also {@code --as} and {@code --list}) giving the same answers.
 */
class RbacSecureIT {

    static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";
    static ApiServerInstance api;
    static TestPki pki;
    static ApiClient admin;
    static String ns;
    static TestPki.Credential alice;
    static TestPki.Credential bob;
    static TestPki.Credential carol;

    @BeforeAll
    static void setUp() {
        api = ApiServerInstance.secureShared();
        pki = api.pki();
        admin = api.client(pki.admin());
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.get(RBAC + "/clusterrolebindings/system:node-proxier").code() == 200);
        ns = "rbac-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(admin.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}").code()).isEqualTo(201);
        // no serviceaccount controller runs here: the ServiceAccount admission plugin needs "default" to exist
        assertThat(admin.post("/api/v1/namespaces/" + ns + "/serviceaccounts", "{\"metadata\":{\"name\":\"default\"}}")
                .code()).isEqualTo(201);
        alice = pki.clientCert("alice-" + ns);
        bob = pki.clientCert("bob-" + ns, "devs-" + ns);
        carol = pki.clientCert("carol-" + ns);
        bind("alice-view", "view", "User", alice.name());
        bind("devs-edit", "edit", "Group", "devs-" + ns);
        bind("carol-admin", "admin", "User", carol.name());
    }

    static void bind(String name, String role, String kind, String subject) {
        ApiClient.Response r = admin.post(RBAC + "/namespaces/" + ns + "/rolebindings", """
                {"metadata":{"name":"%s"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"%s"},
                 "subjects":[{"kind":"%s","apiGroup":"rbac.authorization.k8s.io","name":"%s"}]}""".formatted(name, role, kind, subject));
        assertThat(r.code()).as(r.body()).isEqualTo(201);
    }

    static String pods() {
        return "/api/v1/namespaces/" + ns + "/pods";
    }

    static String pod(String name) {
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
    }

    @Test
    void viewerReadsButCannotWrite() {
        ApiClient a = api.client(alice);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.get(pods()).code() == 200);
        ApiClient.Response denied = a.post(pods(), pod("x"));
        assertThat(denied.code()).isEqualTo(403);
        assertThat(denied.json().path("reason").asString()).isEqualTo("Forbidden");
        assertThat(denied.json().path("message").asString()).isEqualTo("pods is forbidden: User \"" + alice.name()
                + "\" cannot create resource \"pods\" in API group \"\" in the namespace \"" + ns + "\"");
        assertThat(a.get("/api/v1/namespaces/" + ns + "/secrets").code()).isEqualTo(403);
        assertThat(a.get("/api/v1/namespaces/default/pods").code()).isEqualTo(403);
        assertThat(a.get("/api/v1/nodes").code()).isEqualTo(403);
        assertThat(a.get("/apis/apps/v1").code()).isEqualTo(200); // system:discovery
    }

    @Test
    void editorsWriteButNotRbac() {
        ApiClient b = api.client(bob);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.get(pods()).code() == 200);
        assertThat(b.post("/api/v1/namespaces/" + ns + "/configmaps", "{\"metadata\":{\"name\":\"cm\"}}").code()).isEqualTo(201);
        assertThat(b.get("/api/v1/namespaces/" + ns + "/configmaps/cm").code()).isEqualTo(200);
        assertThat(b.delete("/api/v1/namespaces/" + ns + "/configmaps/cm").code()).isEqualTo(200);
        assertThat(b.get(RBAC + "/namespaces/" + ns + "/rolebindings").code()).isEqualTo(403);
    }

    @Test
    void adminsBindWhatTheyHoldButCannotEscalate() {
        ApiClient c = api.client(carol);
        await().atMost(Duration.ofSeconds(10)).until(() -> c.get(RBAC + "/namespaces/" + ns + "/rolebindings").code() == 200);
        ApiClient.Response ok = c.post(RBAC + "/namespaces/" + ns + "/rolebindings", """
                {"metadata":{"name":"dan-view"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},
                 "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"dan"}]}""");
        assertThat(ok.code()).as(ok.body()).isEqualTo(201);
        ApiClient.Response escalate = c.post(RBAC + "/namespaces/" + ns + "/rolebindings", """
                {"metadata":{"name":"me-root"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},
                 "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"%s"}]}""".formatted(carol.name()));
        assertThat(escalate.code()).as(escalate.body()).isEqualTo(403);
        assertThat(escalate.json().path("message").asString())
                .startsWith("rolebindings.rbac.authorization.k8s.io \"me-root\" is forbidden: user \"" + carol.name() + "\"")
                .contains("is attempting to grant RBAC permissions not currently held");
        ApiClient.Response role = c.post(RBAC + "/namespaces/" + ns + "/roles", """
                {"metadata":{"name":"nodes"},"rules":[{"apiGroups":[""],"resources":["nodes"],"verbs":["get"]}]}""");
        assertThat(role.code()).as(role.body()).isEqualTo(403);
        ApiClient.Response held = c.post(RBAC + "/namespaces/" + ns + "/roles", """
                {"metadata":{"name":"pods"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list"]}]}""");
        assertThat(held.code()).as(held.body()).isEqualTo(201);
        assertThat(c.get("/api/v1/nodes").code()).isEqualTo(403);
    }

    @Test
    void aNodeWritesOnlyItsOwnObjects() {
        String n1 = "n1-" + ns;
        ApiClient node = api.client(pki.clientCert("system:node:" + n1, "system:nodes"));
        assertThat(admin.post("/api/v1/nodes", "{\"metadata\":{\"name\":\"" + n1 + "\"}}").code()).isEqualTo(201);
        assertThat(admin.post("/api/v1/nodes", "{\"metadata\":{\"name\":\"other-" + ns + "\"}}").code()).isEqualTo(201);
        assertThat(admin.post(pods(), pod("elsewhere")).code()).isEqualTo(201);
        assertThat(node.get("/api/v1/nodes/" + n1).code()).isEqualTo(200);
        assertThat(node.mergePatch("/api/v1/nodes/" + n1, "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}").code()).isEqualTo(200);
        ApiClient.Response other = node.mergePatch("/api/v1/nodes/other-" + ns, "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
        assertThat(other.code()).isEqualTo(403);
        assertThat(other.json().path("message").asString()).contains("cannot patch resource \"nodes\"");
        assertThat(node.mergePatch(pods() + "/elsewhere/status", "{\"status\":{\"phase\":\"Failed\"}}").code()).isEqualTo(403);
        assertThat(node.get("/api/v1/namespaces/" + ns + "/secrets").code()).isEqualTo(403);
    }

    @Test
    void impersonationNeedsTheVerbAndActsAsTheTarget() {
        ApiClient a = api.client(alice);
        HttpRequest.Builder asAlice = HttpRequest.newBuilder(admin.uri(pods())).GET().header("Impersonate-User", alice.name());
        assertThat(admin.send(asAlice, null).code()).isEqualTo(200);
        HttpRequest.Builder createAsAlice = HttpRequest.newBuilder(admin.uri(pods()))
                .POST(HttpRequest.BodyPublishers.ofString(pod("y"))).header("Content-Type", "application/json")
                .header("Impersonate-User", alice.name());
        assertThat(admin.send(createAsAlice, null).code()).isEqualTo(403);
        ApiClient.Response r = a.send(HttpRequest.newBuilder(a.uri(pods())).GET().header("Impersonate-User", "someone"), null);
        assertThat(r.code()).isEqualTo(403);
        assertThat(r.json().path("message").asString()).isEqualTo("users \"someone\" is forbidden: User \"" + alice.name()
                + "\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope");
    }

    @Test
    void kubectlAuthCanIAnswersTheSame(@TempDir Path dir) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir.resolve("a"));
        java.nio.file.Files.createDirectories(dir.resolve("b"));
        Path binary = Requirements.requireBinary("kubectl");
        KubectlRunner asAlice = KubectlRunner.withKubeconfig(binary, api.kubeconfig(alice), dir.resolve("a"), Duration.ofSeconds(60));
        KubectlRunner asAdmin = KubectlRunner.withKubeconfig(binary, api.kubeconfig(pki.admin()), dir.resolve("b"), Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(10)).until(() -> asAlice.kubectl("auth", "can-i", "list", "pods", "-n", ns).code() == 0);
        assertThat(asAlice.kubectl("auth", "can-i", "list", "pods", "-n", ns).out().trim()).isEqualTo("yes");
        KubectlRunner.Result no = asAlice.kubectl("auth", "can-i", "create", "pods", "-n", ns);
        assertThat(no.code()).isEqualTo(1);
        assertThat(no.out().trim()).isEqualTo("no");
        assertThat(asAlice.kubectl("auth", "can-i", "get", "secrets", "-n", ns).out().trim()).isEqualTo("no");
        assertThat(asAdmin.kubectl("auth", "can-i", "list", "pods", "-n", ns, "--as", alice.name()).out().trim()).isEqualTo("yes");
        assertThat(asAdmin.kubectl("auth", "can-i", "delete", "pods", "-n", ns, "--as", alice.name()).out().trim()).isEqualTo("no");
        assertThat(asAdmin.kubectl("auth", "can-i", "create", "deployments.apps", "-n", ns, "--as", "bob",
                "--as-group", "devs-" + ns).out().trim()).isEqualTo("yes");
        assertThat(asAdmin.kubectl("auth", "can-i", "*", "*").out().trim()).isEqualTo("yes");
        KubectlRunner.Result list = asAlice.kubectl("auth", "can-i", "--list", "-n", ns).ok();
        assertThat(list.out()).contains("pods").contains("deployments.apps").contains("selfsubjectaccessreviews.authorization.k8s.io")
                .doesNotContain("secrets ");
    }
}
