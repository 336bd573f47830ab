package io.kube4j.client;

import io.fabric8.kubernetes.api.model.Status;

/**
 * A Kubernetes {@code Status} failure answered by the apiserver, as a typed exception: callers catch
 * {@link NotFound}, {@link Conflict}, ... rather than comparing codes.
 */
public class ApiStatusException extends RuntimeException {

    private final int code;
    private final Status status;

    public ApiStatusException(int code, Status status, String message) {
        super(message);
        this.code = code;
        this.status = status;
    }

    public int code() {
        return code;
    }

    /** The Status the server sent (may be null when the body was not a Status). */
    public Status status() {
        return status;
    }

    public String reason() {
        return status == null ? null : status.getReason();
    }

    /** The typed exception for a failed answer. */
    public static ApiStatusException of(int code, Status status, String message) {
        String reason = status == null ? null : status.getReason();
        return switch (code) {
            case 400 -> new BadRequest(code, status, message);
            case 403 -> new Forbidden(code, status, message);
            case 404 -> new NotFound(code, status, message);
            case 409 -> "AlreadyExists".equals(reason) ? new AlreadyExists(code, status, message)
                    : new Conflict(code, status, message);
            case 410 -> new Gone(code, status, message);
            case 422 -> new Invalid(code, status, message);
            case 429 -> new TooManyRequests(code, status, message);
            default -> new ApiStatusException(code, status, message);
        };
    }

    public static final class BadRequest extends ApiStatusException {
        public BadRequest(int c, Status s, String m) {
            super(c, s, m);
        }
    }

    public static final class Forbidden extends ApiStatusException {
        public Forbidden(int c, Status s, String m) {
            super(c, s, m);
        }
    }

    public static final class NotFound extends ApiStatusException {
        public NotFound(int c, Status s, String m) {
            super(c, s, m);
        }
    }

    public static final class AlreadyExists extends ApiStatusException {
        public AlreadyExists(int c, Status s, String m) {
            super(c, s, m);
        }
    }

    public static final class Conflict extends ApiStatusException {
        public Conflict(int c, Status s, String m) {
            super(c, s, m);
        }
    }

    public static final class Gone extends ApiStatusException {
        public Gone(int c, Status s, String m) {
            super(c, s, m);
        }
    }

    /** 422 with field causes in {@code status().getDetails().getCauses()}. */
    public static final class Invalid extends ApiStatusException {
        public Invalid(int c, Status s, String m) {
            super(c, s, m);
        }
    }

    /** 429; {@link #retryAfterSeconds()} from the Retry-After header or the Status details. */
    public static final class TooManyRequests extends ApiStatusException {
        private int retryAfterSeconds = 1;

        public TooManyRequests(int c, Status s, String m) {
            super(c, s, m);
            if (s != null && s.getDetails() != null && s.getDetails().getRetryAfterSeconds() != null) {
                retryAfterSeconds = s.getDetails().getRetryAfterSeconds();
            }
        }

        public int retryAfterSeconds() {
            return retryAfterSeconds;
        }

        public TooManyRequests withRetryAfter(int seconds) {
            this.retryAfterSeconds = seconds;
            return this;
        }
    }
}
