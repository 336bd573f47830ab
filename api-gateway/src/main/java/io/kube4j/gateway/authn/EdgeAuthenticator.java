package io.kube4j.gateway.authn;

import io.kube4j.security.UserInfo;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * One way the gateway authenticates a request (client certificate, bearer token, dashboard session, ...). The
 * {@link EdgeAuthenticationFilter} asks every bean of this type in {@link #getOrder()} order; the first that
 * returns a user wins.
 */
public interface EdgeAuthenticator extends Ordered {

    /**
     * The request's user by this authenticator's kind of credential: empty when the request carries no credential
     * of this kind; an error {@link io.kube4j.security.authn.AuthenticationException} when it carries one that is
     * rejected (the request then gets 401, as Kubernetes does for bad credentials, even if it could pass as
     * anonymous).
     */
    Mono<UserInfo> authenticate(ServerWebExchange exchange);
}
