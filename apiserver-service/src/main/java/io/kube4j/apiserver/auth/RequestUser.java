package io.kube4j.apiserver.auth;

import io.kube4j.security.UserInfo;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * Where the authenticated identity of a request lives: an exchange attribute set by the authentication filters
 * (after impersonation, this is the impersonated user) and read by handlers, admission and audit.
 */
public final class RequestUser {

    public static final String ATTRIBUTE = "kube4j.user";
    /** The identity that authenticated, when impersonation replaced it (for audit's {@code impersonatedUser}). */
    public static final String AUTHENTICATED_ATTRIBUTE = "kube4j.authenticatedUser";

    private RequestUser() {
    }

    public static UserInfo get(ServerWebExchange exchange) {
        return require((UserInfo) exchange.getAttribute(ATTRIBUTE));
    }

    public static UserInfo get(ServerRequest request) {
        return require((UserInfo) request.attributes().get(ATTRIBUTE));
    }

    /** The user, or null when no authentication filter ran (only possible in unit tests of handlers). */
    public static UserInfo find(ServerWebExchange exchange) {
        return exchange.getAttribute(ATTRIBUTE);
    }

    public static void set(ServerWebExchange exchange, UserInfo user) {
        exchange.getAttributes().put(ATTRIBUTE, user);
    }

    private static UserInfo require(UserInfo u) {
        if (u == null) {
            // a wiring bug, never a client's fault: every request passes the authentication filters first
            throw new IllegalStateException("no authenticated user on the request: the authentication filters did not run");
        }
        return u;
    }
}
