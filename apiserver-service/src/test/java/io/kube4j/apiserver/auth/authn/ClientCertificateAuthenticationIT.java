package io.kube4j.apiserver.auth.authn;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.apiserver.testsupport.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client certificates and the front proxy over real HTTPS (the shared secure apiserver): certificates of the
 * cluster CA authenticate as CN/O; expired and foreign ones get 401 (the TLS layer lets them through); identity
 * headers count only with the front proxy's certificate; kubectl with certificate and ServiceAccount-token
 * kubeconfigs ({@code auth whoami}, {@code create token}).
 */
class ClientCertificateAuthenticationIT {

    static final String NS = "authn-certs";
    static final String WHOAMI = "/apis/authentication.k8s.io/v1/selfsubjectreviews";

    @TempDir
    static Path dir;
    static ApiServerInstance server;
    static TestPki pki;

    @BeforeAll
    static void start() {
        server = ApiServerInstance.secureShared();
        pki = server.pki();
        // the first requests of a fresh server on a busy machine may time out connecting
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(
                server.client(pki.admin()).post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}").code())
                .isIn(201, 409));
    }

    static ApiClient.Response whoami(TestPki.Credential who, String... headers) {
        ApiClient c = server.client(who);
        HttpRequest.Builder b = HttpRequest.newBuilder(c.uri(WHOAMI))
                .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"SelfSubjectReview\",\"apiVersion\":\"authentication.k8s.io/v1\"}",
                        StandardCharsets.UTF_8))
                .header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return c.send(b, null);
    }

    static JsonNode user(ApiClient.Response r) {
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        return r.json().path("status").path("userInfo");
    }

    static void assertUnauthorized(ApiClient.Response r) {
        assertThat(r.code()).as(r.body()).isEqualTo(401);
        assertThat(r.json().path("reason").asString()).isEqualTo("Unauthorized");
        assertThat(r.json().path("message").asString()).isEqualTo("Unauthorized");
    }

    @Test
    void aClusterCertificateAuthenticatesAsCommonNameAndOrganizations() {
        JsonNode admin = user(whoami(pki.admin()));
        assertThat(admin.path("username").asString()).isEqualTo("kube4j-admin");
        assertThat(admin.path("groups").toString()).isEqualTo("[\"system:masters\",\"system:authenticated\"]");
        assertThat(admin.path("extra").path("authentication.kubernetes.io/credential-id").get(0).asString()).startsWith("X509SHA256=");

        TestPki.Credential alice = pki.clientCert("alice", "dev", "qa");
        JsonNode a = user(whoami(alice));
        assertThat(a.path("username").asString()).isEqualTo("alice");
        assertThat(a.path("groups").toString()).isEqualTo("[\"dev\",\"qa\",\"system:authenticated\"]");
        ApiClient.Response pods = server.client(alice).get("/api/v1/namespaces/" + NS + "/pods");
        assertThat(pods.code()).isEqualTo(403);
        assertThat(pods.json().path("message").asString()).startsWith("pods is forbidden: User \"alice\" cannot list "
                + "resource \"pods\" in API group \"\" in the namespace \"" + NS + "\"");
    }

    @Test
    void expiredAndForeignCertificatesGet401EvenOnAnonymousPaths() {
        for (TestPki.Credential bad : new TestPki.Credential[]{pki.expiredClientCert("kube4j-admin", "system:masters"),
                pki.foreignClientCert("kube4j-admin", "system:masters")}) {
            assertUnauthorized(server.client(bad).get("/api/v1/namespaces"));
            assertUnauthorized(whoami(bad));
            // a bad credential is never downgraded to anonymous (Kubernetes' FailOnError before anonymous)
            assertUnauthorized(server.client(bad).get("/healthz"));
        }
        ApiClient.Response anonymous = server.client(TestPki.Credential.anonymous()).get("/api/v1/namespaces");
        assertUnauthorized(anonymous);
        assertThat(server.client(TestPki.Credential.anonymous()).get("/readyz").code()).isEqualTo(200);
    }

    @Test
    void theFrontProxyAssertsIdentitiesWithItsCertificateOnly() {
        JsonNode bob = user(whoami(pki.frontProxyClient(), "X-Remote-User", "bob", "X-Remote-Group", "dev",
                "X-Remote-Group", "ops", "X-Remote-Extra-Scopes", "read", "X-Remote-Extra-Example.com%2fteam", "blue"));
        assertThat(bob.path("username").asString()).isEqualTo("bob");
        assertThat(bob.path("groups").toString()).isEqualTo("[\"dev\",\"ops\",\"system:authenticated\"]");
        assertThat(bob.path("extra").path("scopes").toString()).isEqualTo("[\"read\"]");
        assertThat(bob.path("extra").path("example.com/team").toString()).isEqualTo("[\"blue\"]");

        // the proxy's certificate without a user header is no user certificate (front-proxy CA, not the cluster's)
        assertUnauthorized(whoami(pki.frontProxyClient()));
        // another CN of the front-proxy CA is not an allowed proxy
        assertUnauthorized(whoami(pki.frontProxyCert("some-other-proxy"), "X-Remote-User", "bob"));
        // with no certificate, or a user's certificate, the headers are not trusted
        assertUnauthorized(whoami(TestPki.Credential.anonymous(), "X-Remote-User", "kube4j-admin",
                "X-Remote-Group", "system:masters"));
        JsonNode carol = user(whoami(pki.clientCert("carol"), "X-Remote-User", "kube4j-admin", "X-Remote-Group", "system:masters"));
        assertThat(carol.path("username").asString()).isEqualTo("carol");
        assertThat(carol.path("groups").toString()).isEqualTo("[\"system:authenticated\"]");
    }

    @Test
    void theFabric8ClientReadsTheGeneratedKubeconfig() throws Exception {
        // a standard Java client library with the kubeconfig as ./kube4j up writes it (CA, client certificate and key
        // files): it must parse the key and pass TLS and authentication without any kube4j-specific setting
        String kubeconfig = java.nio.file.Files.readString(server.kubeconfig(pki.admin()));
        try (io.fabric8.kubernetes.client.KubernetesClient fabric8 = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(kubeconfig)).build()) {
            assertThat(fabric8.namespaces().withName(NS).get()).isNotNull();
        }
    }

    @Test
    void kubectlWithCertificateAndTokenKubeconfigs() throws Exception {
        Path binary = Requirements.requireBinary("kubectl");
        KubectlRunner admin = KubectlRunner.withKubeconfig(binary, server.kubeconfig(pki.admin()), dir.resolve("admin"),
                Duration.ofSeconds(60));
        java.nio.file.Files.createDirectories(dir.resolve("admin"));
        KubectlRunner.Result who = admin.kubectl("auth", "whoami").ok();
        assertThat(who.out()).contains("kube4j-admin").contains("system:masters").contains("system:authenticated");

        admin.kubectl("-n", NS, "create", "serviceaccount", "deployer").ok();
        String token = admin.kubectl("-n", NS, "create", "token", "deployer", "--duration=15m").ok().out().strip();
        assertThat(token.split("\\.")).hasSize(3);

        java.nio.file.Files.createDirectories(dir.resolve("sa"));
        KubectlRunner sa = KubectlRunner.withKubeconfig(binary, server.kubeconfig(TestPki.Credential.token(token)),
                dir.resolve("sa"), Duration.ofSeconds(60));
        KubectlRunner.Result saWho = sa.kubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}").ok();
        assertThat(saWho.out()).isEqualTo("system:serviceaccount:" + NS + ":deployer");
        KubectlRunner.Result denied = sa.kubectl("-n", NS, "get", "secrets");
        assertThat(denied.code()).isNotZero();
        assertThat(denied.err()).contains("Forbidden").contains("system:serviceaccount:" + NS + ":deployer");

        admin.kubectl("-n", NS, "delete", "serviceaccount", "deployer").ok();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            KubectlRunner.Result gone = sa.kubectl("auth", "whoami");
            assertThat(gone.code()).isNotZero();
            assertThat(gone.err()).contains("Unauthorized");
        });
    }
}
