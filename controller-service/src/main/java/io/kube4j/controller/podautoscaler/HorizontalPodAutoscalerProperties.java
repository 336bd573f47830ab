package io.kube4j.controller.podautoscaler;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The HPA controller, {@code kube4j.controller.horizontal-pod-autoscaler.*}, with kube-controller-manager's defaults.
 *
 * @param syncPeriod              how often each HPA is evaluated ({@code --horizontal-pod-autoscaler-sync-period})
 * @param tolerance               the usage/target ratio distance from 1.0 that causes no scaling
 *                                ({@code --horizontal-pod-autoscaler-tolerance})
 * @param downscaleStabilization  for HPAs without {@code spec.behavior} (and a behavior's unset scaleDown window):
 *                                the highest recommendation of this long is applied on a scale down
 * @param cpuInitializationPeriod after a pod starts, its cpu samples count only once it is ready and the sample
 *                                was taken after that
 * @param initialReadinessDelay   after a pod starts, a not-ready pod is taken as still starting
 * @param concurrentSyncs         HPAs evaluated at once ({@code --concurrent-horizontal-pod-autoscaler-syncs})
 */
@ConfigurationProperties("kube4j.controller.horizontal-pod-autoscaler")
public record HorizontalPodAutoscalerProperties(
        @DefaultValue("15s") Duration syncPeriod,
        @DefaultValue("0.1") double tolerance,
        @DefaultValue("5m") Duration downscaleStabilization,
        @DefaultValue("5m") Duration cpuInitializationPeriod,
        @DefaultValue("30s") Duration initialReadinessDelay,
        @DefaultValue("5") int concurrentSyncs) {

    private static final String P = "kube4j.controller.horizontal-pod-autoscaler.";

    public HorizontalPodAutoscalerProperties {
        if (syncPeriod == null || syncPeriod.isNegative() || syncPeriod.isZero()) {
            throw new IllegalArgumentException(P + "sync-period must be positive, got " + syncPeriod);
        }
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException(P + "tolerance must be in [0, 1), got " + tolerance);
        }
        for (Duration d : new Duration[] {downscaleStabilization, cpuInitializationPeriod, initialReadinessDelay}) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(P + "downscale-stabilization, cpu-initialization-period and "
                        + "initial-readiness-delay must not be negative");
            }
        }
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException(P + "concurrent-syncs must be at least 1, got " + concurrentSyncs);
        }
    }

    /** Kubernetes' defaults. */
    public static HorizontalPodAutoscalerProperties defaults() {
        return new HorizontalPodAutoscalerProperties(Duration.ofSeconds(15), 0.1, Duration.ofMinutes(5),
                Duration.ofMinutes(5), Duration.ofSeconds(30), 5);
    }
}
