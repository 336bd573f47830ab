package io.kube4j.scheduler.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The scheduler's configuration, {@code kube4j.scheduler.*}.
 *
 * @param schedulerName             the {@code spec.schedulerName} this (default) profile serves
 * @param percentageOfNodesToScore  0 means adaptive as in Kubernetes (50% minus 1% per 125 nodes, at least 5%)
 * @param parallelism               threads that filter and score nodes (0: the number of cores)
 * @param podInitialBackoff         the first backoff of a pod that failed to schedule
 * @param podMaxBackoff             the longest backoff
 * @param unschedulableFlushInterval how long an unschedulable pod waits for a cluster event before it is retried
 * @param bindTimeout               how long a binding may take before the assumed pod is forgotten
 * @param resync                    informer resync period
 */
@ConfigurationProperties("kube4j.scheduler")
public record SchedulerProperties(
        @DefaultValue("default-scheduler") String schedulerName,
        @DefaultValue("0") int percentageOfNodesToScore,
        @DefaultValue("0") int parallelism,
        @DefaultValue("1s") Duration podInitialBackoff,
        @DefaultValue("10s") Duration podMaxBackoff,
        @DefaultValue("60s") Duration unschedulableFlushInterval,
        @DefaultValue("30s") Duration bindTimeout,
        @DefaultValue("0s") Duration resync) {

    public SchedulerProperties {
        if (percentageOfNodesToScore < 0 || percentageOfNodesToScore > 100) {
            throw new IllegalArgumentException(
                    "kube4j.scheduler.percentage-of-nodes-to-score must be within 0..100, got " + percentageOfNodesToScore);
        }
        if (parallelism < 0) {
            throw new IllegalArgumentException("kube4j.scheduler.parallelism must not be negative, got " + parallelism);
        }
    }

    /** The threads to use for filtering and scoring. */
    public int effectiveParallelism() {
        return parallelism == 0 ? Runtime.getRuntime().availableProcessors() : parallelism;
    }
}
