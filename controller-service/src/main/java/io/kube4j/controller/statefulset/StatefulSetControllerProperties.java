package io.kube4j.controller.statefulset;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The StatefulSet controller, {@code kube4j.controller.statefulset.*}, with kube-controller-manager's defaults.
 *
 * @param concurrentSyncs StatefulSets reconciled at once ({@code --concurrent-statefulset-syncs})
 */
@ConfigurationProperties("kube4j.controller.statefulset")
public record StatefulSetControllerProperties(@DefaultValue("5") int concurrentSyncs) {

    public StatefulSetControllerProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException(
                    "kube4j.controller.statefulset.concurrent-syncs must be at least 1, got " + concurrentSyncs);
        }
    }

    /** Kubernetes' defaults. */
    public static StatefulSetControllerProperties defaults() {
        return new StatefulSetControllerProperties(5);
    }
}
