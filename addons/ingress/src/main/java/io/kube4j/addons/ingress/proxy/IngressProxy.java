package io.kube4j.addons.ingress.proxy;

import io.kube4j.addons.ingress.config.IngressProperties;
import io.kube4j.addons.ingress.routing.Backend;
import io.kube4j.addons.ingress.routing.RouteMatch;
import io.kube4j.addons.ingress.routing.RoutingTable;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.ConnectionProvider;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The reverse proxy: routes each request through the current {@link RoutingTable} (read once per request, so a
 * reload between two requests of a keep-alive connection simply applies to the second), forwards it to an endpoint
 * over a pooled keep-alive client, and streams the response back. Hop-by-hop headers are dropped, the original
 * {@code Host} is kept, and {@code X-Forwarded-For/-Proto/-Host} tell the backend who asked and how. No route is 404,
 * no ready endpoint 503, an unreachable endpoint 502, a backend that does not answer in time 504.
 */
public final class IngressProxy {

    private static final Logger log = LoggerFactory.getLogger(IngressProxy.class);
    /** RFC 9110 §7.6.1 hop-by-hop headers: they describe one connection and must not be forwarded. */
    private static final Set<AsciiString> HOP_BY_HOP = Set.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
            AsciiString.cached("proxy-connection"));
    private static final String X_FORWARDED_FOR = "X-Forwarded-For";

    private final Supplier<RoutingTable> tables;
    private final IngressMetrics metrics;
    private final HttpClient client;
    private final ConnectionProvider connections;

    public IngressProxy(Supplier<RoutingTable> tables, IngressMetrics metrics, IngressProperties props) {
        this.tables = tables;
        this.metrics = metrics;
        this.connections = ConnectionProvider.builder("kube4j-ingress").maxConnections(2048)
                .pendingAcquireMaxCount(-1).maxIdleTime(Duration.ofSeconds(55)).build();
        this.client = HttpClient.create(connections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) props.connectTimeout().toMillis())
                .responseTimeout(props.responseTimeout())
                .followRedirect(false)
                .compress(false);
    }

    /** Serves one request that arrived on the plain ({@code secure=false}) or the TLS listener. */
    public Mono<Void> handle(HttpServerRequest req, HttpServerResponse res, boolean secure) {
        long start = System.nanoTime();
        String hostHeader = req.requestHeaders().get(HttpHeaderNames.HOST);
        Optional<RouteMatch> match = tables.get().route(hostHeader, req.uri());
        if (match.isEmpty()) {
            return error(res, HttpResponseStatus.NOT_FOUND, "default backend - 404")
                    .doFinally(s -> metrics.record("", "", "_", 404, System.nanoTime() - start));
        }
        Backend backend = match.get().backend();
        String ruleHost = match.get().host();
        Optional<String> endpoint = backend.next();
        if (endpoint.isEmpty()) {
            return error(res, HttpResponseStatus.SERVICE_UNAVAILABLE, "no ready endpoint for " + backend.description())
                    .doFinally(s -> metrics.record(backend.namespace(), backend.ingress(), ruleHost, 503,
                            System.nanoTime() - start));
        }
        AtomicInteger status = new AtomicInteger(0);
        boolean hasBody = req.requestHeaders().contains(HttpHeaderNames.CONTENT_LENGTH)
                || req.requestHeaders().contains(HttpHeaderNames.TRANSFER_ENCODING);
        return client.request(req.method())
                .uri("http://" + endpoint.get() + req.uri())
                .send((creq, out) -> {
                    forwardHeaders(req, creq.requestHeaders(), hostHeader, secure);
                    return hasBody ? out.send(req.receive().retain()) : out;
                })
                .response((cres, body) -> {
                    status.set(cres.status().code());
                    res.status(cres.status());
                    copyResponseHeaders(cres.responseHeaders(), res.responseHeaders());
                    return res.send(body.retain());
                })
                .then()
                .onErrorResume(e -> {
                    if (res.hasSentHeaders()) {
                        return Mono.error(e); // mid-body: only closing the connection tells the client
                    }
                    boolean timeout = e instanceof TimeoutException
                            || e.getClass().getSimpleName().contains("Timeout");
                    HttpResponseStatus s = timeout ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY;
                    status.set(s.code());
                    log.debug("backend {} at {} failed: {}", backend.description(), endpoint.get(), e.toString());
                    return error(res, s, "backend " + backend.description() + " failed: " + e.getClass().getSimpleName());
                })
                .doFinally(s -> metrics.record(backend.namespace(), backend.ingress(), ruleHost,
                        status.get() == 0 ? 499 : status.get(), System.nanoTime() - start));
    }

    private static Mono<Void> error(HttpServerResponse res, HttpResponseStatus status, String message) {
        return res.status(status).header(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .sendString(Mono.just(message + "\n")).then();
    }

    static void forwardHeaders(HttpServerRequest req, HttpHeaders out, String hostHeader, boolean secure) {
        HttpHeaders in = req.requestHeaders();
        for (Map.Entry<String, String> h : in) {
            if (!isHopByHop(h.getKey())) {
                out.add(h.getKey(), h.getValue());
            }
        }
        String client = clientAddress(req.remoteAddress());
        String prior = in.get(X_FORWARDED_FOR);
        out.set(X_FORWARDED_FOR, prior == null || prior.isBlank() ? client : prior + ", " + client);
        out.set("X-Forwarded-Proto", secure ? "https" : "http");
        if (hostHeader != null) {
            out.set("X-Forwarded-Host", hostHeader);
            out.set(HttpHeaderNames.HOST, hostHeader);
        }
    }

    private static void copyResponseHeaders(HttpHeaders from, HttpHeaders to) {
        for (Map.Entry<String, String> h : from) {
            if (!isHopByHop(h.getKey())) {
                to.add(h.getKey(), h.getValue());
            }
        }
    }

    private static boolean isHopByHop(String name) {
        return HOP_BY_HOP.contains(AsciiString.of(name.toLowerCase(java.util.Locale.ROOT)));
    }

    private static String clientAddress(SocketAddress a) {
        if (a instanceof InetSocketAddress isa) {
            return isa.getAddress() != null ? isa.getAddress().getHostAddress() : isa.getHostString();
        }
        return String.valueOf(a);
    }

    public void close() {
        connections.disposeLater().block(Duration.ofSeconds(5));
    }
}
