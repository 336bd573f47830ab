package io.kube4j.apiserver.limits;

import io.kube4j.apiserver.auth.RequestUser;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.rest.Responses;
import io.kube4j.security.UserInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kubernetes' {@code WithMaxInFlightLimit}: at most {@code max-requests-inflight} read-only and
 * {@code max-mutating-requests-inflight} mutating requests are served at once; beyond, 429 TooManyRequests with
 * {@code Retry-After: 1}. Long-running requests are not counted, and, as in Kubernetes, a request from
 * {@code system:masters} is always served. Gauges {@code apiserver_current_inflight_requests{request_kind}},
 * counter {@code apiserver_dropped_requests_total{request_kind}}. Runs after authentication (order 0; Spring
 * Security's chain is at -100), since the exemption needs the user.
 */
@Component
@Order(0)
public class MaxInFlightFilter implements WebFilter {

    static final String READ_ONLY = "readOnly";
    static final String MUTATING = "mutating";

    private final Bucket readOnly;
    private final Bucket mutating;

    public MaxInFlightFilter(RequestLimitsProperties props, MeterRegistry meters) {
        this.readOnly = new Bucket(READ_ONLY, props.maxRequestsInflight(), meters);
        this.mutating = new Bucket(MUTATING, props.maxMutatingRequestsInflight(), meters);
    }

    /** One limit, its in-flight count and its drops. */
    private static final class Bucket {
        final int limit;
        final AtomicInteger inFlight = new AtomicInteger();
        final Counter dropped;

        Bucket(String kind, int limit, MeterRegistry meters) {
            this.limit = limit;
            Gauge.builder("apiserver_current_inflight_requests", inFlight, AtomicInteger::get)
                    .description("Maximal number of currently used inflight request limit of this apiserver per request kind")
                    .tag("request_kind", kind).register(meters);
            this.dropped = Counter.builder("apiserver_dropped_requests_total")
                    .description("Number of requests dropped with 'Try again later' response")
                    .tag("request_kind", kind).register(meters);
        }
    }

    int inFlight(String kind) {
        return (kind.equals(MUTATING) ? mutating : readOnly).inFlight.get();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        var attrs = LongRunningRequests.attributes(exchange);
        if (LongRunningRequests.isLongRunning(attrs)) {
            return chain.filter(exchange);
        }
        // Kubernetes' nonMutatingRequestVerbs: get, list, watch (and watch is long-running)
        Bucket b = attrs.readOnly() ? readOnly : mutating;
        if (b.limit <= 0) {
            return chain.filter(exchange);
        }
        if (b.inFlight.incrementAndGet() > b.limit) {
            b.inFlight.decrementAndGet();
            UserInfo user = RequestUser.find(exchange);
            if (user != null && user.groups().contains(UserInfo.SYSTEM_MASTERS)) {
                return chain.filter(exchange);
            }
            b.dropped.increment();
            return Responses.error(exchange, new ApiException(429, "TooManyRequests",
                    "Too many requests, please try again later.", null, null, null, java.util.List.of(), 1));
        }
        AtomicBoolean released = new AtomicBoolean();
        return chain.filter(exchange).doFinally(s -> {
            if (released.compareAndSet(false, true)) {
                b.inFlight.decrementAndGet();
            }
        });
    }
}
