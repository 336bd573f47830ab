package io.kube4j.client.internal;

import io.kube4j.client.config.ClientConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import javax.net.ssl.SSLException;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HTTP side of a {@link io.kube4j.client.KubeClient}: a Spring {@link WebClient} on its own Reactor Netty
 * connection pool, with TLS from the config's PEMs and the bearer token (a token file is re-read every minute).
 */
public final class Transport implements AutoCloseable {

    private static final int MAX_BODY = 64 * 1024 * 1024;
    private static final long TOKEN_FILE_REFRESH_NANOS = Duration.ofMinutes(1).toNanos();
    /** System property: the connection pool's size (default 500); a hollow fleet with one watch per node needs more. */
    public static final String MAX_CONNECTIONS_PROPERTY = "kube4j.client.max-connections";
    static final int DEFAULT_MAX_CONNECTIONS = 500;

    private final ClientConfig config;
    private final ConnectionProvider pool;
    private final WebClient web;
    private final HttpClient http;
    private final AtomicReference<CachedToken> token = new AtomicReference<>();
    private final Sinks.Empty<Void> closed = Sinks.empty();

    private record CachedToken(String value, long readAt) {
    }

    public Transport(ClientConfig config) {
        this.config = config;
        this.pool = ConnectionProvider.builder("kube4j-client").maxConnections(maxConnections())
                .pendingAcquireMaxCount(-1).maxIdleTime(Duration.ofSeconds(60)).build();
        HttpClient http = HttpClient.create(pool).compress(true);
        if (config.server().startsWith("https:")) {
            SslContext ssl = sslContext(config);
            http = http.secure(spec -> spec.sslContext(ssl));
        }
        this.http = http;
        this.web = WebClient.builder()
                .baseUrl(config.server())
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(MAX_BODY))
                .defaultHeader("User-Agent", "kube4j")
                .filter((request, next) -> {
                    String t = currentToken();
                    if (t == null) {
                        return next.exchange(request);
                    }
                    return next.exchange(org.springframework.web.reactive.function.client.ClientRequest.from(request)
                            .headers(h -> h.setBearerAuth(t)).build());
                })
                .build();
    }

    /** {@value #MAX_CONNECTIONS_PROPERTY}, else 500; a value that is not a positive number is an error. */
    static int maxConnections() {
        String v = System.getProperty(MAX_CONNECTIONS_PROPERTY);
        if (v == null || v.isBlank()) {
            return DEFAULT_MAX_CONNECTIONS;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(MAX_CONNECTIONS_PROPERTY + " must be a positive number, got '" + v + "'");
    }

    static SslContext sslContext(ClientConfig c) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient();
            if (c.insecureSkipTlsVerify()) {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (c.caPem() != null) {
                b.trustManager(new ByteArrayInputStream(c.caPem()));
            }
            if (c.clientCertPem() != null && c.clientKeyPem() != null) {
                b.keyManager(new ByteArrayInputStream(c.clientCertPem()), new ByteArrayInputStream(c.clientKeyPem()));
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot build TLS context from the client config: " + e.getMessage(), e);
        }
    }

    private String currentToken() {
        if (config.token() != null || config.tokenFile() == null) {
            return config.token();
        }
        CachedToken t = token.get();
        long now = System.nanoTime();
        if (t == null || now - t.readAt() > TOKEN_FILE_REFRESH_NANOS) {
            t = new CachedToken(config.currentToken(), now);
            token.set(t);
        }
        return t.value();
    }

    public WebClient web() {
        return web;
    }

    /**
     * The reactor-netty client behind {@link #web()} (connection pool and TLS with the config's trust and client
     * certificate), for what WebClient does not do: WebSocket upgrades (exec, attach, port-forward). Callers add
     * {@link #authorization()} themselves.
     */
    public HttpClient http() {
        return http;
    }

    /** The {@code Authorization} header value to send now ({@code Bearer ...}), or null without a token. */
    public String authorization() {
        String t = currentToken();
        return t == null ? null : "Bearer " + t;
    }

    public ClientConfig config() {
        return config;
    }

    /** Completes when {@link #close()} is called. */
    public Mono<Void> closed() {
        return closed.asMono();
    }

    @Override
    public void close() {
        closed.tryEmitEmpty();
        pool.dispose();
    }
}
