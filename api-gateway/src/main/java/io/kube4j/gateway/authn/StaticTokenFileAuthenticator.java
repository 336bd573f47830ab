package io.kube4j.gateway.authn;

import io.kube4j.security.UserInfo;
import io.kube4j.security.authn.StaticTokenAuthenticator;
import reactor.core.publisher.Mono;

/** The static token file ({@code kube4j.gateway.authentication.token-file}), read again when it changes. */
public final class StaticTokenFileAuthenticator implements TokenAuthenticator {

    public static final int ORDER = 100;

    private final StaticTokenAuthenticator tokens;

    public StaticTokenFileAuthenticator(StaticTokenAuthenticator tokens) {
        this.tokens = tokens;
    }

    @Override
    public Mono<UserInfo> authenticate(String token) {
        return Mono.fromCallable(() -> tokens.authenticate(token).orElse(null));
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
