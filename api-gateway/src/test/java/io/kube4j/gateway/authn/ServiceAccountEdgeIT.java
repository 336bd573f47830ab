package io.kube4j.gateway.authn;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import io.kube4j.security.authn.ServiceAccountTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * ServiceAccount tokens at the edge: a token the apiserver issued (TokenRequest) is verified by the gateway with
 * the apiserver's own code and forwarded as the ServiceAccount; the gateway asks the apiserver (as its own identity
 * {@code system:kube4j-gateway}, with the bootstrap RBAC role of that name) whether the ServiceAccount still exists,
 * so a deleted (or deleted and re-created) ServiceAccount's token stops working within seconds; a token signed by
 * another key is refused at the edge (401: the gateway answers, the apiserver never sees the token).
 */
class ServiceAccountEdgeIT {

    static final String SELF = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    static final String REVIEW = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}";
    static final String NS = "gw-sa-" + UUID.randomUUID().toString().substring(0, 6);

    static ApiServerInstance apiserver;
    static GatewayInstance gateway;
    static TestPki pki;
    static ApiClient admin;

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        pki = apiserver.pki();
        admin = apiserver.client(pki.admin());
        // the bootstrap policy grants the gateway's identity its lookups
        await().atMost(Duration.ofSeconds(30)).until(() ->
                admin.get("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:kube4j-gateway").code() == 200);
        TestPki.Credential gatewayIdentity = pki.gatewayClient();
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()),
                "kube4j.gateway.client.kubeconfig=" + pki.kubeconfig(apiserver.url(), gatewayIdentity),
                "kube4j.gateway.authentication.service-account.public-key-files=" + pki.serviceAccountPublicKeyFile(),
                "kube4j.gateway.authentication.service-account.lookup-cache-ttl=1s");
        assertThat(admin.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}").code()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (admin != null) {
            admin.delete("/api/v1/namespaces/" + NS);
        }
    }

    static String createServiceAccount(String name) {
        ApiClient.Response r = admin.post("/api/v1/namespaces/" + NS + "/serviceaccounts",
                "{\"metadata\":{\"name\":\"" + name + "\"}}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        return r.json().at("/metadata/uid").asString();
    }

    static String token(String sa, String spec) {
        ApiClient.Response r = admin.post("/api/v1/namespaces/" + NS + "/serviceaccounts/" + sa + "/token",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":" + spec + "}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        return r.json().at("/status/token").asString();
    }

    static ApiClient.Response whoami(String token) {
        return gateway.client(TestPki.Credential.token(token)).post(SELF, REVIEW);
    }

    static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asString()));
        return l;
    }

    @Test
    void aTokenRequestTokenWorksThroughTheGatewayAsItsServiceAccount() {
        String uid = createServiceAccount("builder");
        ApiClient.Response r = whoami(token("builder", "{}"));
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        JsonNode u = r.json().at("/status/userInfo");
        assertThat(u.path("username").asString()).isEqualTo("system:serviceaccount:" + NS + ":builder");
        assertThat(strings(u.path("groups"))).containsExactlyInAnyOrder("system:serviceaccounts",
                "system:serviceaccounts:" + NS, "system:authenticated");
        assertThat(strings(u.path("extra").path(ServiceAccountTokens.EXTRA_CREDENTIAL_ID))).singleElement()
                .asString().startsWith("JTI=");
        assertThat(uid).isNotBlank();
        // the apiserver authorizes the ServiceAccount: it may not list namespaces
        assertThat(gateway.client(TestPki.Credential.token(token("builder", "{}"))).get("/api/v1/namespaces").code())
                .isEqualTo(403);
    }

    @Test
    void aPodBoundTokenCarriesThePodInExtrasThroughTheGateway() {
        createServiceAccount("runner");
        ApiClient.Response pod = admin.post("/api/v1/namespaces/" + NS + "/pods", "{\"metadata\":{\"name\":\"p1\"},"
                + "\"spec\":{\"serviceAccountName\":\"runner\",\"automountServiceAccountToken\":false,"
                + "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}");
        assertThat(pod.code()).as(pod.body()).isEqualTo(201);
        String podUid = pod.json().at("/metadata/uid").asString();
        String token = token("runner", "{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"p1\"}}");
        ApiClient.Response r = whoami(token);
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        JsonNode extra = r.json().at("/status/userInfo/extra");
        assertThat(strings(extra.path(ServiceAccountTokens.EXTRA_POD_NAME))).containsExactly("p1");
        assertThat(strings(extra.path(ServiceAccountTokens.EXTRA_POD_UID))).containsExactly(podUid);
        // the pod is gone: its token stops working at the edge
        assertThat(admin.delete("/api/v1/namespaces/" + NS + "/pods/p1?gracePeriodSeconds=0").code()).isIn(200, 202);
        await().atMost(Duration.ofSeconds(10)).until(() -> whoami(token).code() == 401);
    }

    @Test
    void aDeletedServiceAccountsTokenStopsWorkingWithinSeconds() {
        createServiceAccount("temp");
        String token = token("temp", "{}");
        assertThat(whoami(token).code()).isEqualTo(201);
        assertThat(admin.delete("/api/v1/namespaces/" + NS + "/serviceaccounts/temp").code()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> whoami(token).code() == 401);
        ApiClient.Response r = whoami(token);
        assertThat(r.json().path("reason").asString()).isEqualTo("Unauthorized");
        // re-created under the same name: a new UID, the old token stays refused
        createServiceAccount("temp");
        assertThat(whoami(token("temp", "{}")).code()).isEqualTo(201);
        assertThat(whoami(token).code()).isEqualTo(401);
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefusedAtTheEdge() {
        String uid = createServiceAccount("forged");
        ServiceAccountTokens foreign = new ServiceAccountTokens(ServiceAccountTokens.ephemeralKey(), List.of(),
                ServiceAccountTokens.DEFAULT_ISSUER, List.of(), (k, ns, n) -> reactor.core.publisher.Mono.empty(),
                Clock.systemUTC());
        String token = foreign.issue(NS, new ServiceAccountTokens.Ref("forged", uid), List.of(), Duration.ofHours(1),
                null, null, null).token();
        ApiClient.Response r = whoami(token);
        // 401, not the 403 the apiserver gives the anonymous user the gateway would forward otherwise
        assertThat(r.code()).as(r.body()).isEqualTo(401);
        assertThat(r.json().path("kind").asString()).isEqualTo("Status");
    }
}
