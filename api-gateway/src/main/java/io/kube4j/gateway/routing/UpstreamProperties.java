package io.kube4j.gateway.routing;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.List;

/**
 * The apiserver pool ({@code kube4j.gateway.upstream.*}): the replicas, how the gateway reaches them, and how it
 * checks their health.
 *
 * @param servers             the apiserver replicas' base URLs ({@code https://127.0.0.1:6443}, ...)
 * @param caFile              the CA that signs their serving certificates (the cluster CA)
 * @param clientCertFile      the gateway's front-proxy client certificate (signed by the front-proxy CA, CN
 *                            {@code front-proxy-client}), the only credential that makes the apiserver trust the
 *                            identity headers
 * @param clientKeyFile       its key
 * @param healthCheckInterval how often each replica's {@code /readyz} is fetched (default 2s)
 * @param healthCheckTimeout  how long a {@code /readyz} may take before it counts as failed (default 5s:
 *                            a loaded replica is slow, not gone; a stopped one refuses at once)
 * @param unhealthyThreshold  consecutive failed checks that take a healthy replica out (default 3, as a
 *                            Kubernetes probe's failureThreshold)
 * @param healthyThreshold    consecutive good checks that bring an unhealthy replica back (default 1)
 * @param maxRetries          how many other replicas an idempotent read is retried on (default 2)
 */
@ConfigurationProperties("kube4j.gateway.upstream")
public record UpstreamProperties(List<String> servers, String caFile, String clientCertFile, String clientKeyFile,
                                 Duration healthCheckInterval, Duration healthCheckTimeout,
                                 Integer unhealthyThreshold, Integer healthyThreshold, Integer maxRetries) {
    public UpstreamProperties {
        servers = servers == null ? List.of() : List.copyOf(servers);
        healthCheckInterval = healthCheckInterval == null ? Duration.ofSeconds(2) : healthCheckInterval;
        healthCheckTimeout = healthCheckTimeout == null ? Duration.ofSeconds(5) : healthCheckTimeout;
        unhealthyThreshold = unhealthyThreshold == null ? 3 : Math.max(1, unhealthyThreshold);
        healthyThreshold = healthyThreshold == null ? 1 : Math.max(1, healthyThreshold);
        maxRetries = maxRetries == null ? 2 : Math.max(0, maxRetries);
    }

    /** Only the replicas (tests and tools). */
    public static UpstreamProperties of(List<String> servers) {
        return new UpstreamProperties(servers, null, null, null, null, null, null, null, null);
    }
}
