package io.kube4j.gateway.metrics;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import io.kube4j.gateway.routing.UpstreamConfiguration;
import io.kube4j.gateway.tls.HttpsRedirectServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The gateway's metrics as Prometheus scrapes them from the management port after known requests through a real
 * gateway and apiserver; active streams go up when a watch starts and down when it ends or its client goes away.
 */
class GatewayMetricsIT {

    static final HttpClient PLAIN = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static GatewayInstance gateway;
    static TestPki pki;

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
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
    void requestsAreCountedByRouteMethodAndCodeWithADurationHistogram() {
        ApiClient admin = gateway.client(pki.admin());
        Map<String, Double> before = scrape();
        for (int i = 0; i < 3; i++) {
            assertThat(admin.get("/api/v1/namespaces").code()).isEqualTo(200);
        }
        assertThat(admin.get("/api/v1/namespaces/metrics-it-no-such-namespace").code()).isEqualTo(404);
        assertThat(gateway.client(TestPki.Credential.token("metrics-it-bad-token")).get("/api/v1/pods").code())
                .isEqualTo(401);
        Map<String, Double> after = scrape();

        assertThat(delta(before, after, "gateway_requests_total{code=\"200\",method=\"GET\",route=\"apiserver\"}"))
                .isEqualTo(3.0);
        assertThat(delta(before, after, "gateway_requests_total{code=\"404\",method=\"GET\",route=\"apiserver\"}"))
                .isEqualTo(1.0);
        assertThat(delta(before, after, "gateway_requests_total{code=\"401\",method=\"GET\",route=\"none\"}"))
                .as("the gateway's own 401 carries no route").isEqualTo(1.0);
        assertThat(delta(before, after, "gateway_request_duration_seconds_count{method=\"GET\",route=\"apiserver\"}"))
                .isEqualTo(4.0);
        assertThat(after).containsKey(
                "gateway_request_duration_seconds_bucket{method=\"GET\",route=\"apiserver\",le=\"+Inf\"}");
        assertThat(after.keySet().stream().filter(k -> k.startsWith(
                "gateway_request_duration_seconds_bucket{method=\"GET\",route=\"apiserver\"")).count())
                .as("a percentile histogram's buckets").isGreaterThan(20);
        assertThat(after).containsKeys("gateway_rate_limited_total{reason=\"user\"}",
                "gateway_rate_limited_total{reason=\"failed-auth\"}");
    }

    @Test
    void aWatchIsAnActiveStreamUntilTheApiserverEndsIt() throws Exception {
        String gauge = "gateway_active_streams{kind=\"watch\"}";
        await().atMost(Duration.ofSeconds(10)).until(() -> scrape().get(gauge) == 0.0);
        HttpClient http = ApiClient.httpClient(pki.sslContext(pki.admin()));
        CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> watch = http.sendAsync(
                HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/namespaces?watch=true&timeoutSeconds=4"))
                        .build(), HttpResponse.BodyHandlers.ofLines());
        await().atMost(Duration.ofSeconds(10)).until(() -> scrape().get(gauge) == 1.0);
        HttpResponse<java.util.stream.Stream<String>> r = watch.get(20, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().toList()).anyMatch(l -> l.contains("\"ADDED\"") && l.contains("\"default\""));
        await().atMost(Duration.ofSeconds(10)).until(() -> scrape().get(gauge) == 0.0);
        assertThat(scrape().get("gateway_requests_total{code=\"200\",method=\"GET\",route=\""
                + UpstreamConfiguration.LONG_RUNNING_ROUTE + "\"}")).as("counted under its route").isPositive();
    }

    @Test
    void aWatchWhoseClientGoesAwayIsNoLongerActive() throws Exception {
        String gauge = "gateway_active_streams{kind=\"watch\"}";
        await().atMost(Duration.ofSeconds(10)).until(() -> scrape().get(gauge) == 0.0);
        HttpClient http = ApiClient.httpClient(pki.sslContext(pki.admin()));
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/namespaces?watch=true&timeoutSeconds=600"))
                        .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        try (BufferedReader events = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertThat(events.readLine()).contains("\"ADDED\"");
            assertThat(scrape().get(gauge)).isEqualTo(1.0);
        } // closing the body drops the connection
        await().atMost(Duration.ofSeconds(15)).until(() -> scrape().get(gauge) == 0.0);
    }

    @Test
    void theActuatorIsOnlyOnTheLoopbackManagementPort() {
        assertThat(gateway.managementUrl()).isNotEqualTo("http://127.0.0.1:" + gateway.port());
        ApiClient.Response onPublicPort = gateway.client(pki.admin()).get("/actuator/prometheus");
        assertThat(onPublicPort.code()).as(onPublicPort.body()).isEqualTo(404);
        assertThat(gateway.bean(org.springframework.core.env.Environment.class)
                .getProperty("management.server.address")).isEqualTo("127.0.0.1");
    }

    @Test
    void noRedirectPortUnlessConfigured() {
        assertThatThrownBy(() -> gateway.bean(HttpsRedirectServer.class))
                .isInstanceOf(NoSuchBeanDefinitionException.class);
    }

    /** The gateway_* samples of a scrape: {@code name{labels}} → value. */
    static Map<String, Double> scrape() {
        try {
            HttpResponse<String> r = PLAIN.send(HttpRequest.newBuilder(
                    URI.create(gateway.managementUrl() + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            Map<String, Double> samples = new TreeMap<>();
            Arrays.stream(r.body().split("\n")).filter(l -> l.startsWith("gateway_")).forEach(l -> {
                int space = l.lastIndexOf(' ');
                samples.put(l.substring(0, space), Double.parseDouble(l.substring(space + 1)));
            });
            return samples;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static double delta(Map<String, Double> before, Map<String, Double> after, String sample) {
        assertThat(after).as("samples after").containsKey(sample);
        return after.get(sample) - before.getOrDefault(sample, 0.0);
    }
}
