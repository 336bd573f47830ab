package io.kube4j.security.authn;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Claim validation and mapping of {@link OidcAuthenticator} against an in-memory issuer (discovery + JWKS). */
class OidcAuthenticatorTest {

    static final String ISSUER = "https://issuer.example.com";
    static final String CLIENT = "kube4j";
    static final RSAKey KEY1 = rsa("k1");
    static final RSAKey KEY2 = rsa("k2");

    /** A clock tests move. */
    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-11-27T12:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final MovableClock clock = new MovableClock();
    final AtomicInteger discoveryFetches = new AtomicInteger();
    final AtomicInteger keyFetches = new AtomicInteger();
    volatile List<JWK> published = new ArrayList<>(List.of(KEY1.toPublicJWK()));

    final OidcAuthenticator.Fetcher fetcher = uri -> {
        if (uri.equals(URI.create(ISSUER + "/.well-known/openid-configuration"))) {
            discoveryFetches.incrementAndGet();
            return Mono.just("{\"issuer\":\"" + ISSUER + "\",\"jwks_uri\":\"" + ISSUER + "/keys\"}");
        }
        if (uri.equals(URI.create(ISSUER + "/keys"))) {
            keyFetches.incrementAndGet();
            return Mono.just(new JWKSet(published).toString());
        }
        return Mono.error(new IllegalStateException(uri + ": 404"));
    };

    static RSAKey rsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static OidcAuthenticator.Config config(Consumer<Map<String, Object>> overrides) {
        Map<String, Object> m = new java.util.HashMap<>();
        m.put("usernameClaim", null);
        m.put("usernamePrefix", null);
        m.put("groupsClaim", null);
        m.put("groupsPrefix", null);
        m.put("required", Map.of());
        m.put("algs", List.of());
        overrides.accept(m);
        @SuppressWarnings("unchecked")
        Map<String, String> required = (Map<String, String>) m.get("required");
        @SuppressWarnings("unchecked")
        List<String> algs = (List<String>) m.get("algs");
        return new OidcAuthenticator.Config(ISSUER, CLIENT, (String) m.get("usernameClaim"),
                (String) m.get("usernamePrefix"), (String) m.get("groupsClaim"), (String) m.get("groupsPrefix"),
                required, algs, null);
    }

    OidcAuthenticator authenticator(OidcAuthenticator.Config config) {
        return new OidcAuthenticator(config, fetcher, clock, Duration.ofSeconds(10));
    }

    JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer(ISSUER).subject("u-123").audience(CLIENT)
                .issueTime(Date.from(clock.now)).expirationTime(Date.from(clock.now.plusSeconds(600)));
    }

    static String sign(JWK key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt;
            if (key instanceof ECKey ec) {
                jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(), claims);
                jwt.sign(new ECDSASigner(ec));
            } else {
                jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
                jwt.sign(new RSASSASigner((RSAKey) key));
            }
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static UserInfo user(OidcAuthenticator a, String token) {
        return a.authenticate(token).block().orElseThrow();
    }

    @Test
    void subjectIsPrefixedWithTheIssuerByDefault() {
        UserInfo u = user(authenticator(config(m -> { })), sign(KEY1, claims().build()));
        assertThat(u.name()).isEqualTo(ISSUER + "#u-123");
        assertThat(u.groups()).isEmpty();
        assertThat(discoveryFetches).hasValue(1);
        assertThat(keyFetches).hasValue(1);
    }

    @Test
    void keysAreCachedBetweenTokens() {
        OidcAuthenticator a = authenticator(config(m -> { }));
        for (int i = 0; i < 5; i++) {
            assertThat(user(a, sign(KEY1, claims().subject("u" + i).build())).name()).isEqualTo(ISSUER + "#u" + i);
        }
        assertThat(keyFetches).hasValue(1);
    }

    static Stream<Arguments> usernames() {
        return Stream.of(
                // claim, prefix, claims, expected user
                Arguments.of("sub", "-", Map.of(), "u-123"),
                Arguments.of("sub", "oidc:", Map.of(), "oidc:u-123"),
                Arguments.of("email", null, Map.of("email", "jane@example.com"), "jane@example.com"),
                Arguments.of("email", null, Map.of("email", "jane@example.com", "email_verified", true), "jane@example.com"),
                Arguments.of("email", "oidc:", Map.of("email", "jane@example.com"), "oidc:jane@example.com"),
                Arguments.of("preferred_username", null, Map.of("preferred_username", "jane"), ISSUER + "#jane"));
    }

    @ParameterizedTest(name = "{0} prefix {1} -> {3}")
    @MethodSource("usernames")
    void usernameClaimAndPrefix(String claim, String prefix, Map<String, Object> extra, String expected) {
        JWTClaimsSet.Builder b = claims();
        extra.forEach(b::claim);
        UserInfo u = user(authenticator(config(m -> {
            m.put("usernameClaim", claim);
            m.put("usernamePrefix", prefix);
        })), sign(KEY1, b.build()));
        assertThat(u.name()).isEqualTo(expected);
    }

    @Test
    void groupsFromAListOrAStringWithThePrefix() {
        OidcAuthenticator a = authenticator(config(m -> {
            m.put("groupsClaim", "groups");
            m.put("groupsPrefix", "oidc:");
        }));
        assertThat(user(a, sign(KEY1, claims().claim("groups", List.of("dev", "ops")).build())).groups())
                .containsExactly("oidc:dev", "oidc:ops");
        assertThat(user(a, sign(KEY1, claims().claim("groups", "admins").build())).groups())
                .containsExactly("oidc:admins");
        assertThat(user(a, sign(KEY1, claims().build())).groups()).isEmpty();
    }

    @Test
    void requiredClaimsMustBePresentWithTheirValue() {
        OidcAuthenticator a = authenticator(config(m -> m.put("required", Map.of("hd", "example.com"))));
        assertThat(user(a, sign(KEY1, claims().claim("hd", "example.com").build())).name()).endsWith("#u-123");
        assertRejected(a, sign(KEY1, claims().build()), "required claim hd not present");
        assertRejected(a, sign(KEY1, claims().claim("hd", "evil.com").build()), "required claim hd value does not match");
    }

    static Stream<Arguments> rejected() {
        Instant now = Instant.parse("2026-11-27T12:00:00Z");
        return Stream.of(
                Arguments.of("expired", (Consumer<JWTClaimsSet.Builder>) b -> b.expirationTime(Date.from(now.minusSeconds(1))),
                        "token is expired"),
                Arguments.of("no expiry", (Consumer<JWTClaimsSet.Builder>) b -> b.expirationTime(null), "no expiry"),
                Arguments.of("not yet valid", (Consumer<JWTClaimsSet.Builder>) b -> b.notBeforeTime(Date.from(now.plusSeconds(3600))),
                        "before the nbf"),
                Arguments.of("wrong audience", (Consumer<JWTClaimsSet.Builder>) b -> b.audience("someone-else"),
                        "expected audience [\"kube4j\"] got [\"someone-else\"]"),
                Arguments.of("no subject", (Consumer<JWTClaimsSet.Builder>) b -> b.subject(null),
                        "parse username claims \"sub\": claim not present"),
                Arguments.of("non-string subject", (Consumer<JWTClaimsSet.Builder>) b -> b.claim("sub", 42),
                        "parse username claims \"sub\": not a string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void invalidClaimsAreRejected(String name, Consumer<JWTClaimsSet.Builder> change, String message) {
        JWTClaimsSet.Builder b = claims();
        change.accept(b);
        assertRejected(authenticator(config(m -> { })), sign(KEY1, b.build()), message);
    }

    @Test
    void nbfWithinTheLeewayIsAccepted() {
        String token = sign(KEY1, claims().notBeforeTime(Date.from(clock.now.plusSeconds(60))).build());
        assertThat(user(authenticator(config(m -> { })), token).name()).endsWith("#u-123");
    }

    @Test
    void aUsernameClaimThatIsNotAStringIsRejected() {
        OidcAuthenticator a = authenticator(config(m -> m.put("usernameClaim", "preferred_username")));
        assertRejected(a, sign(KEY1, claims().claim("preferred_username", List.of("a")).build()),
                "parse username claims \"preferred_username\": not a string");
        OidcAuthenticator g = authenticator(config(m -> m.put("groupsClaim", "groups")));
        assertRejected(g, sign(KEY1, claims().claim("groups", Map.of("a", 1)).build()), "parse groups claim");
    }

    @Test
    void unverifiedEmailIsRejected() {
        OidcAuthenticator a = authenticator(config(m -> m.put("usernameClaim", "email")));
        assertRejected(a, sign(KEY1, claims().claim("email", "jane@example.com").claim("email_verified", false).build()),
                "email not verified");
    }

    @Test
    void tokensOfOtherIssuersOrNotJwtsAreNotThisAuthenticators() {
        OidcAuthenticator a = authenticator(config(m -> { }));
        assertThat(a.authenticate(sign(KEY1, claims().issuer("https://other.example.com").build())).block()).isEmpty();
        assertThat(a.authenticate("not-a-jwt").block()).isEmpty();
        assertThat(a.authenticate("abc.def.ghi").block()).isEqualTo(Optional.empty());
        assertThat(keyFetches).hasValue(0);
    }

    @Test
    void aSignatureByAnotherKeyWithAKnownKidIsRejected() {
        RSAKey impostor = rsa("k1");
        assertRejected(authenticator(config(m -> { })), sign(impostor, claims().build()), "failed to verify signature");
    }

    @Test
    void aTamperedTokenIsRejected() {
        String token = sign(KEY1, claims().build());
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + com.nimbusds.jose.util.Base64URL.encode(
                claims().subject("admin").build().toString()) + "." + parts[2];
        assertRejected(authenticator(config(m -> { })), forged, "failed to verify signature");
    }

    @Test
    void unsupportedAlgorithmsAreRejected() throws Exception {
        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
        hs.sign(new MACSigner(new byte[32]));
        assertRejected(authenticator(config(m -> { })), hs.serialize(), "unsupported algorithm");
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
        published = List.of(KEY1.toPublicJWK(), ec.toPublicJWK());
        assertRejected(authenticator(config(m -> { })), sign(ec, claims().build()), "expected [RS256] got \"ES256\"");
        assertThat(user(authenticator(config(m -> m.put("algs", List.of("RS256", "ES256")))), sign(ec, claims().build())).name())
                .endsWith("#u-123");
    }

    @Test
    void anUnknownKidRefetchesTheKeysSoRotationWorks() {
        OidcAuthenticator a = authenticator(config(m -> { }));
        assertThat(user(a, sign(KEY1, claims().build())).name()).endsWith("#u-123");
        published = List.of(KEY1.toPublicJWK(), KEY2.toPublicJWK());
        // within the refresh interval of the first fetch: the new key is not fetched yet
        assertRejected(a, sign(KEY2, claims().build()), "failed to verify signature");
        assertThat(keyFetches).hasValue(1);
        clock.now = clock.now.plusSeconds(11);
        assertThat(user(a, sign(KEY2, claims().subject("rotated").expirationTime(Date.from(clock.now.plusSeconds(60)))
                .build())).name()).isEqualTo(ISSUER + "#rotated");
        assertThat(keyFetches).hasValue(2);
        assertThat(discoveryFetches).hasValue(1);
    }

    @Test
    void unknownKidsAreRefetchedAtMostOncePerInterval() {
        OidcAuthenticator a = authenticator(config(m -> { }));
        user(a, sign(KEY1, claims().build()));
        clock.now = clock.now.plusSeconds(11);
        RSAKey unknown = rsa("nope");
        for (int i = 0; i < 20; i++) {
            assertRejected(a, sign(unknown, claims().build()), "failed to verify signature");
        }
        assertThat(keyFetches).hasValue(2);
    }

    @Test
    void aDiscoveryDocumentOfAnotherIssuerIsRefused() {
        OidcAuthenticator.Fetcher lying = uri -> uri.getPath().endsWith("openid-configuration")
                ? Mono.just("{\"issuer\":\"https://evil.example.com\",\"jwks_uri\":\"" + ISSUER + "/keys\"}")
                : fetcher.get(uri);
        OidcAuthenticator a = new OidcAuthenticator(config(m -> { }), lying, clock, Duration.ofSeconds(10));
        assertRejected(a, sign(KEY1, claims().build()), "issuer did not match the issuer returned by provider");
    }

    @Test
    void configurationIsValidated() {
        assertThatThrownBy(() -> new OidcAuthenticator(new OidcAuthenticator.Config("http://plain.example.com", CLIENT,
                null, null, null, null, null, null, null), fetcher, clock, Duration.ZERO))
                .hasMessageContaining("must use https");
        assertThatThrownBy(() -> new OidcAuthenticator(new OidcAuthenticator.Config(ISSUER, "", null, null, null, null,
                null, null, null), fetcher, clock, Duration.ZERO)).hasMessageContaining("client id");
        assertThatThrownBy(() -> new OidcAuthenticator(new OidcAuthenticator.Config(ISSUER, CLIENT, null, null, null, null,
                null, List.of("HS256"), null), fetcher, clock, Duration.ZERO)).hasMessageContaining("unsupported");
    }

    static void assertRejected(OidcAuthenticator a, String token, String message) {
        assertThatThrownBy(() -> a.authenticate(token).block())
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining(message);
    }
}
