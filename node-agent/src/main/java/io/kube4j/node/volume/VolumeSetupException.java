package io.kube4j.node.volume;

/** A pod volume could not be set up; the message is fit for a FailedMount event. */
public class VolumeSetupException extends RuntimeException {

    public VolumeSetupException(String message) {
        super(message);
    }

    public VolumeSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
