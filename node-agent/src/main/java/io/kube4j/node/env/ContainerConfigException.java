package io.kube4j.node.env;

/** A container's configuration cannot be made (reason {@code CreateContainerConfigError}); the message says why. */
public class ContainerConfigException extends RuntimeException {

    public ContainerConfigException(String message) {
        super(message);
    }
}
