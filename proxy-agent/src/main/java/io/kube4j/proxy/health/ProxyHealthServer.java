package io.kube4j.proxy.health;

import io.kube4j.client.util.Clock;
import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.sync.SyncListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * kube-proxy's healthz server ({@code pkg/proxy/healthcheck/proxier_health.go}) on a port of its own (default
 * {@code 0.0.0.0:10256}): {@code GET /healthz} and {@code GET /livez} answer 200 while the proxy keeps the node
 * programmed, 503 otherwise, with {@code {"lastUpdated": ..., "currentTime": ..., "nodeHealthy": ...}}.
 *
 * <p>Unhealthy when a sync was queued ({@link #queuedUpdate}) and none succeeded ({@link #updated}) within
 * {@code healthTimeout} (kube-proxy's rule; the agent uses 2 × syncPeriod), or when the last successful sync is older
 * than {@code healthTimeout} (kube4j's addition: the runner syncs fully every syncPeriod, so an older one means the
 * sync thread is stuck even if nothing was queued). Before the first sync and with nothing queued it is healthy.
 * Where kube-proxy reports {@code lastUpdated} as the current time whenever healthy (a compatibility quirk), this
 * reports the real time of the last successful sync ({@code null} before it), in RFC 3339.
 *
 * <p>Listens to a {@link io.kube4j.proxy.sync.SyncRunner} as a {@link SyncListener}. Counts answers in
 * {@code kubeproxy_proxy_healthz_total{code}} and {@code kubeproxy_proxy_livez_total{code}}.
 */
public final class ProxyHealthServer implements SyncListener {

    /** kube-proxy's default {@code --healthz-bind-address} port. */
    public static final int DEFAULT_PORT = 10256;

    private static final Logger log = LoggerFactory.getLogger(ProxyHealthServer.class);

    private final String host;
    private final int port;
    private final Duration healthTimeout;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Object lock = new Object();
    private Instant lastUpdated;
    private Instant oldestPendingQueued;
    private volatile DisposableServer server;

    /**
     * @param host          address to bind ({@code 0.0.0.0} for all)
     * @param port          port to bind, 0 for any free one (tests)
     * @param healthTimeout how long a queued sync may stay unapplied (and the last sync may age) before unhealthy
     * @param clock         time source
     * @param meters        where the healthz/livez counters go
     */
    public ProxyHealthServer(String host, int port, Duration healthTimeout, Clock clock, MeterRegistry meters) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("healthz port must be 0..65535, got " + port);
        }
        if (healthTimeout == null || healthTimeout.isNegative() || healthTimeout.isZero()) {
            throw new IllegalArgumentException("health timeout must be positive, got " + healthTimeout);
        }
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.healthTimeout = healthTimeout;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.meters = Objects.requireNonNull(meters, "meters");
    }

    /** Binds the server; returns the port it listens on. */
    public synchronized int start() {
        if (server != null) {
            return server.port();
        }
        try {
            server = HttpServer.create().host(host).port(port)
                    .route(r -> r.get("/healthz", (req, res) -> answer(res, "kubeproxy_proxy_healthz_total"))
                            .get("/livez", (req, res) -> answer(res, "kubeproxy_proxy_livez_total"))
                            .route(req -> true, ProxyHealthServer::notFound))
                    .bindNow(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot listen for health checks on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        log.info("proxy healthz server listening on {}:{} (unhealthy after {} without a successful sync)",
                host, server.port(), healthTimeout);
        return server.port();
    }

    /** The bound port; -1 when not started. */
    public int port() {
        DisposableServer s = server;
        return s == null ? -1 : s.port();
    }

    public synchronized void stop() {
        if (server != null) {
            server.disposeNow(Duration.ofSeconds(5));
            server = null;
        }
    }

    /** A sync was queued: from now on it has {@code healthTimeout} to succeed (kube-proxy's {@code QueuedUpdate}). */
    public void queuedUpdate() {
        synchronized (lock) {
            if (oldestPendingQueued == null) {
                oldestPendingQueued = clock.now();
            }
        }
    }

    /** A sync succeeded (kube-proxy's {@code Updated}). */
    public void updated() {
        synchronized (lock) {
            lastUpdated = clock.now();
            oldestPendingQueued = null;
        }
    }

    /** Whether the proxy keeps the node programmed (see the class comment). */
    public boolean isHealthy() {
        return status().healthy;
    }

    /** When the last sync succeeded; null before. */
    public Instant lastUpdated() {
        synchronized (lock) {
            return lastUpdated;
        }
    }

    @Override
    public void syncQueued() {
        queuedUpdate();
    }

    @Override
    public void syncSucceeded(ProxyState state, SyncResult result) {
        updated();
    }

    /** A failed sync is retried: that retry is a queued update, so failing for {@code healthTimeout} is unhealthy. */
    @Override
    public void syncFailed(RuntimeException error) {
        queuedUpdate();
    }

    private record Status(boolean healthy, Instant lastUpdated, Instant now) {
    }

    private Status status() {
        synchronized (lock) {
            Instant now = clock.now();
            boolean queuedOverdue = oldestPendingQueued != null
                    && Duration.between(oldestPendingQueued, now).compareTo(healthTimeout) >= 0;
            boolean stale = lastUpdated != null && Duration.between(lastUpdated, now).compareTo(healthTimeout) >= 0;
            return new Status(!queuedOverdue && !stale, lastUpdated, now);
        }
    }

    private Mono<Void> answer(HttpServerResponse res, String counter) {
        Status s = status();
        int code = s.healthy ? 200 : 503;
        Counter.builder(counter).tag("code", Integer.toString(code))
                .description(counter.contains("livez") ? "Cumulative proxy livez HTTP status"
                        : "Cumulative proxy healthz HTTP status")
                .register(meters).increment();
        String body = "{\"lastUpdated\": " + (s.lastUpdated == null ? "null" : "\"" + s.lastUpdated + "\"")
                + ", \"currentTime\": \"" + s.now + "\", \"nodeHealthy\": " + s.healthy + "}";
        return res.status(code)
                .header("Content-Type", "application/json")
                .header("X-Content-Type-Options", "nosniff")
                .sendString(Mono.just(body), StandardCharsets.UTF_8).then();
    }

    private static Mono<Void> notFound(HttpServerRequest req, HttpServerResponse res) {
        return res.status(404).header("Content-Type", "text/plain")
                .sendString(Mono.just("404 page not found: the proxy health server serves /healthz and /livez\n"))
                .then();
    }
}
