package io.kube4j.gateway.authn;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import tools.jackson.databind.JsonNode;

import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who the apiserver believes a request comes from, with the gateway in front: identity headers a client sends are
 * stripped at the edge; the apiserver believes them only from the gateway's front-proxy certificate (never from a
 * user's certificate, the admin, another certificate of the front-proxy CA, or nobody); extra keys the gateway
 * escapes come back intact; static-token users, refused certificates, and impersonation through the gateway.
 */
class EdgeIdentityIT {

    static final String SELF = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    static final String REVIEW = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}";
    /** What a malicious client claims to be. */
    static final String[] SPOOFED = {
            "X-Remote-User", "mallory",
            "X-Remote-Group", "system:masters",
            "x-remote-group", "spoofed-group",
            "X-Remote-Extra-Scopes", "everything",
            "X-REMOTE-EXTRA-Example.org%2FLevel", "root"};

    static ApiServerInstance apiserver;
    static GatewayInstance gateway;
    static TestPki pki;

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        pki = apiserver.pki();
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()),
                "kube4j.gateway.authentication.token-file=" + pki.tokenFile(
                        new TestPki.StaticToken("carol-token-1", "carol", "uid-carol", List.of("qa", "ops"))));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** SelfSubjectReview with these headers (name, value pairs). */
    static ApiClient.Response whoami(ApiClient client, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(client.uri(SELF)).POST(HttpRequest.BodyPublishers.ofString(REVIEW))
                .header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b, null);
    }

    static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asString()));
        return l;
    }

    static void assertNotSpoofed(ApiClient.Response r, String expectedUser) {
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        JsonNode u = r.json().at("/status/userInfo");
        assertThat(u.path("username").asString()).isEqualTo(expectedUser);
        assertThat(strings(u.path("groups"))).doesNotContain("spoofed-group");
        if (!expectedUser.equals("kube4j-admin")) {
            assertThat(strings(u.path("groups"))).doesNotContain("system:masters");
        }
        assertThat(u.path("extra").has("scopes")).isFalse();
        assertThat(u.path("extra").has("example.org/level")).isFalse();
    }

    @Test
    void spoofedIdentityHeadersFromClientsAreStrippedAtTheEdge() {
        assertNotSpoofed(whoami(gateway.client(pki.clientCert("alice", "team-a")), SPOOFED), "alice");
        assertNotSpoofed(whoami(gateway.client(TestPki.Credential.token("carol-token-1")), SPOOFED), "carol");
        // without credentials: forwarded as anonymous, who may not even ask who it is
        ApiClient.Response anonymous = whoami(gateway.client(TestPki.Credential.anonymous()), SPOOFED);
        assertThat(anonymous.code()).as(anonymous.body()).isEqualTo(403);
        assertThat(anonymous.body()).contains("system:anonymous").doesNotContain("mallory");
    }

    @Test
    void theApiserverBelievesIdentityHeadersOnlyFromTheGatewaysCertificate() {
        // the gateway's front-proxy certificate: believed (so the refusals below are not vacuous)
        ApiClient.Response proxied = whoami(apiserver.client(pki.frontProxyClient()), SPOOFED);
        assertThat(proxied.code()).as(proxied.body()).isEqualTo(201);
        assertThat(proxied.json().at("/status/userInfo/username").asString()).isEqualTo("mallory");
        // a user's certificate and the admin's: their own identity, the headers ignored
        assertNotSpoofed(whoami(apiserver.client(pki.clientCert("bob")), SPOOFED), "bob");
        assertNotSpoofed(whoami(apiserver.client(pki.admin()), SPOOFED), "kube4j-admin");
        // another certificate of the front-proxy CA, and no certificate at all: refused or anonymous, never mallory
        for (TestPki.Credential who : List.of(pki.frontProxyCert("evil-proxy"), TestPki.Credential.anonymous())) {
            try {
                ApiClient.Response r = whoami(apiserver.client(who), SPOOFED);
                assertThat(r.code()).as(who.name() + ": " + r.body()).isIn(401, 403);
                assertThat(r.body()).doesNotContain("mallory");
            } catch (UncheckedIOException refusedAtTls) {
                // refused at the TLS handshake: also never believed
            }
        }
    }

    @Test
    void extrasWithOddKeysSurviveTheGatewaysEscaping() {
        Map<String, List<String>> extra = new LinkedHashMap<>();
        extra.put("example.org/scope", List.of("a b", "c"));
        extra.put("100%/sure", List.of("yes"));
        extra.put("Upper/Case", List.of("x"));
        extra.put("clé é", List.of("v"));
        HttpHeaders h = new HttpHeaders();
        h.add("X-Remote-User", "mallory");
        IdentityForwardingFilter.rewrite(h, new UserInfo("erin", "", List.of("dev"), extra));
        List<String> headers = new ArrayList<>();
        h.forEach((name, values) -> values.forEach(v -> {
            headers.add(name);
            headers.add(v);
        }));
        // exactly what the gateway sends, from its certificate, to the real apiserver
        ApiClient.Response r = whoami(apiserver.client(pki.frontProxyClient()), headers.toArray(String[]::new));
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        JsonNode u = r.json().at("/status/userInfo");
        assertThat(u.path("username").asString()).isEqualTo("erin");
        assertThat(strings(u.path("extra").path("example.org/scope"))).containsExactly("a b", "c");
        assertThat(strings(u.path("extra").path("100%/sure"))).containsExactly("yes");
        // header names are case-insensitive: Kubernetes lower-cases the plain characters of extra keys
        assertThat(strings(u.path("extra").path("upper/case"))).containsExactly("x");
        assertThat(strings(u.path("extra").path("clé é"))).containsExactly("v");
    }

    @Test
    void staticTokenUsersReachTheApiserverWithTheirGroups() {
        ApiClient.Response r = whoami(gateway.client(TestPki.Credential.token("carol-token-1")));
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        assertThat(r.json().at("/status/userInfo/username").asString()).isEqualTo("carol");
        assertThat(strings(r.json().at("/status/userInfo/groups"))).containsExactlyInAnyOrder("qa", "ops",
                "system:authenticated");
    }

    @Test
    void badClientCertificatesGet401AtTheEdge() {
        for (TestPki.Credential who : List.of(pki.expiredClientCert("old-alice", "team-a"),
                pki.foreignClientCert("alice", "system:masters"), pki.frontProxyCert("front-proxy-client"))) {
            ApiClient.Response r = gateway.client(who).get("/api/v1/namespaces");
            assertThat(r.code()).as(who.name() + ": " + r.body()).isEqualTo(401);
            assertThat(r.json().path("kind").asString()).isEqualTo("Status");
            assertThat(r.json().path("reason").asString()).isEqualTo("Unauthorized");
        }
    }

    @Test
    void anAdminImpersonatesThroughTheGateway() {
        ApiClient admin = gateway.client(pki.admin());
        ApiClient.Response r = whoami(admin, "Impersonate-User", "dave", "Impersonate-Group", "team-x",
                "Impersonate-Extra-Example.org%2FReason", "debugging");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        JsonNode u = r.json().at("/status/userInfo");
        assertThat(u.path("username").asString()).isEqualTo("dave");
        assertThat(strings(u.path("groups"))).contains("team-x").doesNotContain("system:masters");
        assertThat(strings(u.path("extra").path("example.org/reason"))).containsExactly("debugging");
        // a user without the impersonate permission cannot
        ApiClient.Response denied = whoami(gateway.client(pki.clientCert("alice")), "Impersonate-User", "dave");
        assertThat(denied.code()).as(denied.body()).isEqualTo(403);
    }
}
