package io.kube4j.controller.daemon;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The DaemonSet controller, {@code kube4j.controller.daemonset.*}, with kube-controller-manager's defaults.
 *
 * @param concurrentSyncs DaemonSets reconciled at once ({@code --concurrent-daemonset-syncs})
 * @param burstReplicas   the most pods one sync creates (Kubernetes' {@code BurstReplicas})
 */
@ConfigurationProperties("kube4j.controller.daemonset")
public record DaemonSetControllerProperties(
        @DefaultValue("2") int concurrentSyncs,
        @DefaultValue("250") int burstReplicas) {

    public DaemonSetControllerProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException(
                    "kube4j.controller.daemonset.concurrent-syncs must be at least 1, got " + concurrentSyncs);
        }
        if (burstReplicas < 1) {
            throw new IllegalArgumentException(
                    "kube4j.controller.daemonset.burst-replicas must be at least 1, got " + burstReplicas);
        }
    }

    /** Kubernetes' defaults. */
    public static DaemonSetControllerProperties defaults() {
        return new DaemonSetControllerProperties(2, 250);
    }
}
