package io.kube4j.gateway.tls;

import io.kube4j.security.tls.ReloadingPemKeyManager;
import io.kube4j.security.tls.TlsContexts;
import io.kube4j.security.tls.TlsTrust;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.server.Http2;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.reactive.ConfigurableReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.nio.file.Path;
import java.time.Clock;

/**
 * Serves HTTPS with {@code kube4j.gateway.tls.*}, as the apiserver does: the certificate files are read again when
 * they change, client certificates are requested (WANT) and any chain is accepted at the TLS layer, so that a bad
 * certificate gets a 401 Status from the authenticator rather than a handshake failure. HTTP/2 is offered by ALPN
 * when {@code kube4j.gateway.tls.http2} (default true), and a plain-HTTP port redirects to HTTPS only when
 * {@code kube4j.gateway.tls.redirect-http-port} is set.
 */
@Configuration(proxyBeanMethods = false)
public class GatewayTlsConfiguration {

    public static final String BUNDLE = "kube4j-gateway";

    @Bean
    SslBundleRegistrar gatewaySslBundle(GatewayTlsProperties tls) {
        return registry -> {
            if (!tls.enabled()) {
                return;
            }
            ReloadingPemKeyManager keys = new ReloadingPemKeyManager(Path.of(tls.certFile()), Path.of(tls.keyFile()),
                    tls.reloadCheckInterval(), Clock.systemUTC());
            Path clientCa = tls.clientCaFile() == null || tls.clientCaFile().isBlank() ? null
                    : Path.of(tls.clientCaFile());
            SslManagerBundle managers = SslManagerBundle.of(TlsContexts.keyManagerFactory(keys),
                    TlsContexts.trustManagerFactory(TlsTrust.acceptAnyClient(clientCa)));
            registry.registerBundle(BUNDLE, SslBundle.of(null, null, SslOptions.NONE, SslBundle.DEFAULT_PROTOCOL,
                    managers));
        };
    }

    @Bean
    WebServerFactoryCustomizer<ConfigurableReactiveWebServerFactory> gatewayHttps(GatewayTlsProperties tls) {
        return factory -> {
            if (tls.enabled()) {
                Ssl ssl = Ssl.forBundle(BUNDLE);
                ssl.setClientAuth(Ssl.ClientAuth.WANT);
                factory.setSsl(ssl);
                // h2 negotiated by ALPN next to http/1.1 (kubectl's WebSocket and SPDY upgrades use http/1.1)
                Http2 http2 = new Http2();
                http2.setEnabled(tls.http2());
                factory.setHttp2(http2);
            }
        };
    }

    /** The plain-HTTP redirect port, only when {@code kube4j.gateway.tls.redirect-http-port} is set. */
    @Bean
    @ConditionalOnProperty("kube4j.gateway.tls.redirect-http-port")
    HttpsRedirectServer httpsRedirectServer(GatewayTlsProperties tls, Environment env) {
        if (!tls.enabled()) {
            throw new IllegalStateException("kube4j.gateway.tls.redirect-http-port needs HTTPS "
                    + "(kube4j.gateway.tls.cert-file) to redirect to");
        }
        return new HttpsRedirectServer(env.getProperty("server.address"), tls.redirectHttpPort());
    }
}
