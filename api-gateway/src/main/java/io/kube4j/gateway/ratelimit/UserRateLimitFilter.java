package io.kube4j.gateway.ratelimit;

import io.kube4j.gateway.StatusResponses;
import io.kube4j.gateway.authn.EdgeIdentity;
import io.kube4j.gateway.metrics.GatewayMetrics;
import io.kube4j.security.UserInfo;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.Optional;

/**
 * Limits the request rate of each authenticated user (one token per request; a watch or an exec session takes one
 * token when it starts and none while it lasts), after Spring Security has authenticated it. Anonymous requests
 * share one bucket per client address. A request over the limit gets 429 {@code TooManyRequests} with
 * {@code Retry-After} (whole seconds until a token is back).
 */
public final class UserRateLimitFilter implements WebFilter, Ordered, AutoCloseable {

    /** After Spring Security's {@code WebFilterChainProxy} (-100), which sets the user. */
    public static final int ORDER = 0;

    private final RateLimitRules rules;
    private final TokenBuckets buckets;
    private final GatewayMetrics metrics;

    public UserRateLimitFilter(RateLimitRules rules, TokenBuckets buckets, GatewayMetrics metrics) {
        this.rules = rules;
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
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        Optional<UserInfo> user = EdgeIdentity.of(exchange);
        if (user.isEmpty()) {
            return chain.filter(exchange); // not an authenticated exchange (the security chain answered already)
        }
        Optional<Limit> limit = rules.limitFor(user.get());
        if (limit.isEmpty()) {
            return chain.filter(exchange);
        }
        TokenBuckets.Decision d = buckets.tryConsume(key(exchange, user.get()), limit.get());
        if (d.allowed()) {
            return chain.filter(exchange);
        }
        metrics.rateLimited(GatewayMetrics.RATE_LIMITED_USER);
        return StatusResponses.write(exchange, HttpStatus.TOO_MANY_REQUESTS, "TooManyRequests",
                "Too many requests from " + user.get().name() + ", please try again later.", d.retryAfterSeconds());
    }

    static String key(ServerWebExchange exchange, UserInfo user) {
        return UserInfo.ANONYMOUS_USER.equals(user.name()) ? "anonymous@" + ClientAddress.of(exchange)
                : "user:" + user.name();
    }
}
