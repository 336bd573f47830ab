package io.kube4j.controller.replicaset;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The ReplicaSet controller, {@code kube4j.controller.replicaset.*}, with kube-controller-manager's defaults.
 *
 * @param concurrentSyncs ReplicaSets reconciled at once ({@code --concurrent-replicaset-syncs})
 * @param burstReplicas   the most pods one sync creates or deletes (Kubernetes' {@code BurstReplicas})
 */
@ConfigurationProperties("kube4j.controller.replicaset")
public record ReplicaSetControllerProperties(
        @DefaultValue("5") int concurrentSyncs,
        @DefaultValue("500") int burstReplicas) {

    public ReplicaSetControllerProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException(
                    "kube4j.controller.replicaset.concurrent-syncs must be at least 1, got " + concurrentSyncs);
        }
        if (burstReplicas < 1) {
            throw new IllegalArgumentException(
                    "kube4j.controller.replicaset.burst-replicas must be at least 1, got " + burstReplicas);
        }
    }

    /** Kubernetes' defaults. */
    public static ReplicaSetControllerProperties defaults() {
        return new ReplicaSetControllerProperties(5, 500);
    }
}
