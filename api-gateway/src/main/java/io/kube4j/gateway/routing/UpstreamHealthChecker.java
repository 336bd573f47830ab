package io.kube4j.gateway.routing;

import io.kube4j.gateway.authn.IdentityForwardingFilter;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import java.net.URI;
import java.time.Duration;

/**
 * Active health checks of the pool: every {@code health-check-interval} a {@code GET /readyz} to each replica
 * through the gateway's own upstream HTTP client (the same TLS: cluster CA, front-proxy client certificate); 200
 * within {@code health-check-timeout} is good, anything else a failure. Replicas change state by the thresholds of
 * {@link UpstreamReplica}; a replica marked passively is checked at once. The checks identify as
 * {@value #HEALTH_CHECK_USER} (group {@code system:authenticated}, which may read {@code /readyz}).
 */
public final class UpstreamHealthChecker implements SmartLifecycle {

    /**
     * Who the checks are, in the front-proxy headers: the apiserver, like kube-apiserver, answers 401 to a
     * front-proxy certificate without a user header, even on {@code /readyz}.
     */
    public static final String HEALTH_CHECK_USER = "system:kube4j-gateway";

    private final UpstreamPool pool;
    private final HttpClient client;
    private final Duration interval;
    private final Duration timeout;
    private volatile Disposable running;

    public UpstreamHealthChecker(UpstreamPool pool, HttpClient client, Duration interval, Duration timeout) {
        this.pool = pool;
        this.client = client.responseTimeout(timeout);
        this.interval = interval;
        this.timeout = timeout;
    }

    /** Checks {@code replica} once and records the result. */
    public Mono<Boolean> check(UpstreamReplica replica) {
        URI readyz = replica.rewrite(URI.create("http://replica/readyz"));
        return client.headers(h -> h.set(IdentityForwardingFilter.USER_HEADER, HEALTH_CHECK_USER)
                        .set(IdentityForwardingFilter.GROUP_HEADER, "system:authenticated"))
                .get().uri(readyz)
                .responseSingle((res, body) -> body.asString().defaultIfEmpty("")
                        .map(b -> res.status().code() == 200 ? "" : "HTTP " + res.status().code() + " " + b.strip()))
                .timeout(timeout.plusMillis(500))
                .onErrorResume(e -> Mono.just(e.toString().isEmpty() ? e.getClass().getName() : e.toString()))
                .map(failure -> {
                    replica.recordCheck(failure.isEmpty(), failure.isEmpty() ? "readyz 200" : failure);
                    return failure.isEmpty();
                });
    }

    /** An extra check now (after a passive marking), beside the periodic ones. */
    public void checkSoon(UpstreamReplica replica) {
        if (running != null) {
            check(replica).subscribe();
        }
    }

    @Override
    public synchronized void start() {
        if (running == null) {
            running = Flux.interval(Duration.ZERO, interval)
                    .onBackpressureDrop()
                    .concatMap(tick -> Flux.fromIterable(pool.replicas()).flatMap(this::check).then(), 1)
                    .subscribe();
        }
    }

    @Override
    public synchronized void stop() {
        if (running != null) {
            running.dispose();
            running = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }
}
