package io.kube4j.apiserver.auth.authn;

import io.kube4j.security.UserInfo;
import io.kube4j.security.authn.AuthenticationException;
import io.kube4j.security.authn.OidcAuthenticator;
import io.kube4j.security.authn.RequestHeaderAuthenticator;
import io.kube4j.security.authn.ServiceAccountTokens;
import io.kube4j.security.authn.StaticTokenAuthenticator;
import io.kube4j.security.authn.X509Authenticator;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;
import reactor.core.publisher.Mono;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The apiserver's authenticators in the order, first that answers wins: client certificate, static
 * token, ServiceAccount token, OIDC ID token, front-proxy headers. A request whose credentials none accepts fails (401) even if
 * some other part would pass as anonymous; a request without any credentials is {@link Outcome#none()}.
 * Every identity gets {@code system:authenticated}.
 */
public final class RequestAuthentication {

    public static final String INSECURE_DEVELOPMENT_USER = "kube4j:insecure-development";

    private final X509Authenticator x509;
    private final StaticTokenAuthenticator staticTokens;
    private final ServiceAccountTokens serviceAccountTokens;
    private final RequestHeaderAuthenticator frontProxy;
    private final OidcAuthenticator oidc;

    /** Any authenticator may be null (not configured). */
    public RequestAuthentication(X509Authenticator x509, StaticTokenAuthenticator staticTokens,
                                 ServiceAccountTokens serviceAccountTokens, RequestHeaderAuthenticator frontProxy) {
        this(x509, staticTokens, serviceAccountTokens, null, frontProxy);
    }

    /** Any authenticator may be null (not configured). */
    public RequestAuthentication(X509Authenticator x509, StaticTokenAuthenticator staticTokens,
                                 ServiceAccountTokens serviceAccountTokens, OidcAuthenticator oidc,
                                 RequestHeaderAuthenticator frontProxy) {
        this.x509 = x509;
        this.staticTokens = staticTokens;
        this.serviceAccountTokens = serviceAccountTokens;
        this.oidc = oidc;
        this.frontProxy = frontProxy;
    }

    /** The result: a user, no credentials at all, or credentials that failed (with the reasons, for logs). */
    public record Outcome(UserInfo user, List<String> errors) {
        static Outcome none() {
            return new Outcome(null, List.of());
        }

        public boolean authenticated() {
            return user != null;
        }

        public boolean failed() {
            return user == null && !errors.isEmpty();
        }
    }

    public Mono<Outcome> authenticate(ServerHttpRequest request) {
        X509Certificate[] chain = peerChain(request);
        String token = bearerToken(request.getHeaders());
        List<String> errors = new ArrayList<>();
        if (x509 != null && chain != null) {
            Optional<UserInfo> u = attempt(() -> x509.authenticate(chain), errors);
            if (u.isPresent()) {
                return Mono.just(new Outcome(u.get().withAuthenticatedGroup(), List.of()));
            }
        }
        Mono<Optional<UserInfo>> byToken = token == null ? Mono.just(Optional.empty())
                : authenticateToken(token, List.of()).map(r -> r.map(ServiceAccountTokens.Authenticated::user))
                .onErrorResume(AuthenticationException.class, e -> {
                    errors.add(e.getMessage());
                    return Mono.just(Optional.empty());
                });
        return byToken.map(u -> {
            if (u.isPresent()) {
                return new Outcome(u.get(), List.of());
            }
            if (token != null && errors.isEmpty()) {
                errors.add("invalid bearer token");
            }
            if (frontProxy != null) {
                Optional<UserInfo> p = attempt(() -> frontProxy.authenticate(chain, headerMap(request.getHeaders())), errors);
                if (p.isPresent()) {
                    return new Outcome(p.get().withAuthenticatedGroup(), List.of());
                }
            }
            return errors.isEmpty() ? Outcome.none() : new Outcome(null, List.copyOf(errors));
        });
    }

    /**
     * Authenticates a bearer token with the token authenticators (static file, ServiceAccount JWTs, OIDC) for the
     * given audiences (empty: the API's own), as TokenReview does. Empty when no authenticator knows the token;
     * {@link AuthenticationException} when one rejects it. The user has {@code system:authenticated}.
     */
    public Mono<Optional<ServiceAccountTokens.Authenticated>> authenticateToken(String token, List<String> audiences) {
        if (staticTokens != null) {
            Optional<UserInfo> u = staticTokens.authenticate(token);
            if (u.isPresent()) {
                return audienceAgnostic(u.get(), audiences);
            }
        }
        Mono<Optional<ServiceAccountTokens.Authenticated>> sa = serviceAccountTokens == null ? Mono.just(Optional.empty())
                : serviceAccountTokens.authenticate(token, audiences)
                .map(r -> r.map(a -> new ServiceAccountTokens.Authenticated(a.user().withAuthenticatedGroup(), a.audiences())));
        if (oidc == null) {
            return sa;
        }
        return sa.flatMap(r -> r.isPresent() ? Mono.just(r) : oidc.authenticate(token)
                .flatMap(u -> u.isPresent() ? audienceAgnostic(u.get(), audiences) : Mono.just(Optional.empty())));
    }

    /**
     * Static and OIDC tokens are audience-agnostic: valid for the API's own audiences only (Kubernetes wraps such
     * authenticators the same way).
     */
    private Mono<Optional<ServiceAccountTokens.Authenticated>> audienceAgnostic(UserInfo user, List<String> audiences) {
        List<String> api = serviceAccountTokens == null ? List.of() : serviceAccountTokens.apiAudiences();
        List<String> granted = audiences.isEmpty() ? api : audiences.stream().filter(api::contains).toList();
        if (!audiences.isEmpty() && granted.isEmpty()) {
            return Mono.error(new AuthenticationException("token audiences " + api
                    + " is invalid for the target audiences " + audiences));
        }
        return Mono.just(Optional.of(new ServiceAccountTokens.Authenticated(user.withAuthenticatedGroup(), granted)));
    }

    private static Optional<UserInfo> attempt(java.util.function.Supplier<Optional<UserInfo>> f, List<String> errors) {
        try {
            return f.get();
        } catch (AuthenticationException e) {
            errors.add(e.getMessage());
            return Optional.empty();
        }
    }

    static X509Certificate[] peerChain(ServerHttpRequest request) {
        SslInfo ssl = request.getSslInfo();
        X509Certificate[] chain = ssl == null ? null : ssl.getPeerCertificates();
        return chain == null || chain.length == 0 ? null : chain;
    }

    /** The token of {@code Authorization: Bearer <token>}, as Kubernetes' bearertoken authenticator reads it. */
    static String bearerToken(HttpHeaders headers) {
        String auth = headers.getFirst(HttpHeaders.AUTHORIZATION);
        if (auth == null) {
            return null;
        }
        String[] parts = auth.trim().split(" ", 3);
        if (parts.length < 2 || !parts[0].toLowerCase(Locale.ROOT).equals("bearer") || parts[1].isEmpty()) {
            return null;
        }
        return parts[1];
    }

    private static Map<String, List<String>> headerMap(HttpHeaders headers) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        headers.forEach((k, v) -> m.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        return m;
    }
}
