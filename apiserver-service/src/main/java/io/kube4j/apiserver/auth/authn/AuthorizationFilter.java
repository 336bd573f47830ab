package io.kube4j.apiserver.auth.authn;

import io.kube4j.apiserver.auth.RequestUser;
import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.apiserver.auth.authz.Authorizer;
import io.kube4j.apiserver.auth.authz.Forbidden;
import io.kube4j.apiserver.auth.authz.RequestAttributes;
import io.kube4j.apiserver.rest.Responses;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.function.Supplier;

/**
 * The authorization step of the security chain: the request's {@link AuthorizationAttributes} (Kubernetes'
 * RequestInfo) for the (impersonated) user, asked of the {@code @Primary} {@link Authorizer}; anything but ALLOW
 * is a 403 Status worded as Kubernetes words it.
 */
public final class AuthorizationFilter implements WebFilter {

    private final Supplier<Authorizer> authorizer;

    public AuthorizationFilter(Supplier<Authorizer> authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest r = exchange.getRequest();
        AuthorizationAttributes a = RequestAttributes.resolve(RequestUser.get(exchange), r.getMethod(),
                r.getPath().pathWithinApplication().value(), r.getQueryParams());
        return authorizer.get().authorize(a).flatMap(d -> d.allowed() ? chain.filter(exchange)
                : Responses.error(exchange, Forbidden.of(a, d.reason())));
    }
}
