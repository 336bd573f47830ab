package io.kube4j.gateway.authn;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The gateway's own identity towards the apiserver ({@code kube4j.gateway.client.*}), for its lookups (the
 * ServiceAccount token check): a kubeconfig whose user is {@code system:kube4j-gateway} (a client certificate of
 * the cluster CA), bound to the bootstrap ClusterRole of that name.
 *
 * @param kubeconfig the kubeconfig file (unset: the gateway makes no lookups of its own)
 * @param context    its context to use (unset: the current context)
 */
@ConfigurationProperties("kube4j.gateway.client")
public record GatewayClientProperties(String kubeconfig, String context) {
}
