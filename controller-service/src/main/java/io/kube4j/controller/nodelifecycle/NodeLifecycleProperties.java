package io.kube4j.controller.nodelifecycle;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The node lifecycle controller, {@code kube4j.controller.nodelifecycle.*}, with kube-controller-manager's defaults.
 *
 * @param nodeMonitorPeriod          how often every node's health is checked ({@code --node-monitor-period})
 * @param nodeMonitorGracePeriod     how long a node may go without a heartbeat (Lease renewal or Ready condition
 *                                   heartbeat) before its conditions become Unknown ({@code --node-monitor-grace-period})
 * @param nodeStartupGracePeriod     the same for a node that never posted a status ({@code --node-startup-grace-period})
 * @param nodeEvictionRate           nodes per second per zone that get a NoExecute taint while the zone is healthy
 * @param secondaryNodeEvictionRate  the rate in a partially disrupted zone of a large cluster
 * @param largeClusterSizeThreshold  zones above this many nodes are "large": the secondary rate applies there, smaller
 *                                   zones stop tainting when partially disrupted
 * @param unhealthyZoneThreshold     the fraction of not-Ready nodes (at least 3) that makes a zone partially disrupted
 */
@ConfigurationProperties("kube4j.controller.nodelifecycle")
public record NodeLifecycleProperties(
        @DefaultValue("5s") Duration nodeMonitorPeriod,
        @DefaultValue("40s") Duration nodeMonitorGracePeriod,
        @DefaultValue("60s") Duration nodeStartupGracePeriod,
        @DefaultValue("0.1") double nodeEvictionRate,
        @DefaultValue("0.01") double secondaryNodeEvictionRate,
        @DefaultValue("50") int largeClusterSizeThreshold,
        @DefaultValue("0.55") double unhealthyZoneThreshold) {

    private static final String PREFIX = "kube4j.controller.nodelifecycle.";

    public NodeLifecycleProperties {
        positive(nodeMonitorPeriod, "node-monitor-period");
        positive(nodeMonitorGracePeriod, "node-monitor-grace-period");
        positive(nodeStartupGracePeriod, "node-startup-grace-period");
        if (!(nodeEvictionRate >= 0) || !(secondaryNodeEvictionRate >= 0)) {
            throw new IllegalArgumentException(PREFIX + "node-eviction-rate and secondary-node-eviction-rate must be zero"
                    + " or positive, got " + nodeEvictionRate + " and " + secondaryNodeEvictionRate);
        }
        if (largeClusterSizeThreshold < 0) {
            throw new IllegalArgumentException(PREFIX + "large-cluster-size-threshold must be zero or positive, got "
                    + largeClusterSizeThreshold);
        }
        if (!(unhealthyZoneThreshold > 0 && unhealthyZoneThreshold <= 1)) {
            throw new IllegalArgumentException(PREFIX + "unhealthy-zone-threshold must be in (0, 1], got "
                    + unhealthyZoneThreshold);
        }
    }

    /** kube-controller-manager's defaults. */
    public static NodeLifecycleProperties defaults() {
        return new NodeLifecycleProperties(Duration.ofSeconds(5), Duration.ofSeconds(40), Duration.ofSeconds(60), 0.1,
                0.01, 50, 0.55);
    }

    /** These settings with another monitor period and grace period (tests use short ones). */
    public NodeLifecycleProperties withTiming(Duration monitorPeriod, Duration gracePeriod) {
        return new NodeLifecycleProperties(monitorPeriod, gracePeriod, nodeStartupGracePeriod, nodeEvictionRate,
                secondaryNodeEvictionRate, largeClusterSizeThreshold, unhealthyZoneThreshold);
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(PREFIX + name + " must be positive, got " + d);
        }
    }
}
