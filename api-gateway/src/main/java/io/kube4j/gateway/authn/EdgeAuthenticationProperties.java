package io.kube4j.gateway.authn;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the gateway authenticates users ({@code kube4j.gateway.authentication.*}), with the same meaning as the
 * apiserver's flags of the same names.
 *
 * @param clientCaFile the CA of user client certificates (the cluster CA; empty: client certificates are ignored)
 * @param tokenFile    a static token file ({@code token,user,uid,"group1,group2"})
 * @param anonymous    requests without credentials pass as {@code system:anonymous} (the apiserver authorizes them)
 */
@ConfigurationProperties("kube4j.gateway.authentication")
public record EdgeAuthenticationProperties(String clientCaFile, String tokenFile, Boolean anonymous) {
    public EdgeAuthenticationProperties {
        anonymous = anonymous == null || anonymous;
    }
}
