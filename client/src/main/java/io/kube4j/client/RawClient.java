package io.kube4j.client;

import io.kube4j.client.internal.HttpResourceClient;
import io.kube4j.client.internal.Transport;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Requests by path, for what has no typed client: discovery ({@code /api}, {@code /apis/...}), {@code /version},
 * {@code /openapi/v3}, subresources such as {@code pods/eviction}, and streamed answers ({@code pods/log?follow}).
 * Paths are absolute ({@code /api/v1/namespaces/x/pods/y/log?follow=true}) and sent as given (callers encode query
 * values). A non-2xx answer is an {@link ApiStatusException} carrying the server's Status.
 */
public final class RawClient {

    private final Transport transport;
    private final WebClient web;

    RawClient(Transport transport) {
        this.transport = transport;
        this.web = transport.web();
    }

    /** The transport (TLS, credentials), for WebSocket upgrades ({@link Transport#http()}). */
    public Transport transport() {
        return transport;
    }

    /** GET {@code path}, {@code Accept: application/json}: the body. */
    public Mono<byte[]> get(String path) {
        return request(HttpMethod.GET, path, null, null);
    }

    /** Any method; {@code body} null sends none. The body of a 2xx answer (empty array for none). */
    public Mono<byte[]> request(HttpMethod method, String path, MediaType contentType, byte[] body) {
        URI uri = uri(path);
        WebClient.RequestBodySpec spec = web.method(method).uri(uri).accept(MediaType.APPLICATION_JSON);
        WebClient.RequestHeadersSpec<?> ready = body == null ? spec
                : spec.contentType(contentType == null ? MediaType.APPLICATION_JSON : contentType).bodyValue(body);
        return ready.exchangeToMono(resp -> resp.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(b ->
                        resp.statusCode().is2xxSuccessful() ? Mono.just(b)
                                : Mono.error(HttpResourceClient.toException(resp, b, method + " " + uri.getRawPath()))))
                .timeout(transport.config().requestTimeout(), Mono.error(() -> new ApiStatusException(504, null,
                        method + " " + uri.getRawPath() + ": no answer within " + transport.config().requestTimeout())));
    }

    /**
     * GET {@code path} and stream the body as it arrives (no timeout: a followed log or a watch lasts as long as the
     * subscriber wants). Chunks are raw bytes; split lines yourself ({@link #lines(String)} does).
     */
    public Flux<byte[]> stream(String path, MediaType accept) {
        URI uri = uri(path);
        return web.get().uri(uri).accept(accept == null ? MediaType.ALL : accept)
                .exchangeToFlux(resp -> {
                    if (!resp.statusCode().is2xxSuccessful()) {
                        return resp.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMapMany(b ->
                                Flux.error(HttpResourceClient.toException(resp, b, "GET " + uri.getRawPath())));
                    }
                    return resp.bodyToFlux(DataBuffer.class).map(buf -> {
                        byte[] bytes = new byte[buf.readableByteCount()];
                        buf.read(bytes);
                        DataBufferUtils.release(buf);
                        return bytes;
                    });
                })
                .takeUntilOther(transport.closed());
    }

    /** {@link #stream} split into UTF-8 lines (without the newline; a last unterminated line is emitted at the end). */
    public Flux<String> lines(String path) {
        return Flux.defer(() -> {
            StringBuilder pending = new StringBuilder();
            return stream(path, MediaType.ALL).concatMapIterable(chunk -> {
                pending.append(new String(chunk, StandardCharsets.UTF_8));
                java.util.List<String> out = new java.util.ArrayList<>();
                int nl;
                while ((nl = pending.indexOf("\n")) >= 0) {
                    out.add(pending.substring(0, nl));
                    pending.delete(0, nl + 1);
                }
                return out;
            }).concatWith(Flux.defer(() -> pending.isEmpty() ? Flux.empty() : Flux.just(pending.toString())));
        });
    }

    private URI uri(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a path starts with '/': " + path);
        }
        return URI.create(transport.config().server() + path);
    }
}
