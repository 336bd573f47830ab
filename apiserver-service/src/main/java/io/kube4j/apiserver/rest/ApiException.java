package io.kube4j.apiserver.rest;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.api.validation.FieldError;

import java.util.List;

/**
 * An error the API answers with a Kubernetes {@code Status}: the HTTP code, the machine-readable reason
 * and a message for people. Everything a user can cause ends up as one of these, never as a 500.
 */
public class ApiException extends RuntimeException {

    private final int code;
    private final String reason;
    private final String name;
    private final String group;
    private final String kind;
    private final List<StatusCause> causes;
    private final Integer retryAfterSeconds;

    public ApiException(int code, String reason, String message) {
        this(code, reason, message, null, null, null, List.of(), null);
    }

    public ApiException(int code, String reason, String message, String name, String group, String kind,
                        List<StatusCause> causes, Integer retryAfterSeconds) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.name = name;
        this.group = group;
        this.kind = kind;
        this.causes = causes;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int code() {
        return code;
    }

    /**
     * The {@code Retry-After} header this error is answered with, as the Kubernetes apiserver sets it
     * ({@code responsewriters.ErrorNegotiated}): the Status's {@code details.retryAfterSeconds} when positive, none
     * when the error says 0 (an eviction a disruption budget refuses: client-go would otherwise retry it ten times
     * before {@code kubectl drain} even sees the refusal), and 1 s for a 429 or 504 that names no period (the
     * limits' answers).
     */
    public String retryAfterHeader() {
        if (retryAfterSeconds != null) {
            return retryAfterSeconds > 0 ? Integer.toString(retryAfterSeconds) : null;
        }
        return code == 429 || code == 504 ? "1" : null;
    }

    public String reason() {
        return reason;
    }

    public Status toStatus() {
        StatusBuilder b = new StatusBuilder()
                .withApiVersion("v1").withKind("Status").withNewMetadata().endMetadata()
                .withStatus("Failure").withMessage(getMessage()).withReason(reason).withCode(code);
        if (name != null || kind != null || !causes.isEmpty() || retryAfterSeconds != null) {
            b.withNewDetails().withName(name).withGroup(group).withKind(kind)
                    .withCauses(causes.isEmpty() ? null : causes).withRetryAfterSeconds(retryAfterSeconds).endDetails();
        }
        return b.build();
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message);
    }

    public static ApiException notFound(ResourceType type, String name) {
        return new ApiException(404, "NotFound", type.qualifiedName() + " \"" + name + "\" not found",
                name, type.group(), type.plural(), List.of(), null);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "NotFound", message);
    }

    public static ApiException alreadyExists(ResourceType type, String name) {
        return new ApiException(409, "AlreadyExists", type.qualifiedName() + " \"" + name + "\" already exists",
                name, type.group(), type.plural(), List.of(), null);
    }

    public static ApiException conflict(ResourceType type, String name, String detail) {
        return new ApiException(409, "Conflict",
                "Operation cannot be fulfilled on " + type.qualifiedName() + " \"" + name + "\": " + detail,
                name, type.group(), type.plural(), List.of(), null);
    }

    public static ApiException staleObject(ResourceType type, String name) {
        return conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
    }

    public static ApiException gone(String message) {
        return new ApiException(410, "Expired", message);
    }

    public static ApiException forbidden(ResourceType type, String name, String message) {
        return new ApiException(403, "Forbidden", message, name, type.group(), type.plural(), List.of(), null);
    }

    /** 401 as Kubernetes answers it: the reason why a credential failed is logged, never told to the client. */
    public static ApiException unauthorized() {
        return new ApiException(401, "Unauthorized", "Unauthorized");
    }

    public static ApiException methodNotAllowed(String message) {
        return new ApiException(405, "MethodNotAllowed", message);
    }

    public static ApiException unsupportedMediaType(String contentType) {
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
                + "application/json, application/yaml, application/json-patch+json, application/merge-patch+json"
                + (contentType == null ? "" : " (got " + contentType + ")"));
    }

    public static ApiException notAcceptable(String message) {
        return new ApiException(406, "NotAcceptable", message);
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, "RequestEntityTooLarge", message);
    }

    public static ApiException notImplemented(String message) {
        return new ApiException(501, "NotImplemented", message);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(503, "ServiceUnavailable", message);
    }

    /** 507: the store is out of space (Kubernetes has no reason for it; the HTTP name is used, as for 413). */
    public static ApiException insufficientStorage(String message) {
        return new ApiException(507, "InsufficientStorage", message);
    }

    public static ApiException timeout(String message) {
        return new ApiException(504, "Timeout", message);
    }

    public static ApiException internal(String message) {
        return new ApiException(500, "InternalError", message);
    }

    /** 422 Invalid with one cause per field error, worded as Kubernetes words them. */
    public static ApiException invalid(ResourceType type, String name, List<FieldError> errors) {
        List<StatusCause> causes = errors.stream()
                .map(e -> new StatusCause(e.field(), e.message(), e.type().reason()))
                .toList();
        String joined = errors.size() == 1 ? errors.get(0).message()
                : "[" + String.join(", ", errors.stream().map(FieldError::message).toList()) + "]";
        return new ApiException(422, "Invalid",
                type.kind() + " \"" + (name == null ? "" : name) + "\" is invalid: " + joined,
                name, type.group(), type.kind(), causes, null);
    }
}
