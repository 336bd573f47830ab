package io.kube4j.gateway.authn;

import io.kube4j.security.UserInfo;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** A gateway-authenticated user as a Spring Security {@code Authentication}: authorities are the groups. */
public final class EdgeAuthentication extends AbstractAuthenticationToken {

    private final UserInfo user;

    public EdgeAuthentication(UserInfo user) {
        super(user.groups().stream().map(SimpleGrantedAuthority::new).toList());
        this.user = user;
        setAuthenticated(true);
    }

    public UserInfo user() {
        return user;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return user.name();
    }
}
