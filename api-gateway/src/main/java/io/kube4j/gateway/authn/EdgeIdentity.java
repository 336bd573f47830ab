package io.kube4j.gateway.authn;

import io.kube4j.security.UserInfo;
import org.springframework.web.server.ServerWebExchange;

import java.util.Optional;

/** The user the gateway authenticated for a request, kept as an exchange attribute. */
public final class EdgeIdentity {

    public static final String ATTRIBUTE = EdgeIdentity.class.getName();

    private EdgeIdentity() {
    }

    public static Optional<UserInfo> of(ServerWebExchange exchange) {
        return Optional.ofNullable(exchange.getAttribute(ATTRIBUTE));
    }

    static void set(ServerWebExchange exchange, UserInfo user) {
        exchange.getAttributes().put(ATTRIBUTE, user);
    }
}
