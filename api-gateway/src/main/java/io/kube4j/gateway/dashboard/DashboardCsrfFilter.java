package io.kube4j.gateway.dashboard;

import io.kube4j.gateway.StatusResponses;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.Set;

/**
 * CSRF protection of cookie-authenticated requests: an unsafe method (anything but GET, HEAD, OPTIONS) that the
 * dashboard session authenticated must carry {@code X-CSRF-Token} equal to the session's CSRF token, else 403.
 * Requests authenticated by a client certificate or a bearer token carry no ambient credential and need none.
 * Runs after Spring Security's filter chain (which authenticated the request).
 */
public final class DashboardCsrfFilter implements WebFilter, Ordered {

    public static final String HEADER = "X-CSRF-Token";
    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (SAFE.contains(exchange.getRequest().getMethod())) {
            return chain.filter(exchange);
        }
        var session = SessionEdgeAuthenticator.of(exchange);
        if (session.isPresent() && !DashboardSessions.csrfMatches(session.get(),
                exchange.getRequest().getHeaders().getFirst(HEADER))) {
            return StatusResponses.write(exchange, HttpStatus.FORBIDDEN, "Forbidden",
                    "missing or wrong " + HEADER + " header for a request authenticated by the dashboard session", 0);
        }
        return chain.filter(exchange);
    }

    /** Right after Spring Security's {@code WebFilterChainProxy} (order -100). */
    @Override
    public int getOrder() {
        return -99;
    }
}
