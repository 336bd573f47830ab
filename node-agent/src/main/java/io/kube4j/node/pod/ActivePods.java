package io.kube4j.node.pod;

import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;

/** The pods this node runs now, and a way to evict one (used by eviction and the node API). */
public interface ActivePods {

    /** Pods admitted to this node that are not terminated. */
    List<Pod> activePods();

    /**
     * Every pod admitted to this node and not yet removed from it, terminated ones included: the node API serves the
     * logs of a finished pod (a Job's, a Succeeded pod's) until the pod is deleted, as the kubelet does.
     */
    default List<Pod> knownPods() {
        return activePods();
    }

    /** The pod with this UID, if the node runs it. */
    Pod pod(String podUid);

    /** Kills the pod's containers and marks it Failed with reason {@code Evicted} and this message. */
    void evict(String podUid, String message);
}
