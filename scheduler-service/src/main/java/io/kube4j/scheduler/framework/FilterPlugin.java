package io.kube4j.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** Says whether a pod can run on a node; called concurrently for different nodes, so it must be thread-safe. */
public interface FilterPlugin extends Plugin {

    Status filter(CycleState state, Pod pod, NodeInfo node);
}
