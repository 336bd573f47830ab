package io.kube4j.gateway.dashboard;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the dashboard's credentials at the edge: the session cookie and the CSRF header are the gateway's, so
 * they are removed from requests routed to the apiserver (which learns the user from the front-proxy headers).
 * Other cookies pass unchanged.
 */
public final class SessionCookieStrippingFilter implements GlobalFilter, Ordered {

    /** Right after the identity headers are rewritten, before the routing filters. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 1001;

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        HttpHeaders in = exchange.getRequest().getHeaders();
        if (!in.containsHeader(HttpHeaders.COOKIE) && !in.containsHeader(DashboardCsrfFilter.HEADER)) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange.mutate().request(r -> r.headers(SessionCookieStrippingFilter::strip)).build());
    }

    /** Removes the session cookie from every {@code Cookie} header (dropping headers left empty) and the CSRF header. */
    public static void strip(HttpHeaders headers) {
        headers.remove(DashboardCsrfFilter.HEADER);
        List<String> cookies = headers.get(HttpHeaders.COOKIE);
        if (cookies == null) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (String header : cookies) {
            List<String> pairs = new ArrayList<>();
            for (String pair : header.split(";")) {
                String p = pair.trim();
                if (!p.isEmpty() && !p.startsWith(SessionEdgeAuthenticator.COOKIE + "=")) {
                    pairs.add(p);
                }
            }
            if (!pairs.isEmpty()) {
                kept.add(String.join("; ", pairs));
            }
        }
        headers.remove(HttpHeaders.COOKIE);
        if (!kept.isEmpty()) {
            headers.put(HttpHeaders.COOKIE, kept);
        }
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
