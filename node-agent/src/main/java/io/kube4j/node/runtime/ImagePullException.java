package io.kube4j.node.runtime;

/** An image could not be pulled; the message is shown to users in the container's waiting state. */
public class ImagePullException extends RuntimeOperationException {

    public ImagePullException(String message, Throwable cause) {
        super(message, cause);
    }
}
