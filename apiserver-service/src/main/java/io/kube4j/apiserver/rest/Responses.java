package io.kube4j.apiserver.rest;

import io.kube4j.api.codec.Codecs;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes API answers as JSON, or YAML when the client prefers it. */
public final class Responses {

    public static final MediaType YAML = MediaType.parseMediaType("application/yaml");

    private Responses() {
    }

    static boolean wantsYaml(ServerRequest request) {
        List<MediaType> accept;
        try {
            accept = request.headers().accept();
        } catch (org.springframework.http.InvalidMediaTypeException e) {
            return false;
        }
        for (MediaType m : accept) {
            String t = m.getType() + "/" + m.getSubtype();
            if (t.equals("application/json") || t.equals("*/*")) {
                return false;
            }
            if (t.equals("application/yaml") || t.equals("application/x-yaml") || t.equals("text/yaml")) {
                return true;
            }
        }
        return false;
    }

    public static Mono<ServerResponse> object(ServerRequest request, int status, byte[] json) {
        return object(request, status, json, List.of());
    }

    /** The object, with one {@code Warning: 299 - "..."} header per warning. */
    public static Mono<ServerResponse> object(ServerRequest request, int status, byte[] json, List<String> warnings) {
        ServerResponse.BodyBuilder b = ServerResponse.status(status);
        for (String w : warnings) {
            b.header("Warning", warningHeader(w));
        }
        if (wantsYaml(request)) {
            String yaml = Codecs.yaml().writeValueAsString(Codecs.json().readTree(json));
            return b.contentType(YAML).body(BodyInserters.fromValue(yaml.getBytes(StandardCharsets.UTF_8)));
        }
        return b.contentType(MediaType.APPLICATION_JSON).body(BodyInserters.fromValue(json));
    }

    /** A {@code Warning} header value as Kubernetes writes it: code 299, no agent, the text quoted. */
    public static String warningHeader(String warning) {
        return "299 - \"" + warning.replace("\"", "\\\"") + "\"";
    }

    public static Mono<ServerResponse> object(ServerRequest request, int status, Object value) {
        return object(request, status, Codecs.json().writeValueAsBytes(value));
    }

    public static Mono<ServerResponse> object(ServerRequest request, int status, Object value, List<String> warnings) {
        return object(request, status, Codecs.json().writeValueAsBytes(value), warnings);
    }

    /**
     * Writes {@code e} as a Status from a {@code WebFilter}, before any handler ran (401, 403 from the security chain,
     * 429 and 504 from the limits); {@code Retry-After} per {@link ApiException#retryAfterHeader()}; nothing once the
     * response is committed.
     */
    public static Mono<Void> error(org.springframework.web.server.ServerWebExchange exchange, ApiException e) {
        org.springframework.http.server.reactive.ServerHttpResponse r = exchange.getResponse();
        if (r.isCommitted()) {
            return Mono.empty();
        }
        byte[] body = Codecs.json().writeValueAsBytes(e.toStatus());
        r.setStatusCode(HttpStatus.valueOf(e.code()));
        r.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        r.getHeaders().setContentLength(body.length);
        if (e.retryAfterHeader() != null) {
            r.getHeaders().set("Retry-After", e.retryAfterHeader());
        }
        return r.writeWith(Mono.fromSupplier(() -> r.bufferFactory().wrap(body)));
    }

    public static Mono<ServerResponse> error(ApiException e) {
        byte[] body = Codecs.json().writeValueAsBytes(e.toStatus());
        ServerResponse.BodyBuilder b = ServerResponse.status(HttpStatus.valueOf(e.code())).contentType(MediaType.APPLICATION_JSON);
        if (e.retryAfterHeader() != null) {
            b.header("Retry-After", e.retryAfterHeader());
        }
        return b.body(BodyInserters.fromValue(body));
    }
}
