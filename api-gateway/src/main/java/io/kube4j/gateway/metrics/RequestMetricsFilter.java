package io.kube4j.gateway.metrics;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Measures every request at the outermost place (before the failed-authentication limit and Spring Security, so
 * the gateway's own 401s and 429s count too): the count and the time to the response headers when they are
 * committed (a watch is counted when it starts, not when it ends), and the long-running ones as active streams from
 * their start until their exchange completes, fails or is cancelled by the client.
 */
public final class RequestMetricsFilter implements WebFilter, Ordered {

    /** Outside everything else, including the failed-authentication limit at -200. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;
    /** The code recorded for a request the client gave up before the answer was committed (as nginx logs it). */
    static final int CLIENT_CLOSED = 499;

    private final GatewayMetrics metrics;

    public RequestMetricsFilter(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long start = System.nanoTime();
        AtomicBoolean recorded = new AtomicBoolean();
        exchange.getResponse().beforeCommit(() -> Mono.fromRunnable(() -> record(exchange, start, recorded, null)));
        Optional<StreamKind> kind = StreamKind.of(exchange.getRequest());
        kind.ifPresent(metrics::streamStarted);
        AtomicBoolean ended = new AtomicBoolean();
        return chain.filter(exchange).doFinally(signal -> {
            record(exchange, start, recorded, signal);
            if (kind.isPresent() && ended.compareAndSet(false, true)) {
                metrics.streamEnded(kind.get());
            }
        });
    }

    private void record(ServerWebExchange exchange, long start, AtomicBoolean recorded, SignalType signal) {
        if (!recorded.compareAndSet(false, true)) {
            return;
        }
        HttpStatusCode status = exchange.getResponse().getStatusCode();
        int code = status != null ? status.value()
                : signal == SignalType.CANCEL && !exchange.getResponse().isCommitted() ? CLIENT_CLOSED : 200;
        metrics.request(route(exchange), exchange.getRequest().getMethod().name(), code,
                Duration.ofNanos(System.nanoTime() - start));
    }

    static String route(ServerWebExchange exchange) {
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        return route == null ? GatewayMetrics.NO_ROUTE : route.getId();
    }
}
