package io.kube4j.gateway.ratelimit;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request-rate limits per user through a real gateway in front of a real apiserver: a slow default (one token per
 * 10 s, burst 3) so that the limit is reached in a few requests and cannot refill during the test, a generous
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
                "kube4j.gateway.rate-limit.qps=0.1",
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
        assertThat(retryAfter).isBetween(1L, 10L);
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

    static double rateLimited(String reason) {
        return gateway.bean(MeterRegistry.class).counter("gateway.rate.limited", "reason", reason).count();
    }
}
