package io.kube4j.gateway.routing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;

/**
 * Sends each API request to a replica of the {@link UpstreamPool}: after {@link RouteToRequestUrlFilter} built the
 * request URL from the route, it rewrites its scheme and authority to the chosen replica (path and raw query kept
 * byte for byte) for the Netty HTTP and WebSocket routing filters that follow. When the attempt fails as
 * {@link RetryPolicy} allows, it resets the exchange and sends the request to another replica, at most
 * {@code kube4j.gateway.upstream.max-retries} times; a replica whose connection was refused or reset is taken out
 * at once (passive health) and checked again immediately.
 */
public final class UpstreamSelectionFilter implements GlobalFilter, Ordered {

    /** Where Spring Cloud LoadBalancer's client filter would run: after the URL is built, before routing. */
    public static final int ORDER = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 150;

    private static final Logger log = LoggerFactory.getLogger(UpstreamSelectionFilter.class);
    private static final Object ANSWERED = new Object();
    private static final String STALE_RETRIES_ATTR = UpstreamSelectionFilter.class.getName() + ".staleRetries";

    private final UpstreamPool pool;
    private final UpstreamHealthChecker health;
    private final int maxRetries;

    public UpstreamSelectionFilter(UpstreamPool pool, UpstreamHealthChecker health, int maxRetries) {
        this.pool = pool;
        this.health = health;
        this.maxRetries = maxRetries;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        URI url = exchange.getAttribute(GATEWAY_REQUEST_URL_ATTR);
        if (url == null || !UpstreamExchangeFilter.isApiRoute(exchange)) {
            return chain.filter(exchange);
        }
        AtomicReference<UpstreamReplica.Lease> holder = exchange.getAttribute(UpstreamExchangeFilter.LEASE_ATTR);
        if (holder == null) {
            // not behind UpstreamExchangeFilter (a custom chain): release here when the routing is done
            AtomicReference<UpstreamReplica.Lease> own = new AtomicReference<>();
            exchange.getAttributes().put(UpstreamExchangeFilter.LEASE_ATTR, own);
            return attempt(exchange, chain, url, own, new ArrayList<>())
                    .doFinally(s -> release(own));
        }
        return attempt(exchange, chain, url, holder, new ArrayList<>());
    }

    private Mono<Void> attempt(ServerWebExchange exchange, GatewayFilterChain chain, URI url,
                               AtomicReference<UpstreamReplica.Lease> holder, List<UpstreamReplica> tried) {
        UpstreamReplica replica = pool.select(tried);
        if (replica == null) {
            return Mono.error(new UpstreamErrors.NoReplicaException(tried.isEmpty()
                    ? "no apiserver replica is available (all " + pool.replicas().size() + " unhealthy)"
                    : "no other apiserver replica is available after " + tried.size() + " attempt(s)"));
        }
        tried.add(replica);
        release(holder);
        holder.set(replica.acquire());
        exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, replica.rewrite(url));
        ServerHttpRequest request = exchange.getRequest();
        return chain.filter(exchange)
                .thenReturn(ANSWERED)
                .onErrorResume(Mono::just)
                .flatMap(outcome -> {
                    if (outcome == ANSWERED) {
                        HttpStatusCode status = exchange.getResponse().getStatusCode();
                        if (status != null && RetryPolicy.retryOnStatus(request, status.value())
                                && mayRetry(exchange, tried)) {
                            log.debug("{} {}: replica {} answered {}, retrying on another", request.getMethod(),
                                    url.getRawPath(), replica.server(), status.value());
                            return retry(exchange, chain, url, holder, tried);
                        }
                        return Mono.empty();
                    }
                    Throwable error = (Throwable) outcome;
                    if (RetryPolicy.marksReplica(error) && replica.markFailed(error)) {
                        health.checkSoon(replica);
                    }
                    if (RetryPolicy.isStaleConnection(error) && !exchange.getResponse().isCommitted()
                            && staleRetry(exchange)) {
                        // nothing was sent: the same replica may take it on a fresh connection
                        log.debug("{} {}: pooled connection to {} was closed before sending, sending again",
                                request.getMethod(), url.getRawPath(), replica.server());
                        tried.remove(replica);
                        return retry(exchange, chain, url, holder, tried);
                    }
                    if (RetryPolicy.retryOnError(request, error) && mayRetry(exchange, tried)) {
                        log.debug("{} {}: replica {} failed ({}), retrying on another", request.getMethod(),
                                url.getRawPath(), replica.server(), error.toString());
                        return retry(exchange, chain, url, holder, tried);
                    }
                    return Mono.error(error);
                });
    }

    /** At most {@code max-retries} resends of one request after stale pooled connections. */
    private boolean staleRetry(ServerWebExchange exchange) {
        Integer n = exchange.getAttribute(STALE_RETRIES_ATTR);
        int next = n == null ? 1 : n + 1;
        if (next > Math.max(1, maxRetries)) {
            return false;
        }
        exchange.getAttributes().put(STALE_RETRIES_ATTR, next);
        return true;
    }

    private boolean mayRetry(ServerWebExchange exchange, List<UpstreamReplica> tried) {
        return !exchange.getResponse().isCommitted() && tried.size() <= maxRetries && pool.hasOther(tried);
    }

    private Mono<Void> retry(ServerWebExchange exchange, GatewayFilterChain chain, URI url,
                             AtomicReference<UpstreamReplica.Lease> holder, List<UpstreamReplica> tried) {
        release(holder);
        ServerWebExchangeUtils.reset(exchange);
        pool.recordRetry();
        return attempt(exchange, chain, url, holder, tried);
    }

    private static void release(AtomicReference<UpstreamReplica.Lease> holder) {
        UpstreamReplica.Lease l = holder.getAndSet(null);
        if (l != null) {
            l.release();
        }
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
