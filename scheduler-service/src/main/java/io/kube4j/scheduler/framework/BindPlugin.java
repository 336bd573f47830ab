package io.kube4j.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Binds a pod to a node; runs on a binding thread and may block. Answers {@link Status.Code#SKIP} to leave the pod
 * to the next bind plugin.
 */
public interface BindPlugin extends Plugin {

    Status bind(CycleState state, Pod pod, String nodeName);
}
