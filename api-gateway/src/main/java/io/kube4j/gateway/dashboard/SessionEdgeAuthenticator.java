package io.kube4j.gateway.dashboard;

import io.kube4j.gateway.authn.EdgeAuthenticator;
import io.kube4j.security.UserInfo;
import io.kube4j.security.authn.AuthenticationException;
import org.springframework.http.HttpCookie;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.util.Optional;

/**
 * Authenticates requests bearing the dashboard's session cookie as the session's user, so the single-page app
 * (and its {@code EventSource}s, which cannot set headers) calls the API through the gateway without holding a
 * token. Runs after client certificates and bearer tokens: those win when a request carries both. An unknown or
 * expired session on an API path is rejected (401, the app then shows its login); on the dashboard's own paths it
 * counts as no credential, so the login page and the login itself still work.
 */
public final class SessionEdgeAuthenticator implements EdgeAuthenticator {

    public static final int ORDER = 300;
    public static final String COOKIE = "kube4j-dashboard";
    /** Exchange attribute holding the {@link DashboardSession} that authenticated the request. */
    public static final String SESSION_ATTRIBUTE = DashboardSession.class.getName();

    private final DashboardSessions sessions;

    public SessionEdgeAuthenticator(DashboardSessions sessions) {
        this.sessions = sessions;
    }

    /** The session cookie's value, or null. */
    public static String cookie(ServerWebExchange exchange) {
        HttpCookie c = exchange.getRequest().getCookies().getFirst(COOKIE);
        return c == null || c.getValue().isEmpty() ? null : c.getValue();
    }

    /** The session that authenticated this request, if the cookie did. */
    public static Optional<DashboardSession> of(ServerWebExchange exchange) {
        return Optional.ofNullable(exchange.getAttribute(SESSION_ATTRIBUTE));
    }

    @Override
    public Mono<UserInfo> authenticate(ServerWebExchange exchange) {
        String id = cookie(exchange);
        if (id == null) {
            return Mono.empty();
        }
        Optional<DashboardSession> s = sessions.use(id);
        if (s.isPresent()) {
            exchange.getAttributes().put(SESSION_ATTRIBUTE, s.get());
            return Mono.just(s.get().user());
        }
        if (exchange.getRequest().getPath().value().startsWith(DashboardConfiguration.BASE)) {
            return Mono.empty();
        }
        return Mono.error(new AuthenticationException("dashboard session expired or unknown"));
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
