package io.kube4j.gateway.streaming;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Watches through the gateway are streamed, not buffered: every event the apiserver writes reaches the client
 * within a second, over HTTP/1.1 and HTTP/2 (kubectl negotiates h2), for Kubernetes' chunked JSON watch and for
 * the SSE form the dashboard's EventSource uses. Each event is written only after the previous one arrived, so
 * an event held in a buffer of the gateway shows as a missing event, not as a slow test.
 */
class WatchStreamingIT {

    static final Duration PROMPT = Duration.ofSeconds(1);
    static final int EVENTS = 5;

    static ApiServerInstance apiserver;
    static GatewayInstance gateway;
    static TestPki pki;
    static ApiClient direct;
    static String ns;

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        pki = apiserver.pki();
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()));
        direct = apiserver.client(pki.admin());
        ns = "gw-watch-" + UUID.randomUUID().toString().substring(0, 8);
        ApiClient.Response r = direct.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (direct != null && ns != null) {
            direct.delete("/api/v1/namespaces/" + ns);
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    static HttpClient http(HttpClient.Version version) {
        return HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5))
                .sslContext(pki.sslContext(pki.admin())).build();
    }

    static String listRv(String path) {
        ApiClient.Response list = direct.get(path);
        assertThat(list.code()).as(list.body()).isEqualTo(200);
        return list.json().at("/metadata/resourceVersion").asString();
    }

    static void createConfigMap(String name) {
        ApiClient.Response r = direct.post("/api/v1/namespaces/" + ns + "/configmaps",
                "{\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"k\":\"v\"}}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void chunkedJsonWatchDeliversEveryEventAtOnce(HttpClient.Version version) throws Exception {
        String prefix = "json-" + version.name().toLowerCase().replace('_', '-') + "-";
        String path = "/api/v1/namespaces/" + ns + "/configmaps";
        String rv = listRv(path);
        HttpRequest watch = HttpRequest.newBuilder(URI.create(gateway.url() + path + "?watch=true&resourceVersion=" + rv))
                .header("Accept", "application/json").build();
        try (StreamLines lines = StreamLines.open(http(version), watch)) {
            assertThat(lines.response().statusCode()).isEqualTo(200);
            // HTTP/2 at the edge is kube4j.gateway.tls.http2's (ALPN); until the gateway offers h2 this case runs as 1.1
            Assumptions.assumeTrue(lines.response().version() == version,
                    "the gateway did not negotiate " + version + " (ALPN h2 not offered)");
            for (int i = 0; i < EVENTS; i++) {
                String name = prefix + i;
                createConfigMap(name);
                long written = System.nanoTime();
                StreamLines.Line event = lines.next(l -> l.contains("\"name\":\"" + name + "\""), Duration.ofSeconds(10));
                assertThat(event).as("ADDED %s through the gateway", name).isNotNull();
                assertThat(event.text()).startsWith("{\"type\":\"ADDED\"");
                assertThat(Duration.ofNanos(event.nanos() - written)).as("delay of event %d", i).isLessThan(PROMPT);
            }
            assertThat(lines.ended()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void sseWatchDeliversEveryEventAtOnce(HttpClient.Version version) throws Exception {
        String prefix = "sse-" + version.name().toLowerCase().replace('_', '-') + "-";
        String path = "/api/v1/namespaces/" + ns + "/configmaps";
        String rv = listRv(path);
        HttpRequest watch = HttpRequest.newBuilder(URI.create(gateway.url() + path + "?watch=true&resourceVersion=" + rv))
                .header("Accept", "text/event-stream").build();
        try (StreamLines lines = StreamLines.open(http(version), watch)) {
            assertThat(lines.response().statusCode()).isEqualTo(200);
            assertThat(lines.response().headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            for (int i = 0; i < EVENTS; i++) {
                String name = prefix + i;
                createConfigMap(name);
                long written = System.nanoTime();
                StreamLines.Line data = lines.next(l -> l.startsWith("data:") && l.contains("\"name\":\"" + name + "\""),
                        Duration.ofSeconds(10));
                assertThat(data).as("SSE event for %s through the gateway", name).isNotNull();
                assertThat(Duration.ofNanos(data.nanos() - written)).as("delay of event %d", i).isLessThan(PROMPT);
            }
        }
    }

    @Test
    void watchAsAUserWithoutRightsIsForbiddenByTheApiserver() {
        ApiClient.Response r = gateway.client(pki.clientCert("watch-nobody"))
                .get("/api/v1/namespaces/" + ns + "/configmaps?watch=true");
        assertThat(r.code()).as(r.body()).isEqualTo(403);
        assertThat(r.body()).contains("watch-nobody");
    }
}
