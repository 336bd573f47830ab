package io.kube4j.gateway.authn;

import io.kube4j.security.authn.OidcAuthenticator;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.util.List;
import java.util.Map;

/**
 * OpenID Connect ID tokens at the edge ({@code kube4j.gateway.authentication.oidc.*}), with the meaning of
 * kube-apiserver's {@code --oidc-*} flags (see {@link OidcAuthenticator.Config}); off without an issuer URL.
 */
@ConfigurationProperties("kube4j.gateway.authentication.oidc")
public record OidcEdgeProperties(
        String issuerUrl,
        String clientId,
        @DefaultValue("sub") String usernameClaim,
        String usernamePrefix,
        String groupsClaim,
        String groupsPrefix,
        @DefaultValue({}) Map<String, String> requiredClaims,
        @DefaultValue("RS256") List<String> signingAlgs,
        String caFile) {

    public OidcAuthenticator.Config toConfig() {
        return new OidcAuthenticator.Config(issuerUrl, clientId, usernameClaim, usernamePrefix, groupsClaim,
                groupsPrefix, requiredClaims, signingAlgs, caFile);
    }
}
