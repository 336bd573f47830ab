package io.kube4j.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** Reserves per-node state for a pod once a node is chosen; undone by {@link #unreserve} if the cycle fails later. */
public interface ReservePlugin extends Plugin {

    Status reserve(CycleState state, Pod pod, String nodeName);

    /** Must be idempotent: it may run for a pod whose {@link #reserve} was never called. */
    void unreserve(CycleState state, Pod pod, String nodeName);
}
