package io.kube4j.node.runtime;

/**
 * The container engine does not answer at all (no socket, connection refused, no permission): worth waiting for,
 * unlike an engine that answers but cannot be used as configured (a clashing network), which is a configuration
 * error.
 */
public class EngineUnavailableException extends RuntimeOperationException {

    public EngineUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
