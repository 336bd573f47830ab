package io.kube4j.controller.disruption;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The disruption controller, {@code kube4j.controller.disruption.*}; defaults are kube-controller-manager's.
 *
 * @param concurrentSyncs budgets worked on at once
 * @param deletionTimeout how long an eviction's entry in {@code status.disruptedPods} holds its pod out of the
 *                        healthy count before the controller assumes the pod will not be deleted (Kubernetes' 2 min)
 */
@ConfigurationProperties("kube4j.controller.disruption")
public record DisruptionControllerProperties(
        @DefaultValue("5") int concurrentSyncs,
        @DefaultValue("2m") Duration deletionTimeout) {

    public DisruptionControllerProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException("kube4j.controller.disruption.concurrent-syncs must be at least 1, got "
                    + concurrentSyncs);
        }
        if (deletionTimeout == null || deletionTimeout.isNegative() || deletionTimeout.isZero()) {
            throw new IllegalArgumentException("kube4j.controller.disruption.deletion-timeout must be positive, got "
                    + deletionTimeout);
        }
    }

    /** Kubernetes' defaults. */
    public static DisruptionControllerProperties defaults() {
        return new DisruptionControllerProperties(5, Duration.ofMinutes(2));
    }
}
