package io.kube4j.gateway.authn;

import io.kube4j.security.UserInfo;
import io.kube4j.security.authn.ServiceAccountTokens;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * ServiceAccount JWTs at the edge, checked by the apiserver's own code ({@link ServiceAccountTokens}, verify-only
 * here): signature, issuer, dates, the API's audiences and, with lookup on, that the objects the token names still
 * exist with its UIDs.
 */
public final class ServiceAccountTokenAuthenticator implements TokenAuthenticator {

    public static final int ORDER = 200;

    private final ServiceAccountTokens tokens;

    public ServiceAccountTokenAuthenticator(ServiceAccountTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public Mono<UserInfo> authenticate(String token) {
        return tokens.authenticate(token, List.of())
                .flatMap(r -> Mono.justOrEmpty(r.map(ServiceAccountTokens.Authenticated::user)));
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
