package io.kube4j.gateway.authn;

import io.kube4j.security.UserInfo;
import org.springframework.core.Ordered;
import reactor.core.publisher.Mono;

/**
 * One kind of bearer token (static token file, ServiceAccount JWT, OIDC ID token). {@link TokenReviewer} asks
 * every bean of this type in order.
 */
public interface TokenAuthenticator extends Ordered {

    /**
     * The token's user; empty when this authenticator does not know the token (the next one is asked); an error
     * {@link io.kube4j.security.authn.AuthenticationException} when the token is of its kind but invalid (expired,
     * bad signature, ...).
     */
    Mono<UserInfo> authenticate(String token);
}
