package io.kube4j.apiserver.limits;

import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.apiserver.auth.authz.RequestAttributes;
import org.springframework.web.server.ServerWebExchange;

import java.util.Set;

/**
 * Kubernetes' long-running request check ({@code BasicLongRunningRequestCheck(watch, proxy; attach, exec, proxy,
 * log, portforward)}): such requests have no timeout and do not count against the in-flight limits.
 */
public final class LongRunningRequests {

    private static final Set<String> VERBS = Set.of("watch", "proxy");
    private static final Set<String> SUBRESOURCES = Set.of("attach", "exec", "proxy", "log", "portforward");
    private static final String ATTRIBUTE = "kube4j.requestAttributes";

    private LongRunningRequests() {
    }

    public static boolean isLongRunning(AuthorizationAttributes a) {
        return a.resourceRequest() && (VERBS.contains(a.verb()) || SUBRESOURCES.contains(a.subresource()));
    }

    /** The request's attributes as Kubernetes' RequestInfoFactory sees them, resolved once per exchange (no user). */
    public static AuthorizationAttributes attributes(ServerWebExchange exchange) {
        AuthorizationAttributes a = exchange.getAttribute(ATTRIBUTE);
        if (a == null) {
            var r = exchange.getRequest();
            a = RequestAttributes.resolve(null, r.getMethod(), r.getPath().value(), r.getQueryParams());
            exchange.getAttributes().put(ATTRIBUTE, a);
        }
        return a;
    }

    public static boolean isLongRunning(ServerWebExchange exchange) {
        return isLongRunning(attributes(exchange));
    }
}
