package io.kube4j.gateway.ratelimit;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Request-rate limits per user through a real gateway in front of a real apiserver: a slow default (one token a
 * minute, burst 3) so that the limit is reached in a few requests and cannot refill during the test, a generous
 * group rule and a stricter user rule.
 */
class UserRateLimitIT {

    static GatewayInstance gateway;
    static TestPki pki;

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        pki = apiserver.pki();
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()),
                "kube4j.gateway.rate-limit.qps=0.0166667", // one token a minute: none comes back during a test
                "kube4j.gateway.rate-limit.burst=3",
                "kube4j.gateway.rate-limit.rules[0].group=rl-fast",
                "kube4j.gateway.rate-limit.rules[0].qps=100",
                "kube4j.gateway.rate-limit.rules[0].burst=100",
                "kube4j.gateway.rate-limit.rules[1].user=rl-slowpoke",
                "kube4j.gateway.rate-limit.rules[1].burst=1");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void aUserOverTheLimitGets429WhileAnotherUserIsServed() {
        ApiClient alice = gateway.client(pki.clientCert("rl-alice"));
        ApiClient bob = gateway.client(pki.clientCert("rl-bob"));
        double before = rateLimited("user");
        for (int i = 0; i < 3; i++) {
            assertThat(alice.get("/version").code()).as("alice's request %d of her burst", i).isEqualTo(200);
        }
        ApiClient.Response refused = alice.get("/version");
        assertThat(refused.code()).as(refused.body()).isEqualTo(429);
        assertThat(refused.json().at("/kind").asText()).isEqualTo("Status");
        assertThat(refused.json().at("/reason").asText()).isEqualTo("TooManyRequests");
        assertThat(refused.json().at("/code").asInt()).isEqualTo(429);
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, 60L);
        assertThat(refused.json().at("/details/retryAfterSeconds").asLong()).isEqualTo(retryAfter);

        // the same moment, another user has his own bucket
        for (int i = 0; i < 3; i++) {
            ApiClient.Response r = bob.get("/version");
            assertThat(r.code()).as("bob's request %d: %s", i, r.body()).isEqualTo(200);
        }
        assertThat(alice.get("/version").code()).as("alice still throttled").isEqualTo(429);
        assertThat(rateLimited("user") - before).isEqualTo(2.0);
    }

    @Test
    void aGroupRuleGivesItsMembersMore() {
        ApiClient carol = gateway.client(pki.clientCert("rl-carol", "rl-fast"));
        for (int i = 0; i < 20; i++) {
            ApiClient.Response r = carol.get("/version");
            assertThat(r.code()).as("request %d: %s", i, r.body()).isEqualTo(200);
        }
    }

    @Test
    void aUserRuleWinsOverTheUsersGroups() {
        ApiClient slowpoke = gateway.client(pki.clientCert("rl-slowpoke", "rl-fast"));
        assertThat(slowpoke.get("/version").code()).isEqualTo(200);
        assertThat(slowpoke.get("/version").code()).isEqualTo(429);
    }

    @Test
    void systemMastersAreExempt() {
        ApiClient admin = gateway.client(pki.admin());
        for (int i = 0; i < 20; i++) {
            assertThat(admin.get("/api/v1/namespaces").code()).as("request %d", i).isEqualTo(200);
        }
    }

    @Test
    void anonymousRequestsShareOneBucketPerClientAddress() {
        ApiClient anonymous = gateway.client(TestPki.Credential.anonymous());
        ApiClient anonymousAgain = gateway.client(TestPki.Credential.anonymous()); // another connection
        assertThat(anonymous.get("/version").code()).isEqualTo(200);
        assertThat(anonymousAgain.get("/version").code()).isEqualTo(200);
        assertThat(anonymous.get("/version").code()).isEqualTo(200);
        ApiClient.Response refused = anonymousAgain.get("/version");
        assertThat(refused.code()).as(refused.body()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isNotNull();
    }

    @Test
    void aWatchTakesOneTokenAtItsStartAndKeepsStreamingWhenItsUserIsThrottled() throws Exception {
        ApiClient admin = gateway.client(pki.admin());
        String binding = """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding",
                 "metadata":{"name":"rl-watcher-view"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},
                 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"rl-watcher"}]}""";
        assertThat(admin.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", binding).code())
                .isIn(201, 409);
        String review = """
                {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"rl-watcher",
                 "resourceAttributes":{"verb":"watch","resource":"namespaces"}}}""";
        // RBAC follows the binding through the watch cache; asked as the (exempt) admin, not spending the watcher's
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.post(
                "/apis/authorization.k8s.io/v1/subjectaccessreviews", review).json().at("/status/allowed").asBoolean());

        HttpClient http = ApiClient.httpClient(pki.sslContext(pki.clientCert("rl-watcher")));
        HttpResponse<InputStream> watch = http.send(HttpRequest.newBuilder(
                URI.create(gateway.url() + "/api/v1/namespaces?watch=true&timeoutSeconds=60")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(watch.statusCode()).isEqualTo(200); // token 1 of 3
        try (BufferedReader events = new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
            ApiClient watcher = gateway.client(pki.clientCert("rl-watcher"));
            assertThat(watcher.get("/api/v1/namespaces").code()).isEqualTo(200); // token 2
            assertThat(watcher.get("/api/v1/namespaces").code()).isEqualTo(200); // token 3
            assertThat(watcher.get("/api/v1/namespaces").code()).isEqualTo(429);

            String name = "rl-watch-" + Long.toHexString(System.nanoTime());
            assertThat(admin.post("/api/v1/namespaces",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}")
                    .code()).isEqualTo(201);
            String line;
            boolean seen = false;
            while (!seen && (line = events.readLine()) != null) {
                seen = line.contains("\"ADDED\"") && line.contains("\"" + name + "\"");
            }
            assertThat(seen).as("the throttled user's open watch still delivers the new namespace").isTrue();
            admin.delete("/api/v1/namespaces/" + name);
        }
    }

    static double rateLimited(String reason) {
        return gateway.bean(MeterRegistry.class).counter("gateway.rate.limited", "reason", reason).count();
    }
}
