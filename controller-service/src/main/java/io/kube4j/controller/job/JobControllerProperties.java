package io.kube4j.controller.job;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The Job controller, {@code kube4j.controller.job.*}, with kube-controller-manager's defaults.
 *
 * @param concurrentSyncs        Jobs reconciled at once ({@code --concurrent-job-syncs})
 * @param podFailureBackoffBase  the delay after a Job's first pod failure before its next pod, doubled per further
 *                               failure (Kubernetes' {@code DefaultJobPodFailureBackOff}, 10 s); tests shorten it
 * @param podFailureBackoffMax   the cap of that delay (Kubernetes' {@code MaxJobPodFailureBackOff}, 6 min)
 */
@ConfigurationProperties("kube4j.controller.job")
public record JobControllerProperties(
        @DefaultValue("5") int concurrentSyncs,
        @DefaultValue("10s") Duration podFailureBackoffBase,
        @DefaultValue("6m") Duration podFailureBackoffMax) {

    public JobControllerProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException(
                    "kube4j.controller.job.concurrent-syncs must be at least 1, got " + concurrentSyncs);
        }
        if (podFailureBackoffBase == null || podFailureBackoffBase.isNegative()) {
            throw new IllegalArgumentException(
                    "kube4j.controller.job.pod-failure-backoff-base must not be negative, got " + podFailureBackoffBase);
        }
        if (podFailureBackoffMax == null || podFailureBackoffMax.compareTo(podFailureBackoffBase) < 0) {
            throw new IllegalArgumentException("kube4j.controller.job.pod-failure-backoff-max must be at least "
                    + "pod-failure-backoff-base, got " + podFailureBackoffMax);
        }
    }

    /** Kubernetes' defaults. */
    public static JobControllerProperties defaults() {
        return new JobControllerProperties(5, Duration.ofSeconds(10), Duration.ofMinutes(6));
    }
}
