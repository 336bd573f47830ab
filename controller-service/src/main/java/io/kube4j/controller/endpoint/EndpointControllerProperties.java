package io.kube4j.controller.endpoint;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The Endpoints controller, {@code kube4j.controller.endpoint.*} (kube-controller-manager's
 * {@code --concurrent-endpoint-syncs} and {@code --endpoint-updates-batch-period}).
 *
 * @param concurrentSyncs            services synced in parallel (Kubernetes' default 5)
 * @param endpointUpdatesBatchPeriod how long a pod change waits so that the changes of many pods of one service
 *                                   become one write. Kubernetes' default is 0 (no batching); kube4j's 250 ms bounds a
 *                                   service to ~4 Endpoints writes per second during a rollout of any size, and
 *                                   leaves three quarters of the one second the issue allows from a pod's Ready
 *                                   change to its Endpoints update for the sync, the write and the watch delivery
 */
@ConfigurationProperties("kube4j.controller.endpoint")
public record EndpointControllerProperties(
        @DefaultValue("5") int concurrentSyncs,
        @DefaultValue("250ms") Duration endpointUpdatesBatchPeriod) {

    public EndpointControllerProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException("kube4j.controller.endpoint.concurrent-syncs must be at least 1, got "
                    + concurrentSyncs);
        }
        if (endpointUpdatesBatchPeriod == null || endpointUpdatesBatchPeriod.isNegative()) {
            throw new IllegalArgumentException(
                    "kube4j.controller.endpoint.endpoint-updates-batch-period must be zero or positive");
        }
    }

    /** The defaults, for tests and callers without Spring. */
    public static EndpointControllerProperties defaults() {
        return new EndpointControllerProperties(5, Duration.ofMillis(250));
    }
}
