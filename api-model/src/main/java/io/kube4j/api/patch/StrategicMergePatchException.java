package io.kube4j.api.patch;

/**
 * A strategic merge patch that cannot be applied: {@code status} is the HTTP status Kubernetes' apiserver gives it
 * (400 for malformed directives, 422 otherwise; where Kubernetes answers 500 for a user's patch, 422).
 */
public final class StrategicMergePatchException extends RuntimeException {

    private final int status;

    StrategicMergePatchException(int status, String message) {
        super(message);
        this.status = status;
    }

    static StrategicMergePatchException badRequest(String message) {
        return new StrategicMergePatchException(400, message);
    }

    static StrategicMergePatchException invalid(String message) {
        return new StrategicMergePatchException(422, message);
    }

    public int status() {
        return status;
    }
}
