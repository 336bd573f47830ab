package io.kube4j.security.authn;

import com.nimbusds.jwt.SignedJWT;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceAccountTokensTest {

    static final KeyPair KEY = ServiceAccountTokens.ephemeralKey();
    static final String ISS = ServiceAccountTokens.DEFAULT_ISSUER;
    static final ServiceAccountTokens.Ref SA = new ServiceAccountTokens.Ref("builder", "sa-uid-1");

    /** Objects that exist: "Kind/ns/name" → uid. */
    final Map<String, String> objects = new HashMap<>(Map.of("ServiceAccount/ci/builder", "sa-uid-1", "Pod/ci/p1", "pod-uid-1"));
    final ServiceAccountTokens.ObjectLookup lookup = (kind, ns, name) ->
            Mono.justOrEmpty(objects.get(kind + "/" + ns + "/" + name));

    ServiceAccountTokens tokens(KeyPair key, Clock clock) {
        return new ServiceAccountTokens(key, List.of(), ISS, List.of(), lookup, clock);
    }

    final ServiceAccountTokens tokens = tokens(KEY, Clock.systemUTC());

    Optional<ServiceAccountTokens.Authenticated> auth(ServiceAccountTokens t, String token, List<String> aud) {
        return t.authenticate(token, aud).block();
    }

    @Test
    void anIssuedTokenCarriesKubernetesClaimsAndAuthenticates() throws Exception {
        var issued = tokens.issue("ci", SA, List.of(), Duration.ofHours(1),
                new ServiceAccountTokens.Ref("p1", "pod-uid-1"), null, new ServiceAccountTokens.Ref("n1", "node-uid"));
        SignedJWT jwt = SignedJWT.parse(issued.token());
        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(ServiceAccountTokens.keyId(KEY.getPublic()));
        var c = jwt.getJWTClaimsSet();
        assertThat(c.getIssuer()).isEqualTo(ISS);
        assertThat(c.getSubject()).isEqualTo("system:serviceaccount:ci:builder");
        assertThat(c.getAudience()).containsExactly(ISS);
        assertThat(c.getJWTID()).isNotBlank();
        assertThat(Duration.between(c.getIssueTime().toInstant(), c.getExpirationTime().toInstant())).isEqualTo(Duration.ofHours(1));
        assertThat(c.getJSONObjectClaim("kubernetes.io")).containsEntry("namespace", "ci")
                .containsEntry("serviceaccount", Map.of("name", "builder", "uid", "sa-uid-1"))
                .containsEntry("pod", Map.of("name", "p1", "uid", "pod-uid-1"))
                .containsEntry("node", Map.of("name", "n1", "uid", "node-uid"));

        UserInfo u = auth(tokens, issued.token(), List.of()).orElseThrow().user();
        assertThat(u.name()).isEqualTo("system:serviceaccount:ci:builder");
        assertThat(u.uid()).isEqualTo("sa-uid-1");
        assertThat(u.groups()).containsExactly("system:serviceaccounts", "system:serviceaccounts:ci");
        assertThat(u.extra()).containsEntry(ServiceAccountTokens.EXTRA_POD_NAME, List.of("p1"))
                .containsEntry(ServiceAccountTokens.EXTRA_NODE_NAME, List.of("n1"))
                .containsEntry(ServiceAccountTokens.EXTRA_CREDENTIAL_ID, List.of("JTI=" + c.getJWTID()));
        assertThat(u.serviceAccount()).containsExactly("ci", "builder");
    }

    @Test
    void notAJwtOrAnotherIssuerIsNoOpinion() {
        assertThat(auth(tokens, "abc123", List.of())).isEmpty();
        ServiceAccountTokens other = new ServiceAccountTokens(KEY, List.of(), "https://elsewhere", List.of(), lookup, Clock.systemUTC());
        String t = other.issue("ci", SA, List.of(), Duration.ofHours(1), null, null, null).token();
        assertThat(auth(tokens, t, List.of())).isEmpty();
    }

    @Test
    void aTokenSignedByAnotherKeyIsRejected() {
        String t = tokens(ServiceAccountTokens.ephemeralKey(), Clock.systemUTC())
                .issue("ci", SA, List.of(), Duration.ofHours(1), null, null, null).token();
        assertThatThrownBy(() -> auth(tokens, t, List.of())).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("invalid bearer token");
        // a tampered payload fails the same way
        String good = tokens.issue("ci", SA, List.of(), Duration.ofHours(1), null, null, null).token();
        String[] parts = good.split("\\.");
        String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace("builder", "admin00").getBytes()) + "." + parts[2];
        assertThatThrownBy(() -> auth(tokens, forged, List.of())).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void anOldKeyListedAsPublicKeyStillVerifies() {
        KeyPair old = ServiceAccountTokens.ephemeralKey();
        String t = tokens(old, Clock.systemUTC()).issue("ci", SA, List.of(), Duration.ofHours(1), null, null, null).token();
        ServiceAccountTokens rotated = new ServiceAccountTokens(KEY, List.of(old.getPublic()), ISS, List.of(), lookup, Clock.systemUTC());
        assertThat(auth(rotated, t, List.of())).isPresent();
    }

    @Test
    void anExpiredTokenIsRejectedAfterTheLeeway() {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
        String t = tokens(KEY, past).issue("ci", SA, List.of(), Duration.ofMinutes(10), null, null, null).token();
        assertThatThrownBy(() -> auth(tokens, t, List.of())).isInstanceOf(AuthenticationException.class)
                .hasMessage("service account token has expired");
        Clock justNow = Clock.fixed(Instant.now().minus(Duration.ofSeconds(630)), ZoneOffset.UTC);
        String t2 = tokens(KEY, justNow).issue("ci", SA, List.of(), Duration.ofMinutes(10), null, null, null).token();
        assertThat(auth(tokens, t2, List.of())).isPresent(); // 30 s past exp: within the minute of leeway
    }

    @Test
    void audiencesMustIntersect() {
        String t = tokens.issue("ci", SA, List.of("vault", "other"), Duration.ofHours(1), null, null, null).token();
        assertThatThrownBy(() -> auth(tokens, t, List.of())).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("token audiences [\"vault\" \"other\"] is invalid for the target audiences");
        assertThat(auth(tokens, t, List.of("vault", "x")).orElseThrow().audiences()).containsExactly("vault");
    }

    @Test
    void aDeletedOrRecreatedServiceAccountOrPodInvalidatesTheToken() {
        String t = tokens.issue("ci", SA, List.of(), Duration.ofHours(1),
                new ServiceAccountTokens.Ref("p1", "pod-uid-1"), null, null).token();
        assertThat(auth(tokens, t, List.of())).isPresent();
        objects.put("Pod/ci/p1", "pod-uid-2");
        assertThatThrownBy(() -> auth(tokens, t, List.of())).hasMessage("pod UID (pod-uid-2) does not match claim (pod-uid-1)");
        objects.remove("Pod/ci/p1");
        assertThatThrownBy(() -> auth(tokens, t, List.of())).hasMessage("pod ci/p1 has been deleted");
        objects.put("Pod/ci/p1", "pod-uid-1");
        objects.remove("ServiceAccount/ci/builder");
        assertThatThrownBy(() -> auth(tokens, t, List.of())).hasMessage("service account ci/builder has been deleted");
        objects.put("ServiceAccount/ci/builder", "sa-uid-2");
        assertThatThrownBy(() -> auth(tokens, t, List.of())).hasMessage("service account UID (sa-uid-2) does not match claim (sa-uid-1)");
    }

    @Test
    void verifyOnlyInstancesCannotIssue() {
        ServiceAccountTokens v = new ServiceAccountTokens(null, List.of(KEY.getPublic()), ISS, List.of(), lookup, Clock.systemUTC());
        assertThat(v.canIssue()).isFalse();
        assertThat(auth(v, tokens.issue("ci", SA, List.of(), Duration.ofHours(1), null, null, null).token(), List.of())).isPresent();
        assertThatThrownBy(() -> v.issue("ci", SA, List.of(), Duration.ofHours(1), null, null, null)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pemKeysInEveryFormReadBack() throws Exception {
        String pkcs8 = TestCerts.pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(KEY.getPrivate(), null));
        assertThat(Pem.keyPair(pkcs8.getBytes()).getPublic()).isEqualTo(KEY.getPublic());
        String pkcs1 = TestCerts.pem(KEY);
        assertThat(Pem.keyPair(pkcs1.getBytes()).getPublic()).isEqualTo(KEY.getPublic());
        assertThat(Pem.publicKeys(TestCerts.pem(KEY.getPublic()).getBytes())).containsExactly(KEY.getPublic());
    }

    @Test
    void aVerifyOnlyInstanceAcceptsEveryConfiguredIssuer() {
        var other = new ServiceAccountTokens(KEY, List.of(), "https://old.example.com", List.of("https://old.example.com"),
                lookup, Clock.systemUTC());
        String oldToken = other.issue("ci", SA, List.of(), Duration.ofHours(1), null, null, null).token();
        String newToken = tokens.issue("ci", SA, List.of(), Duration.ofHours(1), null, null, null).token();
        var verifier = new ServiceAccountTokens(null, List.of(KEY.getPublic()), List.of(ISS, "https://old.example.com"),
                List.of(), lookup, Clock.systemUTC());
        assertThat(verifier.canIssue()).isFalse();
        assertThat(verifier.apiAudiences()).containsExactly(ISS, "https://old.example.com");
        assertThat(auth(verifier, oldToken, List.of()).orElseThrow().user().name()).isEqualTo("system:serviceaccount:ci:builder");
        assertThat(auth(verifier, newToken, List.of()).orElseThrow().audiences()).containsExactly(ISS);
        var single = new ServiceAccountTokens(null, List.of(KEY.getPublic()), ISS, List.of(), lookup, Clock.systemUTC());
        assertThat(auth(single, oldToken, List.of())).isEmpty();
    }
}
