package io.kube4j.node.runtime;

/** A runtime operation failed; the message says what and is fit for a pod's status or an Event. */
public class RuntimeOperationException extends RuntimeException {

    public RuntimeOperationException(String message, Throwable cause) {
        super(message, cause);
    }

    public RuntimeOperationException(String message) {
        super(message);
    }
}
