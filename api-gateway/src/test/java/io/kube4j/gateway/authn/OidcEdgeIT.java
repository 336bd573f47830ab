package io.kube4j.gateway.authn;

import com.nimbusds.jwt.JWTClaimsSet;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import io.kube4j.gateway.testsupport.OidcTestIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * OIDC ID tokens from an issuer the test serves (HTTPS discovery + JWKS, tokens signed by the test): accepted at the
 * gateway and mapped to user and groups as kube-apiserver's {@code --oidc-*} flags say (SelfSubjectReview shows the
 * apiserver's view); invalid ones refused at the edge; a rotated key is fetched; and the same flags on an apiserver
 * (its own token chain, without the gateway).
 */
class OidcEdgeIT {

    static final String SELF = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    static final String REVIEW = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}";
    static final String CLIENT = "kube4j-dashboard";

    static OidcTestIssuer issuer;
    static ApiServerInstance apiserver;
    static GatewayInstance gateway;
    static TestPki pki;

    static List<String> oidcProperties(String prefix) {
        return List.of(prefix + ".issuer-url=" + issuer.url(),
                prefix + ".client-id=" + CLIENT,
                prefix + ".username-claim=email",
                prefix + ".groups-claim=groups",
                prefix + ".groups-prefix=oidc:",
                prefix + ".required-claims.tenant=blue",
                prefix + ".ca-file=" + pki.caFile());
    }

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        pki = apiserver.pki();
        issuer = OidcTestIssuer.start(pki);
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()),
                oidcProperties("kube4j.gateway.authentication.oidc").toArray(String[]::new));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    static String jane() {
        return issuer.token(CLIENT, "0001", b -> b.claim("email", "jane@example.com").claim("email_verified", true)
                .claim("groups", List.of("dev", "ops")).claim("tenant", "blue"));
    }

    static ApiClient.Response whoami(ApiClient client) {
        return client.post(SELF, REVIEW);
    }

    static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asString()));
        return l;
    }

    @Test
    void anIdTokenIsAcceptedAndMappedToUserAndGroups() {
        ApiClient.Response r = whoami(gateway.client(TestPki.Credential.token(jane())));
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        JsonNode u = r.json().at("/status/userInfo");
        assertThat(u.path("username").asString()).isEqualTo("jane@example.com");
        assertThat(strings(u.path("groups"))).containsExactlyInAnyOrder("oidc:dev", "oidc:ops", "system:authenticated");
    }

    @Test
    void invalidIdTokensAreRefusedAtTheEdge() {
        Instant now = Instant.now();
        List<String> bad = List.of(
                issuer.token("someone-else", "0001", b -> b.claim("email", "jane@example.com").claim("tenant", "blue")),
                issuer.token(CLIENT, "0001", b -> b.claim("email", "jane@example.com").claim("tenant", "blue")
                        .issueTime(Date.from(now.minusSeconds(7200))).expirationTime(Date.from(now.minusSeconds(3600)))),
                issuer.token(CLIENT, "0001", b -> b.claim("email", "jane@example.com").claim("tenant", "red")),
                issuer.token(CLIENT, "0001", b -> b.claim("email", "jane@example.com").claim("email_verified", false)
                        .claim("tenant", "blue")),
                OidcTestIssuer.signWithForeignKey(new JWTClaimsSet.Builder().issuer(issuer.url()).audience(CLIENT)
                        .subject("0001").claim("email", "jane@example.com").claim("tenant", "blue")
                        .expirationTime(Date.from(now.plusSeconds(600))).build()));
        for (String token : bad) {
            ApiClient.Response r = gateway.client(TestPki.Credential.token(token)).get("/api/v1/namespaces");
            assertThat(r.code()).as(r.body()).isEqualTo(401);
            assertThat(r.json().path("reason").asString()).isEqualTo("Unauthorized");
        }
    }

    @Test
    void aRotatedSigningKeyIsFetched() {
        assertThat(whoami(gateway.client(TestPki.Credential.token(jane()))).code()).isEqualTo(201);
        int fetches = issuer.keyFetches();
        issuer.rotate();
        String rotated = jane();
        // the gateway refetches the keys for the unknown kid (at most once per 10 s)
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> whoami(gateway.client(TestPki.Credential.token(rotated))).code() == 201);
        assertThat(issuer.keyFetches()).isGreaterThan(fetches);
    }

    @Test
    void theApiserverAcceptsTheSameTokensWithItsOidcFlags() {
        List<String> props = new ArrayList<>(oidcProperties("kube4j.apiserver.authentication.oidc"));
        props.add("kube4j.apiserver.authentication.oidc.username-claim=sub");
        props.add("kube4j.apiserver.authentication.oidc.username-prefix=oidc:");
        try (ApiServerInstance direct = ApiServerInstance.startSecure(pki, props.toArray(String[]::new))) {
            ApiClient client = direct.client(TestPki.Credential.token(jane()));
            ApiClient.Response r = whoami(client);
            assertThat(r.code()).as(r.body()).isEqualTo(201);
            JsonNode u = r.json().at("/status/userInfo");
            assertThat(u.path("username").asString()).isEqualTo("oidc:0001");
            assertThat(strings(u.path("groups"))).containsExactlyInAnyOrder("oidc:dev", "oidc:ops", "system:authenticated");
            String wrongAudience = issuer.token("someone-else", "0001", b -> b.claim("tenant", "blue"));
            assertThat(whoami(direct.client(TestPki.Credential.token(wrongAudience))).code()).isEqualTo(401);
        }
    }
}
