package io.kube4j.apiserver.tls;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The apiserver's HTTPS, under {@code kube4j.apiserver.tls} (kube-apiserver's {@code --tls-cert-file},
 * {@code --tls-private-key-file}, {@code --client-ca-file}).
 *
 * @param certFile            PEM serving certificate (chain); HTTPS is served when set
 * @param keyFile             PEM private key of {@code certFile}
 * @param clientCaFile        PEM CA bundle named to clients as the issuers of acceptable client certificates; any
 *                            client chain passes the handshake and the x509 authenticator verifies it
 * @param reloadCheckInterval how often, at most, the files are checked for a rotated certificate (on a handshake)
 */
@ConfigurationProperties("kube4j.apiserver.tls")
public record ApiServerTlsProperties(String certFile, String keyFile, String clientCaFile,
                                     @DefaultValue("1s") Duration reloadCheckInterval) {

    public boolean enabled() {
        return certFile != null && !certFile.isBlank();
    }
}
