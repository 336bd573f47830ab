package io.kube4j.node.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Pod lifecycle timings, {@code kube4j.node.pods.*}: the crash-loop back-off (10 s doubling to 5 min, forgotten
 * after 10 min without a restart, as the kubelet does), the image pull back-off, and the shortest grace period a
 * kill gets.
 */
@ConfigurationProperties("kube4j.node.pods")
public record PodLifecycleProperties(@DefaultValue("10s") Duration crashLoopBackoffInitial,
                                     @DefaultValue("5m") Duration crashLoopBackoffMax,
                                     @DefaultValue("10m") Duration crashLoopBackoffReset,
                                     @DefaultValue("10s") Duration imagePullBackoffInitial,
                                     @DefaultValue("5m") Duration imagePullBackoffMax,
                                     @DefaultValue("2s") Duration minimumKillGrace) {

    /** The kubelet's defaults. */
    public static PodLifecycleProperties defaults() {
        return new PodLifecycleProperties(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(10),
                Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(2));
    }
}
