package io.kube4j.scheduler.framework;

/**
 * What a preemption (PostFilter) plugin reports, as Kubernetes' DefaultPreemption does: every attempt
 * ({@code scheduler_preemption_attempts_total}, once per PostFilter call) and the number of victims of the chosen
 * candidate ({@code scheduler_preemption_victims}). The scheduler's {@code SchedulerMetrics} implements it and the
 * scheduler hands it to every profile's {@link Framework#preemptionMetrics()}; without a scheduler it is
 * {@link #NOOP}.
 */
public interface PreemptionMetrics {

    /** Reports nothing: for tests and schedulers without metrics. */
    PreemptionMetrics NOOP = new PreemptionMetrics() {
        @Override
        public void preemptionAttempted() {
        }

        @Override
        public void preemptionVictims(int victims) {
        }
    };

    /** A preemption was attempted for a pod that fits nowhere. */
    void preemptionAttempted();

    /** The chosen candidate node's victims: how many pods are to be evicted. */
    void preemptionVictims(int victims);
}
