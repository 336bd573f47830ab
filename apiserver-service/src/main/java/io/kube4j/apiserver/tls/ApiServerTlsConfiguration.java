package io.kube4j.apiserver.tls;

import io.kube4j.security.pki.CertificateAndKey;
import io.kube4j.security.pki.SubjectAltNames;
import io.kube4j.security.tls.ReloadingPemKeyManager;
import io.kube4j.security.tls.TlsContexts;
import io.kube4j.security.tls.TlsTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.reactive.ConfigurableReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Serves the API over HTTPS with {@code kube4j.apiserver.tls.*}: the serving certificate is read again when its files
 * change (rotation without restart, from the next handshake on), and client certificates are requested, not required,
 * with any chain accepted at the TLS layer, as kube-apiserver does: the x509 authenticator verifies them, so a bad
 * certificate gets a 401 Status rather than a handshake failure. Plain HTTP is served only with
 * {@code kube4j.apiserver.authentication.insecure-development=true}; without TLS files and without it the apiserver
 * refuses to start.
 */
@Configuration(proxyBeanMethods = false)
public class ApiServerTlsConfiguration {

    /** The SSL bundle the server uses. */
    public static final String BUNDLE = "kube4j-apiserver";
    static final String INSECURE_DEVELOPMENT = "kube4j.apiserver.authentication.insecure-development";

    private static final Logger log = LoggerFactory.getLogger(ApiServerTlsConfiguration.class);

    @Bean
    SslBundleRegistrar apiServerSslBundle(ApiServerTlsProperties tls, Environment env) {
        check(tls, env);
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
            CertificateAndKey served = keys.current();
            log.info("serving HTTPS with {} (CN={}, DNS={}, IP={}, valid until {}); client certificates requested{}",
                    tls.certFile(), SubjectAltNames.commonName(served.certificate()),
                    SubjectAltNames.dnsNames(served.certificate()), SubjectAltNames.ipAddresses(served.certificate()),
                    served.notAfter(), clientCa == null ? " (no client CA)" : ", issuers from " + clientCa);
        };
    }

    @Bean
    WebServerFactoryCustomizer<ConfigurableReactiveWebServerFactory> apiServerHttps(ApiServerTlsProperties tls) {
        // Runs after Boot's own customizer (order 0), which would otherwise reset ssl from server.ssl.*.
        return factory -> {
            if (tls.enabled()) {
                Ssl ssl = Ssl.forBundle(BUNDLE);
                ssl.setClientAuth(Ssl.ClientAuth.WANT);
                factory.setSsl(ssl);
            }
        };
    }

    /** Refuses configurations that would serve the API without TLS, or with TLS files that cannot work. */
    static void check(ApiServerTlsProperties tls, Environment env) {
        boolean insecure = env.getProperty(INSECURE_DEVELOPMENT, Boolean.class, false);
        if (!tls.enabled()) {
            if (!insecure) {
                throw new IllegalStateException("the apiserver serves HTTPS only: set kube4j.apiserver.tls.cert-file "
                        + "and kube4j.apiserver.tls.key-file (./kube4j up creates them under ~/.kube4j/pki), or "
                        + INSECURE_DEVELOPMENT + "=true for plain HTTP in development");
            }
            log.warn("INSECURE: serving plain HTTP (no kube4j.apiserver.tls.cert-file); development only");
            return;
        }
        if (tls.keyFile() == null || tls.keyFile().isBlank()) {
            throw new IllegalStateException("kube4j.apiserver.tls.cert-file is set but kube4j.apiserver.tls.key-file "
                    + "is not");
        }
        requireReadable("kube4j.apiserver.tls.cert-file", tls.certFile());
        requireReadable("kube4j.apiserver.tls.key-file", tls.keyFile());
        if (tls.clientCaFile() != null && !tls.clientCaFile().isBlank()) {
            requireReadable("kube4j.apiserver.tls.client-ca-file", tls.clientCaFile());
        }
    }

    private static void requireReadable(String property, String file) {
        if (!Files.isReadable(Path.of(file))) {
            throw new IllegalStateException(property + "=" + file + " is not a readable file");
        }
    }
}
