package io.kube4j.scheduler.config;

import java.time.Duration;

import io.kube4j.client.leaderelection.LeaderElectionConfig;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The scheduler's leader election, {@code kube4j.scheduler.leader-election.*}, with kube-scheduler's defaults: a Lease
 * {@code kube-system/kube-scheduler}, 15 s lease, 10 s renew deadline, 2 s retry period, released on shutdown so a
 * standby takes over at once.
 *
 * @param enabled           false: this replica schedules without electing (a single scheduler)
 * @param leaseDuration     how long a standby waits after the last renewal before taking the lease
 * @param renewDeadline     how long the leader keeps trying to renew before it stops scheduling
 * @param retryPeriod       how often candidates try to acquire and the leader renews
 * @param resourceNamespace the Lease's namespace
 * @param resourceName      the Lease's name
 * @param releaseOnStop     clear the holder on shutdown (kube-scheduler's ReleaseOnCancel)
 */
@ConfigurationProperties("kube4j.scheduler.leader-election")
public record LeaderElectionProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("15s") Duration leaseDuration,
        @DefaultValue("10s") Duration renewDeadline,
        @DefaultValue("2s") Duration retryPeriod,
        @DefaultValue("kube-system") String resourceNamespace,
        @DefaultValue("kube-scheduler") String resourceName,
        @DefaultValue("true") boolean releaseOnStop) {

    public LeaderElectionProperties {
        if (resourceNamespace == null || resourceNamespace.isBlank() || resourceName == null || resourceName.isBlank()) {
            throw new IllegalArgumentException(
                    "kube4j.scheduler.leader-election.resource-namespace and resource-name must not be empty");
        }
        if (enabled) {
            // the same checks as the elector's, reported at startup with the property names
            config(resourceNamespace, resourceName, "check", leaseDuration, renewDeadline, retryPeriod, releaseOnStop);
        }
    }

    /** The elector's configuration for a replica called {@code identity}. */
    public LeaderElectionConfig toConfig(String identity) {
        return config(resourceNamespace, resourceName, identity, leaseDuration, renewDeadline, retryPeriod,
                releaseOnStop);
    }

    private static LeaderElectionConfig config(String resourceNamespace, String resourceName, String identity,
            Duration leaseDuration, Duration renewDeadline, Duration retryPeriod, boolean releaseOnStop) {
        try {
            return new LeaderElectionConfig(resourceNamespace, resourceName, identity, leaseDuration, renewDeadline,
                    retryPeriod, releaseOnStop);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kube4j.scheduler.leader-election: " + e.getMessage(), e);
        }
    }
}
