package io.kube4j.gateway.testsupport;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.security.tls.ReloadingPemKeyManager;
import io.kube4j.security.tls.TlsContexts;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An OpenID Connect issuer served by the test: HTTPS on 127.0.0.1 with the test PKI's serving certificate (so
 * {@code oidc.ca-file} is the cluster CA), a discovery document and a JWKS, and RSA keys that sign ID tokens.
 * Keys can be rotated ({@link #rotate()}) to check that verifiers fetch the new set.
 */
public final class OidcTestIssuer implements AutoCloseable {

    private final HttpsServer server;
    private final List<RSAKey> keys = new CopyOnWriteArrayList<>();
    private final AtomicInteger keyFetches = new AtomicInteger();
    private final AtomicInteger counter = new AtomicInteger();

    private OidcTestIssuer(HttpsServer server) {
        this.server = server;
    }

    /** Starts an issuer with one signing key. */
    public static OidcTestIssuer start(TestPki pki) {
        try {
            HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            s.setHttpsConfigurator(new HttpsConfigurator(TlsContexts.sslContext(
                    new ReloadingPemKeyManager(pki.apiserverCertFile(), pki.apiserverKeyFile()), null)));
            OidcTestIssuer issuer = new OidcTestIssuer(s);
            issuer.keys.add(newKey("key-" + issuer.counter.incrementAndGet()));
            s.createContext("/.well-known/openid-configuration", ex -> issuer.respond(ex,
                    "{\"issuer\":\"" + issuer.url() + "\",\"jwks_uri\":\"" + issuer.url() + "/keys\","
                            + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}"));
            s.createContext("/keys", ex -> {
                issuer.keyFetches.incrementAndGet();
                List<JWK> pub = new ArrayList<>();
                issuer.keys.forEach(k -> pub.add(k.toPublicJWK()));
                issuer.respond(ex, new JWKSet(pub).toString());
            });
            s.start();
            return issuer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RSAKey newKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private void respond(HttpExchange ex, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    /** The issuer URL ({@code https://127.0.0.1:<port>}). */
    public String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many times the key set was fetched. */
    public int keyFetches() {
        return keyFetches.get();
    }

    /** Publishes a new signing key (the old one stays published) and signs with it from now on. */
    public void rotate() {
        keys.add(0, newKey("key-" + counter.incrementAndGet()));
    }

    /** An ID token for {@code audience}, subject {@code sub}, valid for 10 minutes, with more claims set by {@code more}. */
    public String token(String audience, String sub, Consumer<JWTClaimsSet.Builder> more) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer(url()).audience(audience).subject(sub)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(10))));
        more.accept(b);
        return sign(keys.get(0), b.build());
    }

    /** Signs {@code claims} with a key this issuer does not publish. */
    public static String signWithForeignKey(JWTClaimsSet claims) {
        return sign(newKey("key-1"), claims);
    }

    private static String sign(RSAKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
