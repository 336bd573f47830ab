package io.kube4j.gateway.authn;

import io.kube4j.security.UserInfo;
import io.kube4j.security.authn.X509Authenticator;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.security.cert.X509Certificate;

/**
 * Client certificates of the cluster CA: CN is the user, O the groups (the security module's
 * {@link X509Authenticator}, the apiserver's own code).
 */
public final class X509EdgeAuthenticator implements EdgeAuthenticator {

    public static final int ORDER = 100;

    private final X509Authenticator x509;

    /** @param x509 null: client certificates are not used for authentication */
    public X509EdgeAuthenticator(X509Authenticator x509) {
        this.x509 = x509;
    }

    @Override
    public Mono<UserInfo> authenticate(ServerWebExchange exchange) {
        SslInfo ssl = exchange.getRequest().getSslInfo();
        X509Certificate[] chain = ssl == null ? null : ssl.getPeerCertificates();
        if (x509 == null || chain == null || chain.length == 0) {
            return Mono.empty();
        }
        return Mono.fromCallable(() -> x509.authenticate(chain).orElse(null));
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
