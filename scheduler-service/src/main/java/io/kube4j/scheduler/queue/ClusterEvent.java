package io.kube4j.scheduler.queue;

/** A change in the cluster that may make an unschedulable pod schedulable. */
public enum ClusterEvent {
    NODE_ADD,
    NODE_UPDATE,
    ASSIGNED_POD_DELETE,
    /** A pod was bound (or an assigned pod appeared): pods waiting for pod affinity or a topology domain's count. */
    ASSIGNED_POD_ADD,
    ASSIGNED_POD_UPDATE,
    /** A PersistentVolumeClaim, PersistentVolume or StorageClass was added or changed (VolumeBinding's pods). */
    STORAGE_CHANGE,
    /** Not an event: the periodic flush of pods that waited too long. */
    UNSCHEDULABLE_TIMEOUT
}
