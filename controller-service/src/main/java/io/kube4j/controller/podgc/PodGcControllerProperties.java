package io.kube4j.controller.podgc;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The pod garbage collector, {@code kube4j.controller.podgc.*}; defaults are kube-controller-manager's.
 *
 * @param terminatedPodGcThreshold terminated (Succeeded/Failed) pods the cluster may keep; beyond it the oldest are
 *                                 deleted ({@code --terminated-pod-gc-threshold}, 12500; 0 disables that part)
 * @param gcCheckPeriod            how often the collector runs (20s)
 * @param quarantineTime           how long a node missing from the cache is waited for before a GET decides that its
 *                                 pods are orphans (40s)
 */
@ConfigurationProperties("kube4j.controller.podgc")
public record PodGcControllerProperties(
        @DefaultValue("12500") int terminatedPodGcThreshold,
        @DefaultValue("20s") Duration gcCheckPeriod,
        @DefaultValue("40s") Duration quarantineTime) {

    public PodGcControllerProperties {
        if (terminatedPodGcThreshold < 0) {
            throw new IllegalArgumentException("kube4j.controller.podgc.terminated-pod-gc-threshold must not be "
                    + "negative, got " + terminatedPodGcThreshold);
        }
        if (gcCheckPeriod == null || gcCheckPeriod.isNegative() || gcCheckPeriod.isZero()) {
            throw new IllegalArgumentException("kube4j.controller.podgc.gc-check-period must be positive, got "
                    + gcCheckPeriod);
        }
        if (quarantineTime == null || quarantineTime.isNegative()) {
            throw new IllegalArgumentException("kube4j.controller.podgc.quarantine-time must not be negative, got "
                    + quarantineTime);
        }
    }

    /** Kubernetes' defaults. */
    public static PodGcControllerProperties defaults() {
        return new PodGcControllerProperties(12500, Duration.ofSeconds(20), Duration.ofSeconds(40));
    }
}
