package io.kube4j.gateway.authn;

import io.kube4j.security.UserInfo;
import io.kube4j.security.authn.AuthenticationException;
import org.springframework.core.OrderComparator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;

/**
 * Every {@link TokenAuthenticator} in order: the first that knows the token answers. A token none accepts is
 * rejected ({@link AuthenticationException}), never treated as anonymous. Used for bearer tokens on API requests
 * and for the dashboard's token login.
 */
public final class TokenReviewer {

    private final List<TokenAuthenticator> authenticators;

    public TokenReviewer(List<TokenAuthenticator> authenticators) {
        List<TokenAuthenticator> sorted = new ArrayList<>(authenticators);
        OrderComparator.sort(sorted);
        this.authenticators = List.copyOf(sorted);
    }

    /** The token's user, or an {@link AuthenticationException} error. */
    public Mono<UserInfo> review(String token) {
        if (token == null || token.isBlank()) {
            return Mono.error(new AuthenticationException("empty bearer token"));
        }
        return Flux.fromIterable(authenticators)
                .concatMap(a -> a.authenticate(token), 1)
                .next()
                .switchIfEmpty(Mono.error(() -> new AuthenticationException("invalid bearer token")));
    }
}
