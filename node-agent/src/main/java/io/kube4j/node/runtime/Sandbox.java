package io.kube4j.node.runtime;

import java.time.Instant;
import java.util.Map;

/** A pod sandbox as the engine reports it: ready while its pause container runs, with the pod's IP. */
public record Sandbox(String id, String podUid, String podName, String namespace, int attempt, State state, String ip,
                      Instant createdAt, Map<String, String> labels) {

    public enum State { READY, NOT_READY }

    public boolean ready() {
        return state == State.READY;
    }
}
