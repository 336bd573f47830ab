package io.kube4j.scheduler.queue;

/** A change in the cluster that may make an unschedulable pod schedulable. */
public enum ClusterEvent {
    NODE_ADD,
    NODE_UPDATE,
    ASSIGNED_POD_DELETE,
    ASSIGNED_POD_UPDATE,
    /** Not an event: the periodic flush of pods that waited too long. */
    UNSCHEDULABLE_TIMEOUT
}
