package io.kube4j.gateway.routing;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.util.List;

/**
 * The apiserver pool ({@code kube4j.gateway.upstream.*}).
 *
 * @param servers        the apiserver replicas' base URLs ({@code https://127.0.0.1:6443}, ...)
 * @param caFile         the CA that signs their serving certificates (the cluster CA)
 * @param clientCertFile the gateway's front-proxy client certificate (signed by the front-proxy CA, CN
 *                       {@code front-proxy-client}), the only credential that makes the apiserver trust the
 *                       identity headers
 * @param clientKeyFile  its key
 */
@ConfigurationProperties("kube4j.gateway.upstream")
public record UpstreamProperties(List<String> servers, String caFile, String clientCertFile, String clientKeyFile) {
    public UpstreamProperties {
        servers = servers == null ? List.of() : List.copyOf(servers);
    }
}
