package io.kube4j.gateway.routing;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The limits through a real gateway: a request body over the limit (declared or streamed) is 413 from a real
 * apiserver's gateway; a replica that never answers gets 504 after the response timeout, but a watch to it is not
 * timed out; with no replica left, the answer is 503 at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpstreamLimitsIT {

    static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";

    static ApiServerInstance apiserver;
    static TestPki pki;
    static GatewayInstance gateway;
    static SilentUpstream silent;
    static GatewayInstance silentGateway;

    @BeforeAll
    static void start() throws Exception {
        apiserver = ApiServerInstance.secureShared();
        pki = apiserver.pki();
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()), "kube4j.gateway.limits.max-request-body=64KB");
        silent = new SilentUpstream();
        silentGateway = GatewayInstance.start(pki, List.of(silent.url()), "kube4j.gateway.limits.response-timeout=1s",
                "kube4j.gateway.upstream.health-check-interval=500ms");
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (silentGateway != null) {
            silentGateway.close();
        }
        if (silent != null) {
            silent.close();
        }
    }

    static String configMap(String name, int dataBytes) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"k\":\""
                + "x".repeat(dataBytes) + "\"}}";
    }

    @Test
    @Order(1)
    void aDeclaredBodyOverTheLimitIs413() {
        ApiClient.Response r = gateway.client(pki.admin()).post(CONFIGMAPS, configMap("too-large-declared", 70_000));
        assertThat(r.code()).as(r.body()).isEqualTo(413);
        assertThat(r.json().at("/kind").asText()).isEqualTo("Status");
        assertThat(r.json().at("/reason").asText()).isEqualTo("RequestEntityTooLarge");
        assertThat(gateway.client(pki.admin()).get(CONFIGMAPS + "/too-large-declared").code()).isEqualTo(404);
    }

    @Test
    @Order(2)
    void aStreamedBodyOverTheLimitIs413() throws Exception {
        byte[] body = configMap("too-large-streamed", 70_000).getBytes(StandardCharsets.UTF_8);
        ApiClient client = new ApiClient(gateway.url(), HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(pki.sslContext(pki.admin())).build(), null);
        // no Content-Length: the body is sent chunked and counted as it streams
        ApiClient.Response r = client.send(HttpRequest.newBuilder(client.uri(CONFIGMAPS))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .header("Content-Type", "application/json"), null);
        assertThat(r.raw().request().headers().firstValue("Content-Length")).isEmpty();
        assertThat(r.code()).as(r.body()).isEqualTo(413);
        assertThat(r.json().at("/reason").asText()).isEqualTo("RequestEntityTooLarge");
        assertThat(gateway.client(pki.admin()).get(CONFIGMAPS + "/too-large-streamed").code()).isEqualTo(404);
    }

    @Test
    @Order(3)
    void aBodyWithinTheLimitPasses() {
        ApiClient admin = gateway.client(pki.admin());
        admin.delete(CONFIGMAPS + "/within-limit");
        ApiClient.Response r = admin.post(CONFIGMAPS, configMap("within-limit", 50_000));
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        assertThat(admin.delete(CONFIGMAPS + "/within-limit").code()).isEqualTo(200);
    }

    @Test
    @Order(4)
    void aReplicaThatNeverAnswersIs504AfterTheResponseTimeout() {
        long t0 = System.nanoTime();
        ApiClient.Response r = silentGateway.client(pki.admin()).get(CONFIGMAPS);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.code()).as(r.body()).isEqualTo(504);
        assertThat(r.json().at("/kind").asText()).isEqualTo("Status");
        assertThat(r.json().at("/reason").asText()).isEqualTo("Timeout");
        assertThat(millis).as("answered after the 1s response timeout").isBetween(900L, 10_000L);
        assertThat(silent.held).anyMatch(l -> l.startsWith("GET " + CONFIGMAPS + " "));
    }

    @Test
    @Order(5)
    void aWatchHasNoResponseTimeout() {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(pki.sslContext(pki.admin())).build();
        // the silent replica never answers: the gateway must not give up after its 1s response timeout, so the
        // client's own 4s timeout is what ends the request
        HttpRequest watch = HttpRequest.newBuilder(java.net.URI.create(silentGateway.url() + CONFIGMAPS + "?watch=true"))
                .timeout(Duration.ofSeconds(4)).GET().build();
        assertThatThrownBy(() -> http.send(watch, java.net.http.HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(silent.held).anyMatch(l -> l.contains("watch=true"));
    }

    @Test
    @Order(6)
    void withNoReplicaLeftTheAnswerIs503AtOnce() throws Exception {
        silent.close();
        ApiClient client = silentGateway.client(pki.admin());
        // the first request finds the replica refusing (passive marking), the checks keep it out
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            ApiClient.Response r = client.get(CONFIGMAPS);
            return r.code() == 503 && r.body().contains("no apiserver replica is available");
        });
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            ApiClient.Response r = client.get(CONFIGMAPS);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.code()).as(r.body()).isEqualTo(503);
            assertThat(r.json().at("/reason").asText()).isEqualTo("ServiceUnavailable");
            assertThat(r.header("Retry-After")).isEqualTo("1");
            assertThat(millis).as("no waiting for a replica").isLessThan(2000L);
        }
    }
}
