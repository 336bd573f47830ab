package io.kube4j.gateway.routing;

import io.kube4j.security.tls.ReloadingPemKeyManager;
import io.kube4j.security.tls.TlsContexts;
import io.kube4j.security.tls.TlsTrust;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.http.Http11SslContextSpec;

import java.nio.file.Path;

/**
 * The connection to the apiservers: TLS that trusts the cluster CA and presents the gateway's front-proxy client
 * certificate (used by the gateway's Netty HTTP client and its WebSocket client alike), and the routes of the API
 * paths to the pool.
 */
@Configuration(proxyBeanMethods = false)
public class UpstreamConfiguration {

    /** Paths the apiserver serves; everything else (dashboard, actuator, swagger UI) is the gateway's own. */
    public static final String[] API_PATHS = {"/api", "/api/**", "/apis", "/apis/**", "/openapi/**", "/version",
            "/version/", "/healthz", "/livez", "/readyz", "/healthz/**", "/livez/**", "/readyz/**"};

    @Bean
    HttpClientCustomizer upstreamTls(UpstreamProperties upstream) {
        return client -> {
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

    @Bean
    RouteLocator apiRoutes(RouteLocatorBuilder routes, UpstreamProperties upstream) {
        if (upstream.servers().isEmpty()) {
            throw new IllegalStateException("kube4j.gateway.upstream.servers is empty: name at least one apiserver");
        }
        // the skeleton routes to the first replica; the pool (health, least outstanding requests, retries) replaces it
        return routes.routes()
                .route("apiserver", r -> r.path(API_PATHS).uri(upstream.servers().get(0)))
                .build();
    }
}
