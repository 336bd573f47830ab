package io.kube4j.gateway;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;

/**
 * The gateway's own error answers, as Kubernetes {@code Status} objects (what kubectl and the client libraries
 * parse), never an HTML page or a stack trace.
 */
public final class StatusResponses {

    private StatusResponses() {
    }

    /**
     * Writes a {@code Failure} Status.
     *
     * @param reason            Kubernetes' reason ({@code Unauthorized}, {@code TooManyRequests},
     *                          {@code RequestEntityTooLarge}, {@code ServiceUnavailable}, {@code Timeout}, ...)
     * @param retryAfterSeconds when &gt; 0, a {@code Retry-After} header and {@code details.retryAfterSeconds}
     */
    public static Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String reason, String message,
                                   long retryAfterSeconds) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.empty();
        }
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (retryAfterSeconds > 0) {
            response.getHeaders().set("Retry-After", Long.toString(retryAfterSeconds));
        }
        String json = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
                + quote(message) + ",\"reason\":" + quote(reason)
                + (retryAfterSeconds > 0 ? ",\"details\":{\"retryAfterSeconds\":" + retryAfterSeconds + "}" : "")
                + ",\"code\":" + status.value() + "}";
        DataBuffer body = response.bufferFactory().wrap(json.getBytes(StandardCharsets.UTF_8));
        return response.writeWith(Mono.just(body));
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : (s == null ? "" : s).toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
