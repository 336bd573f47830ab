package io.kube4j.gateway.authn;

import io.kube4j.security.UserInfo;
import io.kube4j.security.authn.X509Authenticator;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client certificates of the cluster CA: CN is the user, O the groups (the security module's
 * {@link X509Authenticator}, the apiserver's own code).
 * <p>
 * Verifying the chain (PKIX path validation) on every request cost about a tenth of the gateway's CPU per GET, and a
 * keep-alive connection presents the same certificate on every request: the user of a verified leaf certificate is
 * kept for a short time ({@link #CACHE_TTL}, never past the certificate's expiry), so a change of the CA bundle
 * (which the authenticator reads again within a second) takes effect within that time. Failures are never kept.
 */
public final class X509EdgeAuthenticator implements EdgeAuthenticator {

    public static final int ORDER = 100;
    static final Duration CACHE_TTL = Duration.ofSeconds(10);
    static final int CACHE_MAX = 4096;

    private record Verified(UserInfo user, long expiresAtMillis) {
    }

    private final X509Authenticator x509;
    private final Clock clock;
    private final Map<X509Certificate, Verified> verified = new ConcurrentHashMap<>();

    /** @param x509 null: client certificates are not used for authentication */
    public X509EdgeAuthenticator(X509Authenticator x509) {
        this(x509, Clock.systemUTC());
    }

    X509EdgeAuthenticator(X509Authenticator x509, Clock clock) {
        this.x509 = x509;
        this.clock = clock;
    }

    @Override
    public Mono<UserInfo> authenticate(ServerWebExchange exchange) {
        SslInfo ssl = exchange.getRequest().getSslInfo();
        X509Certificate[] chain = ssl == null ? null : ssl.getPeerCertificates();
        if (x509 == null || chain == null || chain.length == 0) {
            return Mono.empty();
        }
        return Mono.fromCallable(() -> authenticate(chain).orElse(null));
    }

    /** The chain's user, from the cache when its leaf was verified a moment ago. */
    Optional<UserInfo> authenticate(X509Certificate[] chain) {
        long now = clock.millis();
        X509Certificate leaf = chain[0];
        Verified hit = verified.get(leaf);
        if (hit != null && hit.expiresAtMillis() > now) {
            return Optional.of(hit.user());
        }
        Optional<UserInfo> user = x509.authenticate(chain); // throws AuthenticationException when refused
        if (user.isPresent()) {
            if (verified.size() >= CACHE_MAX) {
                verified.clear();
            }
            long until = Math.min(now + CACHE_TTL.toMillis(), leaf.getNotAfter().getTime());
            verified.put(leaf, new Verified(user.get(), until));
        } else {
            verified.remove(leaf);
        }
        return user;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
