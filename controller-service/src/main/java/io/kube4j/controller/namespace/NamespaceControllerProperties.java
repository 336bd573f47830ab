package io.kube4j.controller.namespace;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The namespace controller, {@code kube4j.controller.namespace.*}; defaults are kube-controller-manager's.
 *
 * @param concurrentSyncs namespaces deleted at once ({@code --concurrent-namespace-syncs}, 10)
 * @param syncPeriod      how often every Terminating namespace is looked at again ({@code --namespace-sync-period}, 5m)
 * @param deletionDelay   how long after a namespace is seen Terminating its content is first deleted, so that every
 *                        apiserver's lifecycle check refuses new content by then (Kubernetes'
 *                        {@code namespaceDeletionGracePeriod}, 5s)
 */
@ConfigurationProperties("kube4j.controller.namespace")
public record NamespaceControllerProperties(
        @DefaultValue("10") int concurrentSyncs,
        @DefaultValue("5m") Duration syncPeriod,
        @DefaultValue("5s") Duration deletionDelay) {

    public NamespaceControllerProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException("kube4j.controller.namespace.concurrent-syncs must be at least 1, got "
                    + concurrentSyncs);
        }
        if (syncPeriod == null || syncPeriod.isNegative() || syncPeriod.isZero()) {
            throw new IllegalArgumentException("kube4j.controller.namespace.sync-period must be positive, got "
                    + syncPeriod);
        }
        if (deletionDelay == null || deletionDelay.isNegative()) {
            throw new IllegalArgumentException("kube4j.controller.namespace.deletion-delay must not be negative, got "
                    + deletionDelay);
        }
    }

    /** Kubernetes' defaults. */
    public static NamespaceControllerProperties defaults() {
        return new NamespaceControllerProperties(10, Duration.ofMinutes(5), Duration.ofSeconds(5));
    }
}
