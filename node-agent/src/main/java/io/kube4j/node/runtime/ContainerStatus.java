package io.kube4j.node.runtime;

import java.time.Instant;
import java.util.Map;

/**
 * A container as the engine reports it. {@code attempt} is its restart count label; {@code reason} for an exited
 * container is {@code Completed} (exit 0), {@code Error} or {@code OOMKilled}.
 */
public record ContainerStatus(String id, String podUid, String podName, String namespace, String containerName,
                              int attempt, String sandboxId, State state, Instant createdAt, Instant startedAt,
                              Instant finishedAt, int exitCode, String reason, String message, String image,
                              String imageId, String hash, Map<String, String> labels) {

    public enum State { CREATED, RUNNING, EXITED, UNKNOWN }

    public boolean running() {
        return state == State.RUNNING;
    }

    /** {@code docker://<id>}, as Kubernetes writes containerStatuses[].containerID. */
    public String containerUri(String runtimeName) {
        return runtimeName + "://" + id;
    }
}
