package io.kube4j.scheduler.framework;

import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;

/** Runs when no node passed the filters (preemption lives here). */
public interface PostFilterPlugin extends Plugin {

    /** {@code filteredNodeStatuses} maps node name to why it was filtered out. */
    PostFilterResult postFilter(CycleState state, Pod pod, Map<String, Status> filteredNodeStatuses);
}
