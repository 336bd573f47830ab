package io.kube4j.gateway.streaming;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.WebSocketClient;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.isAlreadyRouted;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.setAlreadyRouted;

/**
 * Relays WebSocket upgrades (exec, attach, port-forward) to the apiserver replica the pool chose, in place of Spring
 * Cloud Gateway's {@code WebsocketRoutingFilter}, which closes the client's session as soon as the apiserver's close
 * arrives, concurrently with relaying the messages that came just before it: under load the end of an exec's output
 * and its exit-code message (channel 3) were lost, so kubectl printed a truncated output and exited 0. Here each
 * direction closes the other side only after every message received before the close has been written.
 * <p>
 * The client's handshake completes first with the client's preferred subprotocol, and the apiserver is offered
 * exactly that one, so both sides speak the same protocol ({@code v5.channel.k8s.io}, {@code v4.channel.k8s.io},
 * {@code SPDY/3.1+portforward.k8s.io}). Headers go through the gateway's header filters (hop-by-hop headers dropped,
 * the identity headers the gateway set kept) minus the client's own handshake headers.
 */
public final class WebSocketRelayFilter implements GlobalFilter, Ordered {

    /** Just before Spring Cloud Gateway's WebSocket routing filter ({@code LOWEST_PRECEDENCE - 1}). */
    public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 2;
    private static final Logger log = LoggerFactory.getLogger(WebSocketRelayFilter.class);

    private final WebSocketClient client;
    private final WebSocketService service;
    private final ObjectProvider<List<HttpHeadersFilter>> headersFilters;

    public WebSocketRelayFilter(WebSocketClient client, WebSocketService service,
                                ObjectProvider<List<HttpHeadersFilter>> headersFilters) {
        this.client = client;
        this.service = service;
        this.headersFilters = headersFilters;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        URI url = exchange.getAttribute(GATEWAY_REQUEST_URL_ATTR);
        if (url == null || isAlreadyRouted(exchange)
                || !"websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade())) {
            return chain.filter(exchange);
        }
        String scheme = url.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) && !"ws".equals(scheme) && !"wss".equals(scheme)) {
            return chain.filter(exchange);
        }
        setAlreadyRouted(exchange);
        URI target = UriComponentsBuilder.fromUri(url)
                .scheme(scheme.equals("https") || scheme.equals("wss") ? "wss" : "ws").build(true).toUri();
        List<String> offered = protocols(exchange.getRequest().getHeaders());
        HttpHeaders headers = upstreamHeaders(exchange);
        return service.handleRequest(exchange, new WebSocketHandler() {
            @Override
            public List<String> getSubProtocols() {
                return offered;
            }

            @Override
            public Mono<Void> handle(WebSocketSession session) {
                String chosen = session.getHandshakeInfo().getSubProtocol();
                List<String> protocols = chosen == null ? List.of() : List.of(chosen);
                return client.execute(target, headers, new WebSocketHandler() {
                    @Override
                    public List<String> getSubProtocols() {
                        return protocols;
                    }

                    @Override
                    public Mono<Void> handle(WebSocketSession upstream) {
                        return relay(session, upstream);
                    }
                }).onErrorResume(e -> {
                    log.debug("WebSocket to {} failed: {}", target, e.toString());
                    return session.isOpen() ? session.close(CloseStatus.SERVER_ERROR) : Mono.empty();
                });
            }
        });
    }

    /**
     * Both directions at once; each ends by closing the other side with the close status it received, after the
     * messages before that close went out. Each session's inbound is read into its own buffer rather than handed to
     * the other session's {@code send} directly: when one side goes away its outbound cancels what it was sending,
     * and a cancelled inbound would tear the still-open side's connection down at once (an empty close frame, the
     * last messages lost) instead of letting it finish and close cleanly.
     */
    static Mono<Void> relay(WebSocketSession downstream, WebSocketSession upstream) {
        Sinks.Many<WebSocketMessage> fromClient = Sinks.many().unicast().onBackpressureBuffer();
        Sinks.Many<WebSocketMessage> fromServer = Sinks.many().unicast().onBackpressureBuffer();
        Mono<Void> readClient = read(downstream, fromClient);
        Mono<Void> readServer = read(upstream, fromServer);
        Mono<Void> toUpstream = upstream.send(fromClient.asFlux())
                .then(Mono.defer(() -> closeWith(upstream, downstream)));
        Mono<Void> toDownstream = downstream.send(fromServer.asFlux())
                .then(Mono.defer(() -> closeWith(downstream, upstream)));
        return Mono.when(readClient, readServer, toUpstream, toDownstream);
    }

    /** Everything {@code session} receives into {@code sink} (completed when the session's inbound ends). */
    private static Mono<Void> read(WebSocketSession session, Sinks.Many<WebSocketMessage> sink) {
        return session.receive()
                .doOnNext(m -> {
                    m.retain();
                    if (sink.tryEmitNext(m).isFailure()) {
                        DataBufferUtils.release(m.getPayload()); // the other side is gone
                    }
                })
                .doFinally(s -> sink.tryEmitComplete())
                .onErrorResume(e -> Mono.empty())
                .then();
    }

    /** Closes {@code target} with the status {@code source} was closed with (normal when unknown). */
    private static Mono<Void> closeWith(WebSocketSession target, WebSocketSession source) {
        if (!target.isOpen()) {
            return Mono.empty();
        }
        return source.closeStatus().defaultIfEmpty(CloseStatus.NORMAL)
                .map(s -> s.getCode() == CloseStatus.NO_STATUS_CODE.getCode()
                        || s.getCode() == CloseStatus.NO_CLOSE_FRAME.getCode() ? CloseStatus.NORMAL : s)
                .flatMap(target::close)
                .onErrorResume(e -> Mono.empty());
    }

    private HttpHeaders upstreamHeaders(ServerWebExchange exchange) {
        HttpHeaders filtered = HttpHeadersFilter.filterRequest(headersFilters.getIfAvailable(List::of), exchange);
        HttpHeaders out = new HttpHeaders();
        filtered.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("sec-websocket") && !lower.equals("host") && !lower.equals("upgrade")
                    && !lower.equals("connection")) {
                out.addAll(name, values);
            }
        });
        return out;
    }

    /** The subprotocols the client offered, in its order. */
    static List<String> protocols(HttpHeaders headers) {
        List<String> out = new ArrayList<>();
        for (String v : headers.getOrEmpty(HandshakeInfoHeaders.PROTOCOL)) {
            Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
        }
        return List.copyOf(out);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    private static final class HandshakeInfoHeaders {
        static final String PROTOCOL = "Sec-WebSocket-Protocol";
    }
}
