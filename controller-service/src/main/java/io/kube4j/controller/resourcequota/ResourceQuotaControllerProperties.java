package io.kube4j.controller.resourcequota;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The resource quota controller, {@code kube4j.controller.resourcequota.*}; defaults are kube-controller-manager's.
 *
 * @param concurrentSyncs quotas recalculated at once ({@code --concurrent-resource-quota-syncs}, 5)
 * @param resyncPeriod    how often every quota is recalculated anyway ({@code --resource-quota-sync-period}, 5 min)
 */
@ConfigurationProperties("kube4j.controller.resourcequota")
public record ResourceQuotaControllerProperties(
        @DefaultValue("5") int concurrentSyncs,
        @DefaultValue("5m") Duration resyncPeriod) {

    public ResourceQuotaControllerProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException("kube4j.controller.resourcequota.concurrent-syncs must be at least 1, got "
                    + concurrentSyncs);
        }
        if (resyncPeriod == null || resyncPeriod.isNegative() || resyncPeriod.isZero()) {
            throw new IllegalArgumentException("kube4j.controller.resourcequota.resync-period must be positive");
        }
    }

    public static ResourceQuotaControllerProperties defaults() {
        return new ResourceQuotaControllerProperties(5, Duration.ofMinutes(5));
    }
}
