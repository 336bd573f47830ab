package io.kube4j.gateway.authn;

import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.security.authn.AuthenticationException;
import io.kube4j.security.authn.X509Authenticator;
import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The short cache of verified client certificates: reused within its time, never past it, never for a refusal. */
class X509EdgeAuthenticatorTest {

    private static final TestPki PKI = TestPki.create();

    private static final class MutableClock extends Clock {
        Instant now = Instant.now();

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aVerifiedCertificateIsReusedForItsTimeThenVerifiedAgainstTheCurrentBundle() {
        MutableClock clock = new MutableClock();
        List<X509Certificate> cluster = X509Authenticator.readCaBundle(PKI.caFile());
        List<X509Certificate> other = List.of(io.kube4j.security.pki.CertificateAuthority.create("other").certificate());
        AtomicReference<List<X509Certificate>> roots = new AtomicReference<>(cluster);
        X509EdgeAuthenticator edge = new X509EdgeAuthenticator(new X509Authenticator(roots::get, clock), clock);
        X509Certificate[] alice = {PKI.clientCert("alice", "team").certificate().certificate()};

        assertThat(edge.authenticate(alice)).get().extracting(u -> u.name()).isEqualTo("alice");
        // the CA bundle changes: within the cache time the verified certificate still counts ...
        roots.set(other);
        clock.now = clock.now.plus(Duration.ofSeconds(5));
        assertThat(edge.authenticate(alice)).get().extracting(u -> u.groups()).asList().contains("team");
        // ... after it, it is verified again against the new bundle and refused
        clock.now = clock.now.plus(X509EdgeAuthenticator.CACHE_TTL);
        assertThatThrownBy(() -> edge.authenticate(alice)).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void aRefusedCertificateIsNeverCached() {
        MutableClock clock = new MutableClock();
        List<X509Certificate> cluster = X509Authenticator.readCaBundle(PKI.caFile());
        AtomicReference<List<X509Certificate>> roots = new AtomicReference<>(List.of(
                io.kube4j.security.pki.CertificateAuthority.create("other").certificate()));
        X509EdgeAuthenticator edge = new X509EdgeAuthenticator(new X509Authenticator(roots::get, clock), clock);
        X509Certificate[] bob = {PKI.clientCert("bob").certificate().certificate()};

        assertThatThrownBy(() -> edge.authenticate(bob)).isInstanceOf(AuthenticationException.class);
        roots.set(cluster);
        assertThat(edge.authenticate(bob)).get().extracting(u -> u.name()).isEqualTo("bob");
    }
}
