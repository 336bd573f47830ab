package io.kube4j.gateway.routing;

import io.kube4j.gateway.StatusResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The routing failures and their Kubernetes Status answers: no healthy replica or nothing sent (503
 * {@code ServiceUnavailable} with {@code Retry-After: 1}: safe to send again), the connection lost after the request
 * left (503 {@code ServiceUnavailable}, no Retry-After: a write may or may not have been applied, the client
 * decides), the response timeout (504 {@code Timeout}), a request body over the limit (413
 * {@code RequestEntityTooLarge}). Once the response has started, the error aborts the connection instead.
 */
public final class UpstreamErrors {

    private static final Logger log = LoggerFactory.getLogger(UpstreamErrors.class);

    private UpstreamErrors() {
    }

    /** No healthy replica is left to send the request to. */
    public static final class NoReplicaException extends RuntimeException {
        public NoReplicaException(String message) {
            super(message);
        }
    }

    /** A size limit of {@code kube4j.gateway.limits.*} was exceeded. */
    public abstract static class LimitExceeded extends RuntimeException {
        LimitExceeded(String message) {
            super(message, null, false, false);
        }
    }

    /** The request body is larger than {@code max-request-body}. */
    public static final class RequestTooLarge extends LimitExceeded {
        public RequestTooLarge(long limit) {
            super("Request entity too large: limit is " + limit);
        }
    }

    /** The response body of a request that is not long-running is larger than {@code max-response-body}. */
    public static final class ResponseTooLarge extends LimitExceeded {
        public ResponseTooLarge(long limit) {
            super("the apiserver's response exceeds the gateway's limit of " + limit + " bytes");
        }
    }

    /** Answers {@code error} as a Status, or propagates it (aborting the connection) when the response started. */
    public static Mono<Void> respond(ServerWebExchange exchange, Throwable error) {
        String where = exchange.getRequest().getMethod() + " " + exchange.getRequest().getURI().getRawPath();
        if (exchange.getResponse().isCommitted()) {
            if (error instanceof ResponseTooLarge) {
                log.warn("{}: {}; connection aborted", where, error.getMessage());
            } else {
                log.debug("{}: aborted after the response started: {}", where, error.toString());
            }
            return Mono.error(error);
        }
        // drop what a failed attempt copied from the replica's answer (Content-Length, ...)
        ServerWebExchangeUtils.reset(exchange);
        exchange.getResponse().getHeaders().remove(HttpHeaders.CONTENT_LENGTH);
        exchange.getResponse().getHeaders().remove(HttpHeaders.TRANSFER_ENCODING);
        if (error instanceof RequestTooLarge) {
            return StatusResponses.write(exchange, HttpStatus.PAYLOAD_TOO_LARGE, "RequestEntityTooLarge",
                    error.getMessage(), 0);
        }
        if (error instanceof ResponseTooLarge) {
            log.warn("{}: {}; answered 502", where, error.getMessage());
            return StatusResponses.write(exchange, HttpStatus.BAD_GATEWAY, "InternalError", error.getMessage(), 0);
        }
        if (error instanceof NoReplicaException) {
            return StatusResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable",
                    error.getMessage(), 1);
        }
        if (RetryPolicy.isNotSent(error)) {
            log.debug("{}: {}", where, error.toString());
            return StatusResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable",
                    "could not reach an apiserver: " + message(error), 1);
        }
        if (RetryPolicy.isConnectionLost(error)) {
            log.info("{}: connection to the apiserver lost: {}", where, error.toString());
            return StatusResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable",
                    "the connection to the apiserver was lost before it answered (a write may or may not have "
                            + "been applied): " + message(error), 0);
        }
        if (error instanceof ResponseStatusException rse) {
            if (rse.getStatusCode().value() == HttpStatus.GATEWAY_TIMEOUT.value()) {
                return StatusResponses.write(exchange, HttpStatus.GATEWAY_TIMEOUT, "Timeout",
                        "the apiserver did not answer in time (" + message(error) + "); the request may still be "
                                + "processed", 0);
            }
            HttpStatus status = HttpStatus.resolve(rse.getStatusCode().value());
            return StatusResponses.write(exchange, status == null ? HttpStatus.BAD_GATEWAY : status,
                    reason(status), message(error), 0);
        }
        log.warn("{}: routing to the apiserver failed", where, error);
        return StatusResponses.write(exchange, HttpStatus.BAD_GATEWAY, "InternalError",
                "error routing the request to the apiserver: " + message(error), 0);
    }

    private static String message(Throwable error) {
        if (error instanceof ResponseStatusException rse && rse.getReason() != null) {
            return rse.getReason();
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static String reason(HttpStatus status) {
        if (status == null) {
            return "InternalError";
        }
        return switch (status) {
            case BAD_REQUEST -> "BadRequest";
            case NOT_FOUND -> "NotFound";
            case METHOD_NOT_ALLOWED -> "MethodNotAllowed";
            case NOT_ACCEPTABLE -> "NotAcceptable";
            case UNSUPPORTED_MEDIA_TYPE -> "UnsupportedMediaType";
            case SERVICE_UNAVAILABLE -> "ServiceUnavailable";
            case TOO_MANY_REQUESTS -> "TooManyRequests";
            default -> "InternalError";
        };
    }
}
