package io.kube4j.gateway.streaming;

import io.kube4j.gateway.routing.LongRunningRequests;
import org.reactivestreams.Publisher;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Streams the responses of long-running requests (watches in Kubernetes' chunked JSON or SSE, followed logs) to the
 * client as they come from the apiserver: the response headers are sent at once, and every chunk the apiserver
 * writes is flushed on its own.
 *
 * <p>Spring Cloud Gateway flushes per chunk only for its {@code streaming-media-types}, matched by type and subtype
 * alone; Kubernetes watches are {@code application/json}, so listing that type would flush every ordinary JSON
 * answer chunk by chunk too. Without this filter a watch's headers wait for its first event (clients such as
 * client-go block until the headers arrive) and events can sit in the gateway's write buffer. WebSocket upgrades
 * are relayed message by message by the WebSocket routing filter and are left alone.
 */
public final class StreamingResponseFilter implements GlobalFilter, Ordered {

    /** After the identity forwarding filter, long before the routing and response-writing filters. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 1100;

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        if (!LongRunningRequests.is(exchange.getRequest())
                || "websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade())) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange.mutate().response(new FlushingResponse(exchange.getResponse())).build());
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    /** Writes the body as one flushed group per chunk, after an empty group that commits the headers. */
    static final class FlushingResponse extends ServerHttpResponseDecorator {

        FlushingResponse(ServerHttpResponse delegate) {
            super(delegate);
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            Publisher<DataBuffer> opening = Mono.fromSupplier(() -> bufferFactory().wrap(new byte[0]));
            Flux<Publisher<DataBuffer>> chunks = Flux.from(body).map(b -> Mono.just((DataBuffer) b));
            return writeAndFlushWith(Flux.concat(Mono.just(opening), chunks));
        }
    }
}
