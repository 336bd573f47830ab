package io.kube4j.scheduler.framework;

import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * The pods nominated to run on a node (Kubernetes' {@code PodNominator}, read side): pods that preempted others there
 * and wait for their victims to leave, known from their {@code status.nominatedNodeName} and from this scheduler's
 * own nominations. Filters treat nominated pods of equal or higher priority as already on the node, so a pending pod
 * does not take the room preemption made for another.
 */
public interface PodNominator {

    /** No pod is ever nominated (in-process benchmarks, simulations without a queue). */
    PodNominator NONE = nodeName -> List.of();

    /** The pods nominated to {@code nodeName}; empty, never null. Safe to call from filter threads. */
    List<Pod> nominatedPodsForNode(String nodeName);

    /**
     * Whether no pod is nominated anywhere right now, so a scheduling cycle can skip asking per node (the common
     * case); false when not known.
     */
    default boolean isEmpty() {
        return false;
    }
}
