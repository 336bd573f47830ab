package io.kube4j.node.runtime;

import java.util.concurrent.CompletableFuture;

/** A running exec, attach or log stream. */
public interface StreamHandle extends AutoCloseable {

    /** Completes with the exit code (exec), or 0 when the stream ends (logs, attach); exceptionally on failure. */
    CompletableFuture<Integer> completion();

    /** Resizes the tty (no-op without one). */
    void resize(int width, int height);

    /** Stops streaming (does not kill an exec'd process that ignores a closed stdin). */
    @Override
    void close();
}
