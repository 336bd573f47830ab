package io.kube4j.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** Prepares a binding (e.g. provisions volumes); runs on a binding thread and may block. */
public interface PreBindPlugin extends Plugin {

    Status preBind(CycleState state, Pod pod, String nodeName);
}
