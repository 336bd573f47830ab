package io.kube4j.node.volume;

import java.util.List;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.node.runtime.ContainerSpec;

/**
 * Prepares a pod's volumes on the node (emptyDir, hostPath, configMap, secret, downwardAPI, ...) and turns a
 * container's volumeMounts into runtime mounts. configMap, secret and downwardAPI contents are kept up to date while
 * the pod runs (atomically, through a {@code ..data} symlink swap, as the kubelet does).
 */
public interface VolumeManager {

    /**
     * Makes every volume of the pod ready (idempotent; called on every pod sync).
     *
     * @throws VolumeSetupException when a volume cannot be set up (a missing ConfigMap or Secret that is not
     *                              optional, a bad hostPath type, ...); the message becomes a FailedMount event
     */
    void setUp(Pod pod);

    /** The mounts of {@code container}'s volumeMounts (after {@link #setUp}); unknown volumes are an error. */
    List<ContainerSpec.Mount> mounts(Pod pod, Container container);

    /** Removes everything the pod's volumes left on the node (after its containers are gone). Idempotent. */
    void tearDown(String podUid);

    /** Pod UIDs with volume state on this node (to clean up after pods deleted while the agent was down). */
    List<String> podsWithVolumes();
}
