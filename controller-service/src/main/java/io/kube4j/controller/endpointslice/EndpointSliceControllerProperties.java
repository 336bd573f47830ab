package io.kube4j.controller.endpointslice;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The EndpointSlice controller, {@code kube4j.controller.endpointslice.*} (kube-controller-manager's
 * {@code --concurrent-service-endpoint-syncs}, {@code --endpointslice-updates-batch-period},
 * {@code --max-endpoints-per-slice}).
 *
 * @param concurrentSyncs            services synced in parallel (Kubernetes' default 5)
 * @param endpointUpdatesBatchPeriod how long a pod change waits so that the changes of many pods become one write per
 *                                   slice; 250 ms, for the same reason as the Endpoints controller's
 * @param maxEndpointsPerSlice       endpoints per slice, 1 to 1000 (Kubernetes' default 100)
 */
@ConfigurationProperties("kube4j.controller.endpointslice")
public record EndpointSliceControllerProperties(
        @DefaultValue("5") int concurrentSyncs,
        @DefaultValue("250ms") Duration endpointUpdatesBatchPeriod,
        @DefaultValue("100") int maxEndpointsPerSlice) {

    public EndpointSliceControllerProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException(
                    "kube4j.controller.endpointslice.concurrent-syncs must be at least 1, got " + concurrentSyncs);
        }
        if (endpointUpdatesBatchPeriod == null || endpointUpdatesBatchPeriod.isNegative()) {
            throw new IllegalArgumentException(
                    "kube4j.controller.endpointslice.endpoint-updates-batch-period must be zero or positive");
        }
        if (maxEndpointsPerSlice < 1 || maxEndpointsPerSlice > 1000) {
            throw new IllegalArgumentException(
                    "kube4j.controller.endpointslice.max-endpoints-per-slice must be between 1 and 1000, got "
                            + maxEndpointsPerSlice);
        }
    }

    public static EndpointSliceControllerProperties defaults() {
        return new EndpointSliceControllerProperties(5, Duration.ofMillis(250), 100);
    }
}
