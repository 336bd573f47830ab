package io.kube4j.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** Informational: called after a successful binding. */
public interface PostBindPlugin extends Plugin {

    void postBind(CycleState state, Pod pod, String nodeName);
}
