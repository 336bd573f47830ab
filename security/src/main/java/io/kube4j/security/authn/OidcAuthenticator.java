package io.kube4j.security.authn;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kube4j.security.UserInfo;
import io.kube4j.security.tls.TlsContexts;
import io.kube4j.security.tls.TlsTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OpenID Connect ID tokens from one issuer, as kube-apiserver's {@code --oidc-*} flags configure them: the issuer's
 * keys come from its discovery document ({@code <issuer>/.well-known/openid-configuration}, {@code jwks_uri}) and are
 * fetched again (at most once per {@code minKeyRefreshInterval}) when a token names an unknown key or no cached key
 * verifies it (key rotation). A token is this authenticator's when its (unverified) {@code iss} is the configured
 * issuer; then it must be signed with an allowed algorithm by a key of the issuer, carry the client id in
 * {@code aud}, not be expired, and hold the username claim (and every required claim). Kubernetes' rules
 * ({@code plugin/pkg/authenticator/token/oidc}): a username claim other than {@code email} is prefixed with
 * {@code <issuer>#} unless a username prefix is set ({@code -}: none); {@code email} needs {@code email_verified}
 * true when that claim is present; the groups claim may be a string or a list of strings.
 */
public final class OidcAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(OidcAuthenticator.class);
    /** The not-before leeway of go-oidc, which Kubernetes uses. */
    static final Duration NBF_LEEWAY = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MIN_KEY_REFRESH_INTERVAL = Duration.ofSeconds(10);

    /**
     * The {@code --oidc-*} flags.
     *
     * @param issuerUrl      {@code --oidc-issuer-url}: HTTPS URL of the issuer (empty: OIDC is off)
     * @param clientId       {@code --oidc-client-id}: the audience tokens must carry
     * @param usernameClaim  {@code --oidc-username-claim} (default {@code sub})
     * @param usernamePrefix {@code --oidc-username-prefix} (unset: {@code <issuer>#} for claims other than
     *                       {@code email}; {@code -}: no prefix)
     * @param groupsClaim    {@code --oidc-groups-claim} (unset: no groups from the token)
     * @param groupsPrefix   {@code --oidc-groups-prefix}
     * @param requiredClaims {@code --oidc-required-claim}: claims that must be present with these string values
     * @param signingAlgs    {@code --oidc-signing-algs} (default RS256)
     * @param caFile         {@code --oidc-ca-file}: PEM CAs for the issuer's TLS (unset: the JVM's trust)
     */
    public record Config(String issuerUrl, String clientId, String usernameClaim, String usernamePrefix,
                         String groupsClaim, String groupsPrefix, Map<String, String> requiredClaims,
                         List<String> signingAlgs, String caFile) {
        public Config {
            usernameClaim = usernameClaim == null || usernameClaim.isBlank() ? "sub" : usernameClaim;
            requiredClaims = requiredClaims == null ? Map.of() : Map.copyOf(requiredClaims);
            signingAlgs = signingAlgs == null || signingAlgs.isEmpty() ? List.of("RS256") : List.copyOf(signingAlgs);
        }

        /** OIDC is configured. */
        public boolean enabled() {
            return issuerUrl != null && !issuerUrl.isBlank();
        }

        /** The prefix of user names, with Kubernetes' defaulting. */
        public String effectiveUsernamePrefix() {
            if (usernamePrefix == null || usernamePrefix.isEmpty()) {
                return usernameClaim.equals("email") ? "" : issuerUrl + "#";
            }
            return usernamePrefix.equals("-") ? "" : usernamePrefix;
        }

        /** Fails, as kube-apiserver's flag validation does, on a configuration that cannot work. */
        void validate() {
            URI u;
            try {
                u = URI.create(issuerUrl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("oidc issuer URL " + issuerUrl + " is not a URL", e);
            }
            if (!"https".equals(u.getScheme())) {
                throw new IllegalArgumentException("oidc issuer URL " + issuerUrl + " must use https");
            }
            if (clientId == null || clientId.isBlank()) {
                throw new IllegalArgumentException("oidc client id is required with an issuer URL");
            }
            for (String alg : signingAlgs) {
                JWSAlgorithm a = JWSAlgorithm.parse(alg);
                if (!JWSAlgorithm.Family.RSA.contains(a) && !JWSAlgorithm.Family.EC.contains(a)) {
                    throw new IllegalArgumentException("oidc: unsupported signing algorithm " + alg);
                }
            }
        }
    }

    /** Reads a URL (HTTP GET, 200 expected): the issuer's discovery document and key set. */
    public interface Fetcher {
        Mono<String> get(URI uri);
    }

    /** A {@link Fetcher} over the JDK's HTTP client, trusting the CAs of {@code caFile} (null: the JVM's trust). */
    public static Fetcher httpFetcher(Path caFile) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (caFile != null) {
            b.sslContext(TlsContexts.sslContext(null, TlsTrust.server(caFile)));
        }
        HttpClient client = b.build();
        return uri -> Mono.fromFuture(() -> client.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                        .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString()))
                .flatMap(r -> r.statusCode() == 200 ? Mono.just(r.body()) : Mono.error(new IllegalStateException(
                        uri + ": " + r.statusCode() + " " + abbreviate(r.body()))));
    }

    private record Keys(JWKSet set, Instant fetched) {
    }

    private final Config config;
    private final Fetcher fetcher;
    private final Clock clock;
    private final Duration minKeyRefreshInterval;
    private final List<JWSAlgorithm> algorithms;
    private final String usernamePrefix;
    private final Object lock = new Object();
    private volatile Keys keys;
    private URI jwksUri;
    private Instant lastRefresh;
    private Mono<Keys> refreshing;

    public OidcAuthenticator(Config config, Fetcher fetcher, Clock clock, Duration minKeyRefreshInterval) {
        config.validate();
        this.config = config;
        this.fetcher = fetcher;
        this.clock = clock;
        this.minKeyRefreshInterval = minKeyRefreshInterval;
        this.algorithms = config.signingAlgs().stream().map(JWSAlgorithm::parse).toList();
        this.usernamePrefix = config.effectiveUsernamePrefix();
    }

    /** An authenticator fetching over HTTPS with the configured CA file, on the system clock. */
    public static OidcAuthenticator of(Config config) {
        return new OidcAuthenticator(config,
                httpFetcher(config.caFile() == null || config.caFile().isBlank() ? null : Path.of(config.caFile())),
                Clock.systemUTC(), DEFAULT_MIN_KEY_REFRESH_INTERVAL);
    }

    public Config config() {
        return config;
    }

    /**
     * The token's user. Empty when the token is not a JWT of the configured issuer (another authenticator may know
     * it); an {@link AuthenticationException} error when it is one and is not valid.
     */
    public Mono<Optional<UserInfo>> authenticate(String token) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException | RuntimeException e) {
            return Mono.just(Optional.empty());
        }
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            // a JWT whose registered claims have the wrong types: this authenticator's when its iss is the issuer
            Map<String, Object> raw = jwt.getPayload().toJSONObject();
            return raw != null && config.issuerUrl().equals(raw.get("iss"))
                    ? Mono.error(new AuthenticationException("oidc: verify token: oidc: failed to unmarshal claims: "
                    + e.getMessage()))
                    : Mono.just(Optional.empty());
        }
        if (!config.issuerUrl().equals(claims.getIssuer())) {
            return Mono.just(Optional.empty());
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (!algorithms.contains(alg)) {
            return Mono.error(new AuthenticationException("oidc: verify token: oidc: id token signed with unsupported "
                    + "algorithm, expected " + config.signingAlgs() + " got \"" + alg + "\""));
        }
        Keys current = keys;
        Mono<Boolean> verified = current != null && verify(jwt, current.set())
                ? Mono.just(true)
                : refreshKeys(current).map(k -> verify(jwt, k.set()));
        return verified.flatMap(ok -> {
            if (!ok) {
                return Mono.error(new AuthenticationException(
                        "oidc: verify token: failed to verify signature: no key of the issuer verifies the token"
                                + (jwt.getHeader().getKeyID() == null ? "" : " (kid " + jwt.getHeader().getKeyID() + ")")));
            }
            try {
                return Mono.just(Optional.of(user(claims, jwt.getPayload().toJSONObject())));
            } catch (AuthenticationException e) {
                return Mono.error(e);
            }
        });
    }

    private boolean verify(SignedJWT jwt, JWKSet set) {
        JWSHeader h = jwt.getHeader();
        for (JWK k : set.getKeys()) {
            if (h.getKeyID() != null && !h.getKeyID().equals(k.getKeyID())) {
                continue;
            }
            if (k.getKeyUse() != null && !KeyUse.SIGNATURE.equals(k.getKeyUse())) {
                continue;
            }
            if (k.getAlgorithm() != null && !k.getAlgorithm().getName().equals(h.getAlgorithm().getName())) {
                continue;
            }
            try {
                JWSVerifier v = k instanceof RSAKey rsa && JWSAlgorithm.Family.RSA.contains(h.getAlgorithm())
                        ? new RSASSAVerifier(rsa.toRSAPublicKey())
                        : k instanceof ECKey ec && JWSAlgorithm.Family.EC.contains(h.getAlgorithm())
                        ? new ECDSAVerifier(ec.toECPublicKey()) : null;
                if (v != null && jwt.verify(v)) {
                    return true;
                }
            } catch (JOSEException e) {
                // not this key: try the next
            }
        }
        return false;
    }

    /**
     * Fetches the key set again, unless it was fetched less than {@code minKeyRefreshInterval} ago (then the keys at
     * hand are the answer); concurrent callers share one fetch.
     */
    private Mono<Keys> refreshKeys(Keys seen) {
        synchronized (lock) {
            if (refreshing != null) {
                return refreshing;
            }
            Instant now = clock.instant();
            if (lastRefresh != null && now.isBefore(lastRefresh.plus(minKeyRefreshInterval))) {
                Keys k = keys;
                return k != null ? Mono.just(k) : Mono.error(new AuthenticationException(
                        "oidc: authenticator not initialized: the issuer's keys could not be fetched"));
            }
            lastRefresh = now;
            Mono<Keys> fetch = jwksUri().flatMap(fetcher::get)
                    .map(body -> {
                        try {
                            return new Keys(JWKSet.parse(body), clock.instant());
                        } catch (ParseException e) {
                            throw new IllegalStateException("the issuer's key set is not a JWKS: " + e.getMessage(), e);
                        }
                    })
                    .doOnNext(k -> {
                        keys = k;
                        log.info("oidc: {} keys of {} fetched (kids {})", k.set().getKeys().size(), config.issuerUrl(),
                                k.set().getKeys().stream().map(JWK::getKeyID).toList());
                    })
                    .onErrorMap(e -> !(e instanceof AuthenticationException), e -> {
                        log.warn("oidc: cannot fetch the keys of {}: {}", config.issuerUrl(), e.toString());
                        return new AuthenticationException("oidc: verify token: fetching keys failed: " + e.getMessage(), e);
                    })
                    .doFinally(s -> {
                        synchronized (lock) {
                            refreshing = null;
                        }
                    })
                    .cache();
            refreshing = fetch;
            return fetch;
        }
    }

    /** The discovery document's {@code jwks_uri}, read once (its issuer must be the configured one). */
    private Mono<URI> jwksUri() {
        synchronized (lock) {
            if (jwksUri != null) {
                return Mono.just(jwksUri);
            }
        }
        String base = config.issuerUrl().endsWith("/") ? config.issuerUrl().substring(0, config.issuerUrl().length() - 1)
                : config.issuerUrl();
        return fetcher.get(URI.create(base + "/.well-known/openid-configuration")).map(body -> {
            Map<String, Object> doc;
            try {
                doc = JSONObjectUtils.parse(body);
            } catch (ParseException e) {
                throw new IllegalStateException("oidc: the discovery document is not JSON: " + e.getMessage(), e);
            }
            if (!config.issuerUrl().equals(doc.get("issuer"))) {
                throw new IllegalStateException("oidc: issuer did not match the issuer returned by provider, expected \""
                        + config.issuerUrl() + "\" got \"" + doc.get("issuer") + "\"");
            }
            if (!(doc.get("jwks_uri") instanceof String uri) || uri.isBlank()) {
                throw new IllegalStateException("oidc: the discovery document has no jwks_uri");
            }
            URI u = URI.create(uri);
            synchronized (lock) {
                jwksUri = u;
            }
            return u;
        });
    }

    /**
     * Checks the verified token's claims and maps them to the user, in Kubernetes' order and words; {@code c} is the
     * payload as sent (nimbus' claim set turns a numeric {@code sub} into a string, Kubernetes refuses it).
     */
    private UserInfo user(JWTClaimsSet claims, Map<String, Object> c) {
        Instant now = clock.instant();
        List<String> aud = claims.getAudience() == null ? List.of() : claims.getAudience();
        if (!aud.contains(config.clientId())) {
            throw new AuthenticationException("oidc: verify token: oidc: expected audience [\"" + config.clientId()
                    + "\"] got " + aud.stream().map(a -> "\"" + a + "\"").toList());
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new AuthenticationException("oidc: verify token: oidc: token has no expiry");
        }
        if (exp.toInstant().isBefore(now)) {
            throw new AuthenticationException("oidc: verify token: oidc: token is expired (Token Expiry: "
                    + exp.toInstant() + ")");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(NBF_LEEWAY).isBefore(nbf.toInstant())) {
            throw new AuthenticationException("oidc: verify token: oidc: current time " + now
                    + " before the nbf (not before) time: " + nbf.toInstant());
        }
        String claim = config.usernameClaim();
        if (!c.containsKey(claim)) {
            throw new AuthenticationException("oidc: parse username claims \"" + claim + "\": claim not present");
        }
        if (!(c.get(claim) instanceof String username)) {
            throw new AuthenticationException("oidc: parse username claims \"" + claim + "\": not a string");
        }
        if (username.isEmpty()) {
            throw new AuthenticationException("oidc: username claim \"" + claim + "\" is empty");
        }
        if (claim.equals("email") && c.containsKey("email_verified")) {
            if (!(c.get("email_verified") instanceof Boolean verified)) {
                throw new AuthenticationException("oidc: parse 'email_verified' claim: not a boolean");
            }
            if (!verified) {
                throw new AuthenticationException("oidc: email not verified");
            }
        }
        List<String> groups = groups(c);
        for (Map.Entry<String, String> r : config.requiredClaims().entrySet()) {
            if (!c.containsKey(r.getKey())) {
                throw new AuthenticationException("oidc: required claim " + r.getKey() + " not present in ID token");
            }
            if (!(c.get(r.getKey()) instanceof String value)) {
                throw new AuthenticationException("oidc: parse claim " + r.getKey() + ": not a string");
            }
            if (!value.equals(r.getValue())) {
                throw new AuthenticationException("oidc: required claim " + r.getKey() + " value does not match. Got = "
                        + value + ", want = " + r.getValue());
            }
        }
        return new UserInfo(usernamePrefix + username, "", groups, Map.of());
    }

    private List<String> groups(Map<String, Object> c) {
        String claim = config.groupsClaim();
        if (claim == null || claim.isBlank() || !c.containsKey(claim)) {
            return List.of();
        }
        Object v = c.get(claim);
        List<String> raw = new ArrayList<>();
        if (v instanceof String s) {
            raw.add(s);
        } else if (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof String)) {
            l.forEach(x -> raw.add((String) x));
        } else {
            throw new AuthenticationException("oidc: parse groups claim \"" + claim + "\": not a string or a list of strings");
        }
        String prefix = config.groupsPrefix() == null ? "" : config.groupsPrefix();
        return raw.stream().map(g -> prefix + g).toList();
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
