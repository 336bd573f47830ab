package io.kube4j.gateway.ratelimit;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Failed authentications per client address: after the burst of 401s the address gets 429 before its credentials
 * are tried, even good ones, until a token is back; then a good credential works again.
 */
class FailedAuthenticationLimitIT {

    static GatewayInstance gateway;
    static TestPki pki;

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        pki = apiserver.pki();
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()),
                "kube4j.gateway.rate-limit.failed-authentication.burst=3",
                "kube4j.gateway.rate-limit.failed-authentication.refill-interval=3s");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void anAddressWithTooManyFailuresIsRefusedUntilATokenIsBack() {
        ApiClient guesser = gateway.client(TestPki.Credential.token("guess-1"));
        ApiClient foreignCert = gateway.client(pki.foreignClientCert("mallory"));
        ApiClient admin = gateway.client(pki.admin());
        assertThat(admin.get("/api/v1/namespaces").code()).isEqualTo(200);

        assertThat(guesser.get("/api/v1/pods").code()).isEqualTo(401);
        assertThat(foreignCert.get("/api/v1/pods").code()).isEqualTo(401);
        assertThat(guesser.get("/api/v1/pods").code()).isEqualTo(401);

        // the bucket is empty: even the admin's good certificate from this address is not looked at
        ApiClient.Response refused = admin.get("/api/v1/namespaces");
        assertThat(refused.code()).as(refused.body()).isEqualTo(429);
        assertThat(refused.json().at("/reason").asText()).isEqualTo("TooManyRequests");
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, 3L);
        assertThat(refused.json().at("/details/retryAfterSeconds").asLong()).isEqualTo(retryAfter);
        assertThat(guesser.get("/api/v1/pods").code()).as("guesses are not even tried").isEqualTo(429);
        assertThat(gateway.bean(MeterRegistry.class).counter("gateway.rate.limited", "reason", "failed-auth")
                .count()).isEqualTo(2.0);

        // one failure comes back every 3 s: then a good credential works again
        await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(250))
                .until(() -> admin.get("/api/v1/namespaces").code() == 200);
    }
}
