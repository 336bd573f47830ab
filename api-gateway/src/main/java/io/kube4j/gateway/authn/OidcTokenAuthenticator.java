package io.kube4j.gateway.authn;

import io.kube4j.security.UserInfo;
import io.kube4j.security.authn.OidcAuthenticator;
import reactor.core.publisher.Mono;

/** OpenID Connect ID tokens of the configured issuer at the edge (the security module's {@link OidcAuthenticator}). */
public final class OidcTokenAuthenticator implements TokenAuthenticator {

    public static final int ORDER = 300;

    private final OidcAuthenticator oidc;

    public OidcTokenAuthenticator(OidcAuthenticator oidc) {
        this.oidc = oidc;
    }

    @Override
    public Mono<UserInfo> authenticate(String token) {
        return oidc.authenticate(token).flatMap(Mono::justOrEmpty);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
