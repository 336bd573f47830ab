package io.kube4j.gateway.authn;

import io.kube4j.security.UserInfo;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** {@code Authorization: Bearer <token>}, reviewed by every {@link TokenAuthenticator} ({@link TokenReviewer}). */
public final class BearerTokenEdgeAuthenticator implements EdgeAuthenticator {

    public static final int ORDER = 200;

    private final TokenReviewer reviewer;

    public BearerTokenEdgeAuthenticator(TokenReviewer reviewer) {
        this.reviewer = reviewer;
    }

    /** The bearer token of the request, or null. */
    public static String bearerToken(ServerWebExchange exchange) {
        String h = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (h == null || h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return h.substring(7).trim();
    }

    @Override
    public Mono<UserInfo> authenticate(ServerWebExchange exchange) {
        String token = bearerToken(exchange);
        return token == null ? Mono.empty() : reviewer.review(token);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
