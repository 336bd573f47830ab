package io.kube4j.gateway.authn;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The identity the gateway authenticates reaches the apiserver through the front-proxy headers: SelfSubjectReview
 * (which echoes the apiserver's view of the caller) through the gateway returns the gateway-authenticated user.
 */
class IdentityForwardingIT {

    static final String SELF = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    static final String REVIEW = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}";

    static ApiServerInstance apiserver;
    static GatewayInstance gateway;
    static TestPki pki;

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        pki = apiserver.pki();
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void clientCertificateUserReachesTheApiserver() {
        ApiClient.Response r = gateway.client(pki.clientCert("alice", "team-a", "team-b")).post(SELF, REVIEW);
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        assertThat(r.json().at("/status/userInfo/username").asText()).isEqualTo("alice");
        List<String> groups = new ArrayList<>();
        r.json().at("/status/userInfo/groups").forEach(g -> groups.add(g.asText()));
        assertThat(groups).contains("team-a", "team-b", "system:authenticated");
    }

    @Test
    void adminListsNamespacesThroughTheGateway() {
        ApiClient.Response r = gateway.client(pki.admin()).get("/api/v1/namespaces");
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        assertThat(r.json().at("/kind").asText()).isEqualTo("NamespaceList");
    }

    @Test
    void anonymousRequestsAreForwardedAsAnonymous() {
        ApiClient.Response version = gateway.client(TestPki.Credential.anonymous()).get("/version");
        assertThat(version.code()).as(version.body()).isEqualTo(200);
        ApiClient.Response pods = gateway.client(TestPki.Credential.anonymous()).get("/api/v1/pods");
        assertThat(pods.code()).as(pods.body()).isEqualTo(403);
        assertThat(pods.body()).contains("system:anonymous");
    }

    @Test
    void badCredentialsGet401AtTheEdge() {
        ApiClient.Response r = gateway.client(TestPki.Credential.token("no-such-token")).get("/api/v1/pods");
        assertThat(r.code()).as(r.body()).isEqualTo(401);
        assertThat(r.json().at("/reason").asText()).isEqualTo("Unauthorized");
    }
}
