package io.kube4j.proxy.health;

import io.kube4j.client.util.FakeClock;
import io.kube4j.proxy.ProxySyncException;
import io.kube4j.proxy.sync.RecordingProxier;
import io.kube4j.proxy.sync.SyncRunner;
import io.kube4j.proxy.tracker.ProxyStateTracker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The healthz/livez server over real HTTP, its time driven by a fake clock. */
class ProxyHealthServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private FakeClock clock;
    private SimpleMeterRegistry meters;
    private ProxyHealthServer health;
    private int port;

    @BeforeEach
    void setUp() {
        clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));
        meters = new SimpleMeterRegistry();
        health = new ProxyHealthServer("127.0.0.1", 0, TIMEOUT, clock, meters);
        port = health.start();
    }

    @AfterEach
    void tearDown() {
        health.stop();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthyBeforeAnythingIsQueued() throws Exception {
        HttpResponse<String> r = get("/healthz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("{\"lastUpdated\": null, \"currentTime\": \"2026-03-01T10:00:00Z\", \"nodeHealthy\": true}");
    }

    @Test
    void aQueuedSyncMustSucceedWithinTheTimeout() throws Exception {
        health.queuedUpdate();
        clock.advance(TIMEOUT.minusSeconds(1));
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        health.queuedUpdate(); // a later request does not restart the clock
        clock.advance(Duration.ofSeconds(1));
        HttpResponse<String> r = get("/healthz");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"nodeHealthy\": false").contains("\"currentTime\": \"2026-03-01T10:01:00Z\"");
        assertThat(get("/livez").statusCode()).isEqualTo(503);

        health.updated();
        r = get("/healthz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"lastUpdated\": \"2026-03-01T10:01:00Z\", \"currentTime\": \"2026-03-01T10:01:00Z\", \"nodeHealthy\": true}");
    }

    @Test
    void aLastSyncOlderThanTheTimeoutIsUnhealthyEvenWithNothingQueued() throws Exception {
        health.updated();
        clock.advance(TIMEOUT.minusSeconds(1));
        assertThat(get("/livez").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));
        assertThat(get("/livez").statusCode()).isEqualTo(503);
        assertThat(get("/healthz").body()).contains("\"lastUpdated\": \"2026-03-01T10:00:00Z\"");
    }

    @Test
    void countsAnswersAndServesNothingElse() throws Exception {
        get("/healthz");
        get("/healthz");
        get("/livez");
        health.queuedUpdate();
        clock.advance(TIMEOUT);
        get("/healthz");
        assertThat(meters.counter("kubeproxy_proxy_healthz_total", "code", "200").count()).isEqualTo(2);
        assertThat(meters.counter("kubeproxy_proxy_healthz_total", "code", "503").count()).isEqualTo(1);
        assertThat(meters.counter("kubeproxy_proxy_livez_total", "code", "200").count()).isEqualTo(1);
        assertThat(get("/metrics").statusCode()).isEqualTo(404);
    }

    @Test
    void followsASyncRunner() throws Exception {
        ProxyStateTracker tracker = new ProxyStateTracker("node-a", clock);
        RecordingProxier proxier = new RecordingProxier();
        SyncRunner runner = new SyncRunner(proxier, tracker, Duration.ofSeconds(1), Duration.ofSeconds(30), meters, clock);
        runner.addListener(health);
        runner.syncNow(true);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);

        clock.advance(Duration.ofSeconds(30));
        proxier.failNext(1);
        assertThatThrownBy(() -> runner.syncNow(true)).isInstanceOf(ProxySyncException.class);
        clock.advance(TIMEOUT.minusSeconds(31));
        assertThat(get("/healthz").statusCode()).as("failing, not for long").isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));
        assertThat(get("/healthz").statusCode()).as("no success for a whole timeout").isEqualTo(503);
        runner.requestSync();
        runner.syncNow(true);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(health.lastUpdated()).isEqualTo(clock.now());
    }

    @Test
    void badSettingsAreRejected() {
        assertThatThrownBy(() -> new ProxyHealthServer("127.0.0.1", 70000, TIMEOUT, clock, meters))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("healthz port");
        assertThatThrownBy(() -> new ProxyHealthServer("127.0.0.1", 0, Duration.ZERO, clock, meters))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("health timeout");
    }

    @Test
    void aPortInUseIsAClearError() {
        ProxyHealthServer second = new ProxyHealthServer("127.0.0.1", port, TIMEOUT, clock, meters);
        assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot listen for health checks on 127.0.0.1:" + port);
    }
}
