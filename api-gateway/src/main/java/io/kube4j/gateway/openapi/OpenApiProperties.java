package io.kube4j.gateway.openapi;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * Swagger UI of the cluster's API ({@code kube4j.gateway.openapi.*}).
 *
 * @param refreshInterval how old the apiserver's {@code /openapi/v3} index may be when Swagger UI asks for it before it is fetched again (new CRDs or API
 *                        groups then appear in the UI's list)
 * @param identity        the user name the gateway asserts (front-proxy headers, group {@code system:authenticated})
 *                        when it reads the index: the documents are for authenticated users (system:discovery)
 */
@ConfigurationProperties("kube4j.gateway.openapi")
public record OpenApiProperties(Duration refreshInterval, String identity) {
    public OpenApiProperties {
        refreshInterval = refreshInterval == null ? Duration.ofMinutes(1) : refreshInterval;
        identity = identity == null || identity.isBlank() ? "system:kube4j-gateway" : identity;
    }
}
