package io.kube4j.controller.ttlafterfinished;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The TTL-after-finished controller, {@code kube4j.controller.ttl-after-finished.*}.
 *
 * @param concurrentSyncs Jobs cleaned up at once ({@code --concurrent-ttl-after-finished-syncs}, default 5)
 */
@ConfigurationProperties("kube4j.controller.ttl-after-finished")
public record TtlAfterFinishedProperties(@DefaultValue("5") int concurrentSyncs) {

    public TtlAfterFinishedProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException(
                    "kube4j.controller.ttl-after-finished.concurrent-syncs must be at least 1, got " + concurrentSyncs);
        }
    }
}
