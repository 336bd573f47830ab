package io.kube4j.gateway.authn;

import io.kube4j.gateway.StatusResponses;
import io.kube4j.security.UserInfo;
import io.kube4j.security.authn.AuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.OrderComparator;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;

/**
 * Authenticates every request with the {@link EdgeAuthenticator}s in order (first that answers wins) and keeps the
 * user in {@link EdgeIdentity} and Spring Security's context. A request whose credentials are rejected gets a 401
 * Status; one without credentials passes as {@code system:anonymous} (the apiserver then authorizes it, as it would
 * an anonymous request of its own) unless anonymous access is off.
 */
public final class EdgeAuthenticationFilter implements WebFilter {

    private static final Logger log = LoggerFactory.getLogger(EdgeAuthenticationFilter.class);

    private final List<EdgeAuthenticator> authenticators;
    private final List<AuthenticationFailureListener> failureListeners;
    private final boolean anonymous;

    public EdgeAuthenticationFilter(List<EdgeAuthenticator> authenticators,
                                    List<AuthenticationFailureListener> failureListeners, boolean anonymous) {
        List<EdgeAuthenticator> sorted = new ArrayList<>(authenticators);
        OrderComparator.sort(sorted);
        this.authenticators = List.copyOf(sorted);
        this.failureListeners = List.copyOf(failureListeners);
        this.anonymous = anonymous;
    }

    private record Outcome(UserInfo user, AuthenticationException error) {
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return resolve(exchange).flatMap(outcome -> {
            if (outcome.user() == null) {
                AuthenticationException e = outcome.error();
                log.debug("401 for {} {}: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
                        e.getMessage());
                failureListeners.forEach(l -> l.onFailure(exchange, e));
                return StatusResponses.write(exchange, HttpStatus.UNAUTHORIZED, "Unauthorized", "Unauthorized", 0);
            }
            EdgeIdentity.set(exchange, outcome.user());
            return chain.filter(exchange)
                    .contextWrite(ReactiveSecurityContextHolder.withAuthentication(
                            new EdgeAuthentication(outcome.user())));
        });
    }

    private Mono<Outcome> resolve(ServerWebExchange exchange) {
        return Flux.fromIterable(authenticators)
                .concatMap(a -> a.authenticate(exchange), 1)
                .next()
                .map(u -> new Outcome(u.withAuthenticatedGroup(), null))
                .switchIfEmpty(Mono.fromSupplier(() -> anonymous ? new Outcome(UserInfo.anonymous(), null)
                        : new Outcome(null, new AuthenticationException("no credentials"))))
                .onErrorResume(AuthenticationException.class, e -> Mono.just(new Outcome(null, e)));
    }
}
