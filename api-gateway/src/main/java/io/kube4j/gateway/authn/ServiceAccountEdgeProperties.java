package io.kube4j.gateway.authn;

import io.kube4j.security.authn.ServiceAccountTokens;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.List;

/**
 * ServiceAccount tokens at the edge ({@code kube4j.gateway.authentication.service-account.*}), verified as the
 * apiserver does (kube-apiserver's {@code --service-account-key-file}, {@code --service-account-issuer},
 * {@code --api-audiences}, {@code --service-account-lookup}).
 *
 * @param publicKeyFiles PEM files of the keys that sign tokens (public keys, certificates or private keys);
 *                       none: ServiceAccount tokens are not accepted at the edge
 * @param issuers        accepted {@code iss} values
 * @param apiAudiences   audiences a token must carry one of (empty: the issuers)
 * @param lookup         the ServiceAccount (and the Pod, Secret or Node a token is bound to) must still exist with
 *                       the token's UID, asked of the apiserver as {@code kube4j.gateway.client.kubeconfig}
 * @param lookupCacheTtl how long an answer of the apiserver is reused (a deleted ServiceAccount's tokens stop
 *                       working within this time)
 */
@ConfigurationProperties("kube4j.gateway.authentication.service-account")
public record ServiceAccountEdgeProperties(
        @DefaultValue({}) List<String> publicKeyFiles,
        @DefaultValue(ServiceAccountTokens.DEFAULT_ISSUER) List<String> issuers,
        @DefaultValue({}) List<String> apiAudiences,
        @DefaultValue("true") boolean lookup,
        @DefaultValue("3s") Duration lookupCacheTtl) {
}
