package io.kube4j.gateway.tls;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * Edge TLS ({@code kube4j.gateway.tls.*}): the serving certificate and key (PEM; read again when they change), and
 * the CA whose client certificates are requested (not required) at the handshake; the authenticator verifies them.
 *
 * @param certFile            the serving certificate (the cluster CA's, SANs the gateway's names and addresses)
 * @param keyFile             its key
 * @param clientCaFile        CA bundle of the client certificates to request (empty: none requested)
 * @param reloadCheckInterval how often the files are checked for changes
 * @param http2               serve HTTP/2 (ALPN h2) besides HTTP/1.1
 * @param redirectHttpPort    when set, a plain-HTTP port that only redirects to HTTPS (none by default)
 */
@ConfigurationProperties("kube4j.gateway.tls")
public record GatewayTlsProperties(String certFile, String keyFile, String clientCaFile, Duration reloadCheckInterval,
                                   Boolean http2, Integer redirectHttpPort) {
    public GatewayTlsProperties {
        reloadCheckInterval = reloadCheckInterval == null ? Duration.ofSeconds(10) : reloadCheckInterval;
        http2 = http2 == null || http2;
    }

    public boolean enabled() {
        return certFile != null && !certFile.isBlank();
    }
}
