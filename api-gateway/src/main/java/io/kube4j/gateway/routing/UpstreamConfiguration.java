package io.kube4j.gateway.routing;

import io.kube4j.security.tls.ReloadingPemKeyManager;
import io.kube4j.security.tls.TlsContexts;
import io.kube4j.security.tls.TlsTrust;
import io.netty.channel.ChannelOption;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.config.HttpClientFactory;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.config.HttpClientSslConfigurer;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.nio.file.Path;
import java.util.List;

import static org.springframework.cloud.gateway.support.RouteMetadataUtils.RESPONSE_TIMEOUT_ATTR;

/**
 * The connection to the apiservers: TLS that trusts the cluster CA and presents the gateway's front-proxy client
 * certificate (used by the gateway's Netty HTTP client, its WebSocket client and the health checks alike), the
 * connection pool and connect timeout, the routes of the API paths, and the pool of replicas they go to.
 * <p>
 * Two routes share the API paths: {@code apiserver-long-running} (watches, followed logs, exec/attach/port-forward,
 * proxy, WebSocket upgrades: no response timeout) and {@code apiserver} (everything else: the response timeout of
 * {@code kube4j.gateway.limits.response-timeout}). Their URI is the first replica's only nominally:
 * {@link UpstreamSelectionFilter} picks the replica of every request.
 */
@Configuration(proxyBeanMethods = false)
public class UpstreamConfiguration {

    /** Paths the apiserver serves; everything else (dashboard, actuator, swagger UI) is the gateway's own. */
    public static final String[] API_PATHS = {"/api", "/api/**", "/apis", "/apis/**", "/openapi/**", "/version",
            "/version/", "/healthz", "/livez", "/readyz", "/healthz/**", "/livez/**", "/readyz/**"};
    /** The route of long-running requests (no response timeout). */
    public static final String LONG_RUNNING_ROUTE = "apiserver-long-running";
    /** The route of every other API request. */
    public static final String ROUTE = "apiserver";

    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    HttpClientCustomizer upstreamTls(UpstreamProperties upstream, LimitsProperties limits) {
        return client -> {
            // HTTP/1.1 to the apiservers whatever the edge serves (Spring Cloud Gateway would add h2 when the server
            // has it, which this TLS context does not offer; WebSocket upgrades need HTTP/1.1 anyway)
            client = client.protocol(HttpProtocol.HTTP11)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) limits.connectTimeout().toMillis());
            if (upstream.caFile() == null || upstream.caFile().isBlank()) {
                return client;
            }
            ReloadingPemKeyManager keys = upstream.clientCertFile() == null || upstream.clientCertFile().isBlank()
                    ? null : new ReloadingPemKeyManager(Path.of(upstream.clientCertFile()),
                    Path.of(upstream.clientKeyFile()));
            Http11SslContextSpec spec = Http11SslContextSpec.forClient().configure(b -> {
                b.trustManager(TlsContexts.trustManagerFactory(TlsTrust.server(Path.of(upstream.caFile()))));
                if (keys != null) {
                    b.keyManager(TlsContexts.keyManagerFactory(keys));
                }
            });
            return client.secure(s -> s.sslContext(spec));
        };
    }

    /**
     * Spring Cloud Gateway's HTTP client with the pool of {@code kube4j.gateway.limits.*}: a fixed pool per replica
     * ({@code max-connections}; every watch holds a connection), a bounded wait for a free connection, idle
     * connections closed after {@code max-idle-time} and evicted in the background. Replaces the gateway's default
     * factory (which it backs off for).
     */
    @Bean
    HttpClientFactory upstreamHttpClientFactory(HttpClientProperties properties, ServerProperties server,
                                                List<HttpClientCustomizer> customizers,
                                                HttpClientSslConfigurer ssl, LimitsProperties limits) {
        return new HttpClientFactory(properties, server, ssl, customizers) {
            @Override
            protected ConnectionProvider buildConnectionProvider(HttpClientProperties ignored) {
                return ConnectionProvider.builder("apiservers")
                        .maxConnections(limits.maxConnections())
                        .pendingAcquireMaxCount(-1)
                        .pendingAcquireTimeout(limits.pendingAcquireTimeout())
                        .maxIdleTime(limits.maxIdleTime())
                        .evictInBackground(limits.maxIdleTime())
                        .build();
            }
        };
    }

    @Bean
    UpstreamPool upstreamPool(UpstreamProperties upstream) {
        return UpstreamPool.of(upstream);
    }

    @Bean
    UpstreamHealthChecker upstreamHealthChecker(UpstreamPool pool, HttpClient gatewayHttpClient,
                                                UpstreamProperties upstream) {
        return new UpstreamHealthChecker(pool, gatewayHttpClient, upstream.healthCheckInterval(),
                upstream.healthCheckTimeout());
    }

    @Bean
    UpstreamSelectionFilter upstreamSelectionFilter(UpstreamPool pool, UpstreamHealthChecker health,
                                                    UpstreamProperties upstream) {
        return new UpstreamSelectionFilter(pool, health, upstream.maxRetries());
    }

    @Bean
    UpstreamExchangeFilter upstreamExchangeFilter(LimitsProperties limits) {
        return new UpstreamExchangeFilter(limits);
    }

    @Bean
    UpstreamMetrics upstreamMetrics(UpstreamPool pool) {
        return new UpstreamMetrics(pool);
    }

    @Bean
    RouteLocator apiRoutes(RouteLocatorBuilder routes, UpstreamProperties upstream, LimitsProperties limits) {
        if (upstream.servers().isEmpty()) {
            throw new IllegalStateException("kube4j.gateway.upstream.servers is empty: name at least one apiserver");
        }
        String nominal = upstream.servers().get(0);
        return routes.routes()
                .route(LONG_RUNNING_ROUTE, r -> r.order(-1)
                        .path(API_PATHS).and().predicate(exchange -> LongRunningRequests.is(exchange.getRequest()))
                        .metadata(RESPONSE_TIMEOUT_ATTR, -1L)
                        .uri(nominal))
                .route(ROUTE, r -> r.path(API_PATHS)
                        .metadata(RESPONSE_TIMEOUT_ATTR, limits.responseTimeout().toMillis())
                        .uri(nominal))
                .build();
    }
}
