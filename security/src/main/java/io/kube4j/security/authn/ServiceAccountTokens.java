package io.kube4j.security.authn;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kube4j.security.UserInfo;
import reactor.core.publisher.Mono;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Kubernetes' bound ServiceAccount tokens: issues JWTs signed with the service-account key (RS256, or ES256 for
 * an EC key) with Kubernetes' claims ({@code iss}, {@code sub system:serviceaccount:<ns>:<name>}, {@code aud},
 * {@code exp}, {@code iat}, {@code nbf}, {@code jti}, {@code kubernetes.io{namespace, serviceaccount, pod?,
 * secret?, node?}}), and authenticates them: signature by one of the public keys, issuer, dates, audience, and
 * the existence (same UID) of the ServiceAccount and of the object the token is bound to, asked through
 * {@link ObjectLookup} (the apiserver answers it from its own storage).
 */
public final class ServiceAccountTokens {

    public static final String DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";
    public static final String EXTRA_POD_NAME = "authentication.kubernetes.io/pod-name";
    public static final String EXTRA_POD_UID = "authentication.kubernetes.io/pod-uid";
    public static final String EXTRA_NODE_NAME = "authentication.kubernetes.io/node-name";
    public static final String EXTRA_NODE_UID = "authentication.kubernetes.io/node-uid";
    public static final String EXTRA_CREDENTIAL_ID = X509Authenticator.CREDENTIAL_ID;
    private static final String K8S_CLAIM = "kubernetes.io";
    /** Clock skew tolerated on exp and nbf (go-jose's default leeway, which Kubernetes uses). */
    static final Duration LEEWAY = Duration.ofMinutes(1);

    /** Reads the objects a token names, to check they still exist. */
    public interface ObjectLookup {
        /**
         * The UID of the object ({@code kind} is ServiceAccount, Pod, Secret or Node; namespace null for Node);
         * an empty Mono when it does not exist or is being deleted.
         */
        Mono<String> uid(String kind, String namespace, String name);
    }

    /** A named object with its UID, as the token's claims hold it. */
    public record Ref(String name, String uid) {
    }

    /** An issued token and when it expires. */
    public record IssuedToken(String token, Instant expiration) {
    }

    /** An authenticated token: the user and the audiences of the request that the token is valid for. */
    public record Authenticated(UserInfo user, List<String> audiences) {
    }

    private final KeyPair signingKey;
    private final List<PublicKey> verifyingKeys;
    private final String issuer;
    private final List<String> acceptedIssuers;
    private final List<String> apiAudiences;
    private final ObjectLookup lookup;
    private final Clock clock;

    /**
     * @param signingKey      the key that signs (its public half is always accepted); null: this instance only verifies
     * @param verifyingKeys   more public keys to accept (older or other apiservers' keys)
     * @param issuer          the {@code iss} of issued tokens, and the first accepted issuer
     * @param apiAudiences    audiences the API itself accepts (Kubernetes' {@code --api-audiences}; default the issuer)
     * @param lookup          where the named objects are checked; null: not checked ({@code --service-account-lookup=false})
     */
    public ServiceAccountTokens(KeyPair signingKey, List<PublicKey> verifyingKeys, String issuer,
                                List<String> apiAudiences, ObjectLookup lookup, Clock clock) {
        this(signingKey, verifyingKeys, List.of(issuer), apiAudiences, lookup, clock);
    }

    /**
     * As above, accepting tokens of several issuers (Kubernetes' repeated {@code --service-account-issuer}: the
     * first issues, all are accepted); {@code apiAudiences} empty: all the issuers.
     */
    public ServiceAccountTokens(KeyPair signingKey, List<PublicKey> verifyingKeys, List<String> issuers,
                                List<String> apiAudiences, ObjectLookup lookup, Clock clock) {
        if (issuers.isEmpty()) {
            throw new IllegalArgumentException("service account tokens need at least one issuer");
        }
        this.signingKey = signingKey;
        List<PublicKey> keys = new ArrayList<>();
        if (signingKey != null) {
            keys.add(signingKey.getPublic());
        }
        keys.addAll(verifyingKeys);
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("service account tokens need a signing key or at least one public key");
        }
        this.verifyingKeys = List.copyOf(keys);
        this.issuer = issuers.get(0);
        this.acceptedIssuers = List.copyOf(issuers);
        this.apiAudiences = apiAudiences.isEmpty() ? List.copyOf(issuers) : List.copyOf(apiAudiences);
        this.lookup = lookup;
        this.clock = clock;
    }

    /** A fresh RSA 2048 key pair, for an apiserver started without a key file (its tokens die with it). */
    public static KeyPair ephemeralKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a PEM private key file (the public halves of its keys are accepted too). */
    public static KeyPair readKeyPair(Path keyFile) {
        try {
            return Pem.keyPair(Files.readAllBytes(keyFile));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + keyFile, e);
        }
    }

    /** Reads PEM public keys (PUBLIC KEY, certificates, or private keys whose public half is taken). */
    public static List<PublicKey> readPublicKeys(Path file) {
        try {
            return Pem.publicKeys(Files.readAllBytes(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file, e);
        }
    }

    public String issuer() {
        return issuer;
    }

    public List<String> apiAudiences() {
        return apiAudiences;
    }

    public boolean canIssue() {
        return signingKey != null;
    }

    /**
     * Signs a token for the ServiceAccount {@code namespace/serviceAccount}, valid from now for {@code expiration},
     * optionally bound to a pod (with its node) or a secret.
     */
    public IssuedToken issue(String namespace, Ref serviceAccount, List<String> audiences, Duration expiration,
                             Ref pod, Ref secret, Ref node) {
        if (signingKey == null) {
            throw new IllegalStateException("no service account signing key configured");
        }
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant exp = now.plus(expiration);
        Map<String, Object> k8s = new LinkedHashMap<>();
        k8s.put("namespace", namespace);
        if (node != null) {
            k8s.put("node", ref(node));
        }
        if (pod != null) {
            k8s.put("pod", ref(pod));
        }
        if (secret != null) {
            k8s.put("secret", ref(secret));
        }
        k8s.put("serviceaccount", ref(serviceAccount));
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(UserInfo.SERVICE_ACCOUNT_USER_PREFIX + namespace + ":" + serviceAccount.name())
                .audience(audiences.isEmpty() ? apiAudiences : audiences)
                .expirationTime(Date.from(exp))
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .jwtID(UUID.randomUUID().toString())
                .claim(K8S_CLAIM, k8s)
                .build();
        try {
            boolean ec = signingKey.getPrivate() instanceof ECPrivateKey;
            JWSHeader header = new JWSHeader.Builder(ec ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256)
                    .keyID(keyId(signingKey.getPublic())).build();
            JWSSigner signer = ec ? new ECDSASigner((ECPrivateKey) signingKey.getPrivate())
                    : new RSASSASigner(signingKey.getPrivate());
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer);
            return new IssuedToken(jwt.serialize(), exp);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a service account token: " + e.getMessage(), e);
        }
    }

    /**
     * Authenticates a bearer token for the API's own audiences ({@code audiences} empty) or for the given ones
     * (TokenReview's {@code spec.audiences}). Empty when the token is not a JWT of an accepted issuer (another
     * authenticator may know it); {@link AuthenticationException} when it is one and is not valid.
     */
    public Mono<Optional<Authenticated>> authenticate(String token, List<String> audiences) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            return Mono.just(Optional.empty());
        }
        if (claims.getIssuer() == null || !acceptedIssuers.contains(claims.getIssuer())) {
            return Mono.just(Optional.empty());
        }
        try {
            verifySignature(jwt);
            List<String> granted = checkClaims(claims, audiences.isEmpty() ? apiAudiences : audiences);
            Claims c = Claims.of(claims);
            return checkExists(c).then(Mono.fromSupplier(() -> Optional.of(new Authenticated(c.user(), granted))));
        } catch (AuthenticationException e) {
            return Mono.error(e);
        }
    }

    private void verifySignature(SignedJWT jwt) {
        for (PublicKey k : verifyingKeys) {
            try {
                JWSVerifier v = k instanceof RSAPublicKey rsa ? new RSASSAVerifier(rsa)
                        : k instanceof ECPublicKey ecKey ? new ECDSAVerifier(ecKey) : null;
                if (v != null && v.supportedJWSAlgorithms().contains(jwt.getHeader().getAlgorithm()) && jwt.verify(v)) {
                    return;
                }
            } catch (JOSEException e) {
                // not this key: try the next
            }
        }
        throw new AuthenticationException("invalid bearer token, square/go-jose: error in cryptographic primitive");
    }

    private List<String> checkClaims(JWTClaimsSet claims, List<String> wanted) {
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new AuthenticationException("service account token has no expiration");
        }
        if (now.isAfter(exp.toInstant().plus(LEEWAY))) {
            throw new AuthenticationException("service account token has expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.isBefore(nbf.toInstant().minus(LEEWAY))) {
            throw new AuthenticationException("service account token is not valid yet");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && now.isBefore(iat.toInstant().minus(LEEWAY))) {
            throw new AuthenticationException("service account token was issued in the future");
        }
        List<String> aud = claims.getAudience() == null ? List.of() : claims.getAudience();
        List<String> granted = wanted.stream().filter(aud::contains).toList();
        if (granted.isEmpty()) {
            throw new AuthenticationException("token audiences " + quote(aud) + " is invalid for the target audiences "
                    + quote(wanted));
        }
        return granted;
    }

    private Mono<Void> checkExists(Claims c) {
        if (lookup == null) {
            return Mono.empty();
        }
        Mono<Void> sa = lookup.uid("ServiceAccount", c.namespace, c.serviceAccount.name())
                .switchIfEmpty(Mono.error(() -> new AuthenticationException(
                        "service account " + c.namespace + "/" + c.serviceAccount.name() + " has been deleted")))
                .flatMap(uid -> uid.equals(c.serviceAccount.uid()) ? Mono.empty() : Mono.error(new AuthenticationException(
                        "service account UID (" + uid + ") does not match claim (" + c.serviceAccount.uid() + ")")));
        Mono<Void> pod = c.pod == null ? Mono.empty() : bound("Pod", "pod", c.namespace, c.pod);
        Mono<Void> secret = c.secret == null ? Mono.empty() : bound("Secret", "secret", c.namespace, c.secret);
        return sa.then(pod).then(secret);
    }

    private Mono<Void> bound(String kind, String noun, String namespace, Ref ref) {
        return lookup.uid(kind, namespace, ref.name())
                .switchIfEmpty(Mono.error(() -> new AuthenticationException(
                        noun + " " + namespace + "/" + ref.name() + " has been deleted")))
                .flatMap(uid -> uid.equals(ref.uid()) ? Mono.empty() : Mono.error(new AuthenticationException(
                        noun + " UID (" + uid + ") does not match claim (" + ref.uid() + ")")));
    }

    /** The private claims of a token, as Kubernetes' {@code privateClaims}. */
    private record Claims(String jti, String namespace, Ref serviceAccount, Ref pod, Ref secret, Ref node) {

        @SuppressWarnings("unchecked")
        static Claims of(JWTClaimsSet claims) {
            Object k = claims.getClaim(K8S_CLAIM);
            if (!(k instanceof Map<?, ?> m) || !(m.get("namespace") instanceof String ns) || ns.isEmpty()) {
                throw new AuthenticationException("service account token claims could not be validated: no kubernetes.io namespace");
            }
            Ref sa = ref((Map<String, Object>) m, "serviceaccount");
            if (sa == null) {
                throw new AuthenticationException("service account token claims could not be validated: no service account");
            }
            String sub = UserInfo.SERVICE_ACCOUNT_USER_PREFIX + ns + ":" + sa.name();
            if (!sub.equals(claims.getSubject())) {
                throw new AuthenticationException("service account token claims could not be validated: sub does not match");
            }
            return new Claims(claims.getJWTID(), ns, sa, ref((Map<String, Object>) m, "pod"),
                    ref((Map<String, Object>) m, "secret"), ref((Map<String, Object>) m, "node"));
        }

        private static Ref ref(Map<String, Object> m, String key) {
            if (m.get(key) instanceof Map<?, ?> r && r.get("name") instanceof String n && !n.isEmpty()) {
                return new Ref(n, r.get("uid") instanceof String u ? u : "");
            }
            return null;
        }

        UserInfo user() {
            Map<String, List<String>> extra = new LinkedHashMap<>();
            if (pod != null) {
                extra.put(EXTRA_POD_NAME, List.of(pod.name()));
                extra.put(EXTRA_POD_UID, List.of(pod.uid()));
            }
            if (node != null) {
                extra.put(EXTRA_NODE_NAME, List.of(node.name()));
                extra.put(EXTRA_NODE_UID, List.of(node.uid()));
            }
            if (jti != null) {
                extra.put(EXTRA_CREDENTIAL_ID, List.of("JTI=" + jti));
            }
            return new UserInfo(UserInfo.SERVICE_ACCOUNT_USER_PREFIX + namespace + ":" + serviceAccount.name(),
                    serviceAccount.uid(), List.of(UserInfo.SERVICE_ACCOUNTS_GROUP,
                    UserInfo.SERVICE_ACCOUNTS_NAMESPACE_GROUP_PREFIX + namespace), extra);
        }
    }

    private static Map<String, Object> ref(Ref r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("uid", r.uid());
        return m;
    }

    /** Kubernetes' key id: the unpadded base64url SHA-256 of the public key's DER (SubjectPublicKeyInfo). */
    public static String keyId(PublicKey key) {
        try {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String quote(List<String> l) {
        return l.stream().map(s -> "\"" + s + "\"").toList().toString().replace(", ", " ");
    }
}
