package io.kube4j.gateway.tls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.http.HttpHeaders;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;

import java.net.InetSocketAddress;

/**
 * A plain-HTTP port that only redirects to the gateway's HTTPS port ({@code kube4j.gateway.tls.redirect-http-port}):
 * every request gets 308 Permanent Redirect (the method and body are kept) to the same host, path and query over
 * HTTPS. Started once the HTTPS server listens (its port is needed), stopped with the context. Nothing else is
 * served there, so no credential is ever accepted over plain HTTP.
 */
public final class HttpsRedirectServer implements ApplicationListener<ReactiveWebServerInitializedEvent>,
        AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpsRedirectServer.class);

    private final String address;
    private final int port;
    private volatile DisposableServer server;

    /**
     * @param address the address to bind ({@code server.address}; null: all)
     * @param port    the port (0: any free one, see {@link #port()})
     */
    public HttpsRedirectServer(String address, int port) {
        this.address = address;
        this.port = port;
    }

    @Override
    public void onApplicationEvent(ReactiveWebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null || server != null) {
            return; // the management server, or already started
        }
        int httpsPort = event.getWebServer().getPort();
        HttpServer http = HttpServer.create().port(port)
                .handle((req, res) -> res.status(308)
                        .header(HttpHeaders.LOCATION, location(req, httpsPort, address))
                        .header(HttpHeaders.CONTENT_LENGTH, "0")
                        .send());
        server = (address == null || address.isBlank() ? http : http.host(address)).bindNow();
        log.info("Redirecting plain HTTP on {} to HTTPS port {}", server.address(), httpsPort);
    }

    /** The port it listens on (-1 before the HTTPS server started). */
    public int port() {
        DisposableServer s = server;
        return s == null ? -1 : ((InetSocketAddress) s.address()).getPort();
    }

    @Override
    public void close() {
        DisposableServer s = server;
        if (s != null) {
            s.disposeNow();
        }
    }

    static String location(HttpServerRequest req, int httpsPort, String fallbackHost) {
        String host = host(req.requestHeaders().get(HttpHeaders.HOST));
        if (host == null) {
            host = fallbackHost == null || fallbackHost.isBlank() || fallbackHost.equals("0.0.0.0") ? "localhost"
                    : fallbackHost.contains(":") ? "[" + fallbackHost + "]" : fallbackHost;
        }
        String uri = req.uri().startsWith("/") ? req.uri() : "/";
        return "https://" + host + (httpsPort == 443 ? "" : ":" + httpsPort) + uri;
    }

    /** The host of a Host header without its port ({@code [::1]:80} → {@code [::1]}), null when absent or bad. */
    static String host(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return null;
        }
        String h = hostHeader.trim();
        String host;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            host = end < 0 ? null : h.substring(0, end + 1);
        } else {
            int colon = h.indexOf(':');
            host = colon < 0 ? h : h.substring(0, colon);
        }
        return host != null && host.matches("\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+") ? host : null;
    }
}
