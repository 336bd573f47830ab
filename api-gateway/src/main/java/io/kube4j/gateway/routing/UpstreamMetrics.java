package io.kube4j.gateway.routing;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The pool's metrics: {@code gateway_upstream_healthy{server}} (1 or 0), {@code gateway_upstream_outstanding{server}}
 * (requests in flight, streams included), {@code gateway_upstream_requests_total{server}} (requests sent, retries
 * included) and {@code gateway_upstream_retries_total}.
 */
public final class UpstreamMetrics implements MeterBinder {

    private final UpstreamPool pool;

    public UpstreamMetrics(UpstreamPool pool) {
        this.pool = pool;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (UpstreamReplica r : pool.replicas()) {
            Gauge.builder("gateway.upstream.healthy", r, x -> x.healthy() ? 1 : 0).tag("server", r.server())
                    .description("Whether the apiserver replica is in the selection").register(registry);
            Gauge.builder("gateway.upstream.outstanding", r, UpstreamReplica::outstanding).tag("server", r.server())
                    .description("Requests in flight to the apiserver replica, streams included").register(registry);
            FunctionCounter.builder("gateway.upstream.requests", r, UpstreamReplica::served).tag("server", r.server())
                    .description("Requests sent to the apiserver replica").register(registry);
        }
        FunctionCounter.builder("gateway.upstream.retries", pool, UpstreamPool::retries)
                .description("Requests sent again to another apiserver replica").register(registry);
    }
}
