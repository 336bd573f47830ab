package io.kube4j.apiserver.auth.authn;

import io.kube4j.security.authn.OidcAuthenticator;
import io.kube4j.security.authn.ServiceAccountTokens;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.List;

/**
 * Authentication settings, under {@code kube4j.apiserver.authentication}. Client certificates are verified
 * against {@code kube4j.apiserver.tls.client-ca-file} (the TLS settings).
 *
 * @param insecureDevelopment development only: a request without credentials acts as a superuser
 *                            ({@value RequestAuthentication#INSECURE_DEVELOPMENT_USER} in system:masters)
 * @param tokenFile           Kubernetes static token file (CSV {@code token,user,uid,"group1,group2"}), reloaded on change
 * @param anonymousPaths      path patterns a request without credentials may reach (as system:anonymous; still authorized)
 * @param requestheader       the front proxy (api-gateway) whose identity headers are trusted
 * @param serviceAccount      ServiceAccount token signing and verification
 * @param oidc                OpenID Connect ID tokens of one issuer (kube-apiserver's {@code --oidc-*} flags; off
 *                            without an issuer URL)
 */
@ConfigurationProperties("kube4j.apiserver.authentication")
public record AuthenticationProperties(
        @DefaultValue("false") boolean insecureDevelopment,
        String tokenFile,
        @DefaultValue({"/healthz", "/livez", "/readyz", "/version", "/actuator/health/**"}) List<String> anonymousPaths,
        @DefaultValue RequestHeader requestheader,
        @DefaultValue ServiceAccount serviceAccount,
        @DefaultValue OidcAuthenticator.Config oidc) {

    /**
     * @param clientCaFile       PEM CA bundle that signs the front proxy's client certificate (unset: no front proxy)
     * @param allowedNames       CNs of the proxy certificates that may assert identities (empty: any the CA signed)
     * @param usernameHeaders    headers holding the user name
     * @param groupHeaders       headers holding groups (each value one group, repeatable)
     * @param extraHeadersPrefix prefixes of headers holding extra attributes ({@code X-Remote-Extra-<key>})
     */
    public record RequestHeader(
            String clientCaFile,
            @DefaultValue({}) List<String> allowedNames,
            @DefaultValue("X-Remote-User") List<String> usernameHeaders,
            @DefaultValue("X-Remote-Group") List<String> groupHeaders,
            @DefaultValue("X-Remote-Extra-") List<String> extraHeadersPrefix) {
    }

    /**
     * @param keyFile            PEM private key that signs tokens (unset: an ephemeral key; tokens die with the process)
     * @param publicKeyFiles     more PEM public keys (or certificates, or private keys) whose tokens are accepted
     * @param issuer             the {@code iss} of issued tokens
     * @param apiAudiences       audiences the API accepts (empty: the issuer)
     * @param maxTokenExpiration the longest lifetime a TokenRequest gets (longer requests are shortened to it)
     */
    public record ServiceAccount(
            String keyFile,
            @DefaultValue({}) List<String> publicKeyFiles,
            @DefaultValue(ServiceAccountTokens.DEFAULT_ISSUER) String issuer,
            @DefaultValue({}) List<String> apiAudiences,
            @DefaultValue("24h") Duration maxTokenExpiration) {
    }
}
