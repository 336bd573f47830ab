package io.kube4j.gateway.ratelimit;

import io.kube4j.gateway.StatusResponses;
import io.kube4j.gateway.authn.AuthenticationFailureListener;
import io.kube4j.gateway.metrics.GatewayMetrics;
import io.kube4j.security.authn.AuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Slows down credential guessing: every 401 takes a token from its client address's bucket (small, slowly
 * refilled), and a request from an address whose bucket is empty gets 429 {@code TooManyRequests} before Spring
 * Security looks at its credentials at all. Once a token is back the address is served again, and a good credential
 * works as before.
 */
public final class FailedAuthenticationLimiter implements WebFilter, AuthenticationFailureListener, Ordered, AutoCloseable {

    /** Before Spring Security's {@code WebFilterChainProxy} (-100). */
    public static final int ORDER = -200;

    private static final Logger log = LoggerFactory.getLogger(FailedAuthenticationLimiter.class);

    private final Limit limit;
    private final TokenBuckets buckets;
    private final GatewayMetrics metrics;

    public FailedAuthenticationLimiter(Limit limit, TokenBuckets buckets, GatewayMetrics metrics) {
        this.limit = limit;
        this.buckets = buckets;
        this.metrics = metrics;
    }

    /** Stops sweeping the idle buckets. */
    @Override
    public void close() {
        buckets.close();
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public void onFailure(ServerWebExchange exchange, AuthenticationException reason) {
        String address = ClientAddress.of(exchange);
        if (!buckets.tryConsume(address, limit).allowed()) {
            log.debug("failed authentications from {} over the limit", address);
        }
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        TokenBuckets.Decision d = buckets.peek(ClientAddress.of(exchange));
        if (d.allowed()) {
            return chain.filter(exchange);
        }
        metrics.rateLimited(GatewayMetrics.RATE_LIMITED_FAILED_AUTH);
        return StatusResponses.write(exchange, HttpStatus.TOO_MANY_REQUESTS, "TooManyRequests",
                "Too many failed authentications from this address, please try again later.",
                d.retryAfterSeconds());
    }
}
