package io.kube4j.gateway.routing;

import org.reactivestreams.Publisher;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Wraps the whole proxied exchange of an API request (it runs before {@link NettyWriteResponseFilter}, so it sees
 * the response body being written): enforces the request body limit (from {@code Content-Length} at once, else while
 * the body streams) and the response body limit of requests that are not long-running, answers routing failures as
 * Kubernetes Status objects ({@link UpstreamErrors}), and releases the replica's in-flight count when the exchange
 * ends, so a watch or an exec session counts as outstanding for its whole life.
 */
public final class UpstreamExchangeFilter implements GlobalFilter, Ordered {

    /** Just before the response writer. */
    public static final int ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1;
    /** Exchange attribute: the {@code AtomicReference<UpstreamReplica.Lease>} of the current attempt. */
    public static final String LEASE_ATTR = UpstreamExchangeFilter.class.getName() + ".lease";

    private final LimitsProperties limits;

    public UpstreamExchangeFilter(LimitsProperties limits) {
        this.limits = limits;
    }

    /** Whether the route is one of the apiserver routes (ids prefixed {@code apiserver}). */
    public static boolean isApiRoute(ServerWebExchange exchange) {
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        return route != null && route.getId().startsWith("apiserver");
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        if (!isApiRoute(exchange)) {
            return chain.filter(exchange);
        }
        ServerHttpRequest request = exchange.getRequest();
        long maxRequest = limits.maxRequestBody().toBytes();
        if (request.getHeaders().getContentLength() > maxRequest) {
            return UpstreamErrors.respond(exchange, new UpstreamErrors.RequestTooLarge(maxRequest));
        }
        AtomicReference<UpstreamReplica.Lease> lease = new AtomicReference<>();
        exchange.getAttributes().put(LEASE_ATTR, lease);
        ServerWebExchange.Builder b = exchange.mutate();
        boolean webSocket = "websocket".equalsIgnoreCase(request.getHeaders().getUpgrade());
        if (!webSocket) {
            b.request(new LimitedRequest(request, maxRequest));
        }
        if (!LongRunningRequests.is(request)) {
            b.response(new LimitedResponse(exchange.getResponse(), limits.maxResponseBody().toBytes()));
        }
        ServerWebExchange limited = b.build();
        return chain.filter(limited)
                .onErrorResume(e -> UpstreamErrors.respond(limited, e))
                .doFinally(signal -> {
                    UpstreamReplica.Lease l = lease.getAndSet(null);
                    if (l != null) {
                        l.release();
                    }
                });
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    /** Counts {@code body}'s bytes; more than {@code max} ends it with {@code tooLarge}. */
    static Flux<DataBuffer> limit(Publisher<? extends DataBuffer> body, long max, AtomicLong count,
                                  RuntimeException tooLarge) {
        return Flux.<DataBuffer>from(body).handle((buf, sink) -> {
            if (count.addAndGet(buf.readableByteCount()) > max) {
                DataBufferUtils.release(buf);
                sink.error(tooLarge);
            } else {
                sink.next(buf);
            }
        });
    }

    /** The request whose body may not exceed the limit. */
    static final class LimitedRequest extends ServerHttpRequestDecorator {
        private final long max;

        LimitedRequest(ServerHttpRequest delegate, long max) {
            super(delegate);
            this.max = max;
        }

        @Override
        public Flux<DataBuffer> getBody() {
            return limit(super.getBody(), max, new AtomicLong(), new UpstreamErrors.RequestTooLarge(max));
        }
    }

    /** The response whose body may not exceed the limit (short requests only). */
    static final class LimitedResponse extends ServerHttpResponseDecorator {
        private final long max;
        private final AtomicLong written = new AtomicLong();

        LimitedResponse(ServerHttpResponse delegate, long max) {
            super(delegate);
            this.max = max;
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            if (getHeaders().getContentLength() > max) {
                // known before anything is sent: the client gets a Status instead of a truncated body (the body is
                // never read; the response writer closes the upstream connection on the error)
                return Mono.error(new UpstreamErrors.ResponseTooLarge(max));
            }
            return super.writeWith(limit(body, max, written, new UpstreamErrors.ResponseTooLarge(max)));
        }

        @Override
        public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            return super.writeAndFlushWith(Flux.from(body)
                    .map(p -> limit(p, max, written, new UpstreamErrors.ResponseTooLarge(max))));
        }
    }
}
