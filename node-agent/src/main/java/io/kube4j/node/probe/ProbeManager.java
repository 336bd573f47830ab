package io.kube4j.node.probe;

import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.node.runtime.ContainerStatus;

/**
 * Runs the liveness, readiness and startup probes of running containers (httpGet, tcpSocket, exec, grpc not
 * supported) on a shared scheduler, and keeps their latest results by container id. Calls the listener given at
 * construction with the pod's UID whenever a result changes, so the pod is synced again.
 */
public interface ProbeManager {

    /**
     * Starts probe workers for the pod's running containers that have none yet and stops those of containers no
     * longer running (called on every pod sync).
     *
     * @param running the pod's running containers by container name
     */
    void syncPod(Pod pod, Map<String, ContainerStatus> running, String podIp);

    /** Stops every worker of the pod and forgets its results. */
    void removePod(String podUid);

    /** Readiness of a running container: true when it has no readiness probe, after its probe succeeds otherwise. */
    boolean ready(String containerId);

    /** False only when the liveness probe has failed {@code failureThreshold} times in a row. */
    boolean alive(String containerId);

    /** True when the container has no startup probe or its startup probe has succeeded. */
    boolean started(String containerId);
}
