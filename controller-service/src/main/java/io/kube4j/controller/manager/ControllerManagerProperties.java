package io.kube4j.controller.manager;

import java.time.Duration;
import java.util.List;

import io.kube4j.client.leaderelection.LeaderElectionConfig;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The controller manager, {@code kube4j.controller.*} (each controller has its own {@code kube4j.controller.<name>.*}).
 *
 * @param controllers    which controllers run, as kube-controller-manager's {@code --controllers}: {@code *} (those on
 *                       by default), {@code name}, {@code -name}
 * @param resync         how often the shared informers re-deliver every cached object (zero: never)
 * @param leaderElection the Lease the replicas elect a leader on
 */
@ConfigurationProperties("kube4j.controller")
public record ControllerManagerProperties(
        @DefaultValue("*") List<String> controllers,
        @DefaultValue("10m") Duration resync,
        @DefaultValue LeaderElection leaderElection) {

    /**
     * kube-controller-manager's defaults: Lease {@code kube-system/kube-controller-manager}, 15 s lease, 10 s renew
     * deadline, 2 s retry period.
     */
    public record LeaderElection(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("15s") Duration leaseDuration,
            @DefaultValue("10s") Duration renewDeadline,
            @DefaultValue("2s") Duration retryPeriod,
            @DefaultValue("kube-system") String resourceNamespace,
            @DefaultValue("kube-controller-manager") String resourceName,
            @DefaultValue("true") boolean releaseOnStop) {

        public LeaderElection {
            if (enabled) {
                toConfig("check", resourceNamespace, resourceName, leaseDuration, renewDeadline, retryPeriod,
                        releaseOnStop);
            }
        }

        public LeaderElectionConfig toConfig(String identity) {
            return toConfig(identity, resourceNamespace, resourceName, leaseDuration, renewDeadline, retryPeriod,
                    releaseOnStop);
        }

        private static LeaderElectionConfig toConfig(String identity, String ns, String name, Duration lease,
                Duration renew, Duration retry, boolean release) {
            try {
                return new LeaderElectionConfig(ns, name, identity, lease, renew, retry, release);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("kube4j.controller.leader-election: " + e.getMessage(), e);
            }
        }
    }

    public ControllerManagerProperties {
        if (controllers == null || controllers.isEmpty()) {
            throw new IllegalArgumentException("kube4j.controller.controllers must name at least one controller or *");
        }
        if (resync == null || resync.isNegative()) {
            throw new IllegalArgumentException("kube4j.controller.resync must be zero or positive");
        }
    }
}
