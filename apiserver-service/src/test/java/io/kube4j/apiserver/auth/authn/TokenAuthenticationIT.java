package io.kube4j.apiserver.auth.authn;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.security.authn.ServiceAccountTokens;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bearer-token authentication end to end on a real apiserver (no insecure development mode): the static token
 * file, ServiceAccount tokens from TokenRequest (accepted; bad signature, expired, wrong audience, deleted
 * ServiceAccount refused), TokenReview, SelfSubjectReview, anonymous paths and the 401/403 Status bodies. Plain
 * HTTP: kubectl sends no bearer token over it, so the kubectl cases are in the HTTPS test.
 */
class TokenAuthenticationIT {

    static final String NS = "authn-tokens";
    static final String ADMIN = "admin-token-1";
    static final String ALICE = "alice-token-1";

    @TempDir
    static Path dir;
    static ApiServerInstance server;
    static KeyPair saKey;

    @BeforeAll
    static void start() throws Exception {
        Path tokens = dir.resolve("tokens.csv");
        Files.writeString(tokens, ADMIN + ",kube4j-admin,admin-uid,\"system:masters\"\n" + ALICE + ",alice,alice-uid,\"dev,ops\"\n");
        saKey = ServiceAccountTokens.ephemeralKey();
        Path keyFile = dir.resolve("sa.key");
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(saKey);
        }
        Files.writeString(keyFile, w.toString());
        server = ApiServerInstance.start(EtcdServer.shared().endpoint(),
                "kube4j.apiserver.authentication.insecure-development=false",
                "kube4j.apiserver.authentication.token-file=" + tokens,
                "kube4j.apiserver.authentication.service-account.key-file=" + keyFile,
                "kube4j.apiserver.authentication.service-account.max-token-expiration=2h");
        ApiClient.Response r = call("POST", "/api/v1/namespaces", ADMIN, "{\"metadata\":{\"name\":\"" + NS + "\"}}");
        assertThat(r.code()).as(r.body()).isIn(201, 409);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static ApiClient.Response call(String method, String path, String token, String body) {
        return call(method, path, token, body, new String[0]);
    }

    static ApiClient.Response call(String method, String path, String token, String body, String... headers) {
        ApiClient c = server.client();
        HttpRequest.Builder b = HttpRequest.newBuilder(c.uri(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return c.send(b, null);
    }

    static void assertUnauthorized(ApiClient.Response r) {
        assertThat(r.code()).as(r.body()).isEqualTo(401);
        assertThat(r.json().path("kind").asString()).isEqualTo("Status");
        assertThat(r.json().path("reason").asString()).isEqualTo("Unauthorized");
        assertThat(r.json().path("message").asString()).isEqualTo("Unauthorized");
        assertThat(r.json().path("code").asInt()).isEqualTo(401);
    }

    static JsonNode whoami(String token) {
        ApiClient.Response r = call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", token,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        return r.json().path("status").path("userInfo");
    }

    static String createServiceAccount(String name) {
        ApiClient.Response r = call("POST", "/api/v1/namespaces/" + NS + "/serviceaccounts", ADMIN,
                "{\"metadata\":{\"name\":\"" + name + "\"}}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        return r.json().path("metadata").path("uid").asString();
    }

    static ApiClient.Response tokenRequest(String sa, String spec) {
        return call("POST", "/api/v1/namespaces/" + NS + "/serviceaccounts/" + sa + "/token", ADMIN,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":" + spec + "}");
    }

    @Test
    void anonymousRequestsAreRefusedExceptOnTheAnonymousPaths() {
        assertUnauthorized(call("GET", "/api/v1/namespaces", null, null));
        assertUnauthorized(call("GET", "/api", null, null));
        assertUnauthorized(call("GET", "/actuator/prometheus", null, null));
        for (String p : List.of("/healthz", "/livez", "/readyz", "/version")) {
            assertThat(call("GET", p, null, null).code()).as(p).isEqualTo(200);
        }
        assertThat(call("GET", "/actuator/health", null, null).code()).isEqualTo(200);
    }

    @Test
    void staticTokensAuthenticateAndUnknownTokensAreRefused() {
        JsonNode admin = whoami(ADMIN);
        assertThat(admin.path("username").asString()).isEqualTo("kube4j-admin");
        assertThat(admin.path("uid").asString()).isEqualTo("admin-uid");
        assertThat(admin.path("groups").toString()).isEqualTo("[\"system:masters\",\"system:authenticated\"]");
        assertThat(call("GET", "/api/v1/namespaces", ADMIN, null).code()).isEqualTo(200);
        assertThat(call("GET", "/actuator/prometheus", ADMIN, null).code()).isEqualTo(200);

        assertUnauthorized(call("GET", "/api/v1/namespaces", "not-a-token", null));
        // a bad credential is refused even on an anonymous path
        assertUnauthorized(call("GET", "/healthz", "not-a-token", null));
    }

    @Test
    void aUserWithoutPermissionGetsKubernetesForbiddenStatus() {
        ApiClient.Response r = call("GET", "/api/v1/namespaces/" + NS + "/pods", ALICE, null);
        assertThat(r.code()).as(r.body()).isEqualTo(403);
        assertThat(r.json().path("reason").asString()).isEqualTo("Forbidden");
        assertThat(r.json().path("message").asString()).isEqualTo("pods is forbidden: User \"alice\" cannot list "
                + "resource \"pods\" in API group \"\" in the namespace \"" + NS + "\"");
        assertThat(r.json().path("details").path("kind").asString()).isEqualTo("pods");
        ApiClient.Response named = call("GET", "/apis/apps/v1/namespaces/" + NS + "/deployments/web/scale", ALICE, null);
        assertThat(named.json().path("message").asString()).isEqualTo("deployments.apps \"web\" is forbidden: User \"alice\" "
                + "cannot get resource \"deployments/scale\" in API group \"apps\" in the namespace \"" + NS + "\"");
        ApiClient.Response path = call("GET", "/metrics", ALICE, null);
        assertThat(path.code()).isEqualTo(403);
        assertThat(path.json().path("message").asString()).isEqualTo("forbidden: User \"alice\" cannot get path \"/metrics\"");
        ApiClient.Response nodes = call("DELETE", "/api/v1/nodes", ALICE, null);
        assertThat(nodes.json().path("message").asString()).isEqualTo("nodes is forbidden: User \"alice\" cannot "
                + "deletecollection resource \"nodes\" in API group \"\" at the cluster scope");
        // without RBAC (system:basic-user) only superusers may even ask who they are
        assertThat(call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", ALICE, "{}").code()).isEqualTo(403);
    }

    @Test
    void serviceAccountTokensFromTokenRequestAuthenticate() {
        String uid = createServiceAccount("builder");
        ApiClient.Response r = tokenRequest("builder", "{}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("kind").asString()).isEqualTo("TokenRequest");
        assertThat(r.json().path("spec").path("expirationSeconds").asLong()).isEqualTo(3600);
        assertThat(r.json().path("spec").path("audiences").toString()).isEqualTo("[\"" + ServiceAccountTokens.DEFAULT_ISSUER + "\"]");
        Instant exp = Instant.parse(r.json().path("status").path("expirationTimestamp").asString());
        assertThat(Duration.between(Instant.now(), exp)).isBetween(Duration.ofMinutes(55), Duration.ofMinutes(61));
        String token = r.json().path("status").path("token").asString();

        JsonNode u = reviewAs(token, List.of());
        assertThat(u.path("authenticated").asBoolean()).isTrue();
        assertThat(u.path("user").path("username").asString()).isEqualTo("system:serviceaccount:" + NS + ":builder");
        assertThat(u.path("user").path("uid").asString()).isEqualTo(uid);
        assertThat(u.path("user").path("groups").toString()).isEqualTo("[\"system:serviceaccounts\",\"system:serviceaccounts:"
                + NS + "\",\"system:authenticated\"]");
        // and it is a bearer credential: not a superuser, so the default authorizer says 403, not 401
        assertThat(call("GET", "/api/v1/namespaces", token, null).code()).isEqualTo(403);

        // longer than the maximum is shortened; shorter than 10 minutes is invalid
        assertThat(tokenRequest("builder", "{\"expirationSeconds\":86400}").json().path("spec").path("expirationSeconds").asLong())
                .isEqualTo(7200);
        ApiClient.Response tooShort = tokenRequest("builder", "{\"expirationSeconds\":60}");
        assertThat(tooShort.code()).isEqualTo(422);
        assertThat(tooShort.json().path("message").asString()).isEqualTo("TokenRequest.authentication.k8s.io \"builder\" is invalid: "
                + "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes");
        assertThat(tokenRequest("ghost", "{}").code()).isEqualTo(404);
        ApiClient.Response noPod = tokenRequest("builder", "{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"nope\"}}");
        assertThat(noPod.code()).as(noPod.body()).isEqualTo(404);
        ApiClient.Response badKind = tokenRequest("builder", "{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"x\"}}");
        assertThat(badKind.code()).isEqualTo(400);
        assertThat(badKind.json().path("message").asString()).isEqualTo("cannot bind token to object of type /v1, Kind=ConfigMap");
    }

    @Test
    void aTokenBoundToASecretDiesWithTheSecret() {
        createServiceAccount("bound");
        ApiClient.Response s = call("POST", "/api/v1/namespaces/" + NS + "/secrets", ADMIN, "{\"metadata\":{\"name\":\"bound-s\"}}");
        assertThat(s.code()).isEqualTo(201);
        String token = tokenRequest("bound", "{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"name\":\"bound-s\"}}")
                .json().path("status").path("token").asString();
        assertThat(reviewAs(token, List.of()).path("authenticated").asBoolean()).isTrue();
        assertThat(call("DELETE", "/api/v1/namespaces/" + NS + "/secrets/bound-s", ADMIN, null).code()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertUnauthorized(call("GET", "/api", token, null)));
    }

    @Test
    void deletedServiceAccountBadSignatureExpiredAndWrongAudienceAreRefused() {
        String uid = createServiceAccount("doomed");
        String good = tokenRequest("doomed", "{}").json().path("status").path("token").asString();
        assertThat(call("GET", "/api", good, null).code()).isEqualTo(403); // authenticated, not authorized

        // signed by another key
        ServiceAccountTokens.Ref ref = new ServiceAccountTokens.Ref("doomed", uid);
        String forged = new ServiceAccountTokens(ServiceAccountTokens.ephemeralKey(), List.of(), ServiceAccountTokens.DEFAULT_ISSUER,
                List.of(), (k, n, m) -> reactor.core.publisher.Mono.empty(), Clock.systemUTC())
                .issue(NS, ref, List.of(), Duration.ofHours(1), null, null, null).token();
        assertUnauthorized(call("GET", "/api", forged, null));
        // signed by the right key, expired two hours ago
        String expired = new ServiceAccountTokens(saKey, List.of(), ServiceAccountTokens.DEFAULT_ISSUER, List.of(),
                (k, n, m) -> reactor.core.publisher.Mono.empty(), Clock.fixed(Instant.now().minus(Duration.ofHours(3)), ZoneOffset.UTC))
                .issue(NS, ref, List.of(), Duration.ofHours(1), null, null, null).token();
        assertUnauthorized(call("GET", "/api", expired, null));
        // for another audience
        String vault = tokenRequest("doomed", "{\"audiences\":[\"vault\"]}").json().path("status").path("token").asString();
        assertUnauthorized(call("GET", "/api", vault, null));
        JsonNode review = reviewAs(vault, List.of("vault"));
        assertThat(review.path("authenticated").asBoolean()).isTrue();
        assertThat(review.path("audiences").toString()).isEqualTo("[\"vault\"]");
        assertThat(reviewAs(vault, List.of()).path("error").asString()).contains("is invalid for the target audiences");

        assertThat(call("DELETE", "/api/v1/namespaces/" + NS + "/serviceaccounts/doomed", ADMIN, null).code()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertUnauthorized(call("GET", "/api", good, null)));
        assertThat(reviewAs(good, List.of()).path("error").asString()).contains("service account " + NS + "/doomed has been deleted");
        // recreated with the same name: a new uid, the old token stays dead
        createServiceAccount("doomed");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertUnauthorized(call("GET", "/api", good, null)));
    }

    @Test
    void tokenReviewNeedsAToken() {
        ApiClient.Response r = call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", ADMIN, "{\"spec\":{}}");
        assertThat(r.code()).isEqualTo(400);
        assertThat(r.json().path("message").asString()).isEqualTo("token is required for TokenReview in authentication");
        JsonNode unknown = reviewAs("garbage", List.of());
        assertThat(unknown.path("authenticated").asBoolean()).isFalse();
        JsonNode alice = reviewAs(ALICE, List.of());
        assertThat(alice.path("user").path("username").asString()).isEqualTo("alice");
        assertThat(alice.path("user").path("groups").toString()).isEqualTo("[\"dev\",\"ops\",\"system:authenticated\"]");
    }

    @Test
    void identityHeadersWithoutTheFrontProxyCertificateAreNeverTrusted() {
        assertUnauthorized(call("GET", "/api/v1/namespaces", null, null, "X-Remote-User", "kube4j-admin",
                "X-Remote-Group", "system:masters"));
        // with a credential they are ignored: alice stays alice
        JsonNode u = whoamiWithHeaders();
        assertThat(u.path("username").asString()).isEqualTo("kube4j-admin");
        assertThat(call("GET", "/api/v1/namespaces", ALICE, null, "X-Remote-User", "kube4j-admin",
                "X-Remote-Group", "system:masters").code()).isEqualTo(403);
    }

    private static JsonNode whoamiWithHeaders() {
        ApiClient.Response r = call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", ADMIN, "{}",
                "X-Remote-User", "mallory", "X-Remote-Group", "evil");
        assertThat(r.code()).isEqualTo(201);
        assertThat(r.json().path("status").path("userInfo").path("groups").toString()).doesNotContain("evil");
        return r.json().path("status").path("userInfo");
    }

    static JsonNode reviewAs(String token, List<String> audiences) {
        String aud = audiences.stream().map(a -> "\"" + a + "\"").toList().toString().replace(", ", ",");
        ApiClient.Response r = call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", ADMIN,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token
                        + "\",\"audiences\":" + aud + "}}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        return r.json().path("status");
    }
}
