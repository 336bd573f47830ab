package io.kube4j.controller.garbagecollector;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The garbage collector, {@code kube4j.controller.garbagecollector.*} (kube-controller-manager's
 * {@code --enable-garbage-collector} and {@code --concurrent-gc-syncs}).
 *
 * @param enabled           whether {@code *} in {@code kube4j.controller.controllers} runs it
 * @param concurrentGcSyncs workers on each of the two queues (attemptToDelete, attemptToOrphan)
 */
@ConfigurationProperties("kube4j.controller.garbagecollector")
public record GarbageCollectorProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("20") int concurrentGcSyncs) {

    public GarbageCollectorProperties {
        if (concurrentGcSyncs < 1) {
            throw new IllegalArgumentException(
                    "kube4j.controller.garbagecollector.concurrent-gc-syncs must be at least 1, got " + concurrentGcSyncs);
        }
    }

    /** Kubernetes' defaults. */
    public static GarbageCollectorProperties defaults() {
        return new GarbageCollectorProperties(true, 20);
    }
}
