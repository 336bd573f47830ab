package io.kube4j.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Incremental updates of a plugin's pre-filter state (Kubernetes' {@code PreFilterExtensions}): preemption asks
 * "would the pod fit on this node without these pods?" and nominated pods are added to nodes before filtering, and
 * plugins that precomputed cluster-wide state in PreFilter (pod topology spread counts, inter-pod affinity counts,
 * host ports ...) update it here instead of recomputing it. The state to update is the one in {@code state}, which the
 * caller has {@link CycleState#copy() copied} when the change is hypothetical.
 */
public interface PreFilterExtensions {

    /** {@code podToAdd} is now (hypothetically) on {@code node}. */
    Status addPod(CycleState state, Pod podToSchedule, Pod podToAdd, NodeInfo node);

    /** {@code podToRemove} is (hypothetically) no longer on {@code node}. */
    Status removePod(CycleState state, Pod podToSchedule, Pod podToRemove, NodeInfo node);
}
