package io.kube4j.proxy;

/** A sync that could not program the node; the message says which command failed and what it printed. */
public class ProxySyncException extends RuntimeException {

    public ProxySyncException(String message) {
        super(message);
    }

    public ProxySyncException(String message, Throwable cause) {
        super(message, cause);
    }
}
