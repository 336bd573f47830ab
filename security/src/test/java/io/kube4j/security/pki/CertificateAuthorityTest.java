package io.kube4j.security.pki;

import org.junit.jupiter.api.Test;

import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CertificateAuthorityTest {

    private final CertificateAuthority ca = CertificateAuthority.create("test-ca");

    @Test
    void issuedCertificatesVerifyAgainstTheCaAndNotAnother() throws Exception {
        CertificateAndKey alice = ca.issue(CertificateSpec.client("alice", "dev", "ops"));
        alice.certificate().verify(ca.certificate().getPublicKey());
        alice.certificate().checkValidity();
        assertThat(ca.signed(alice.certificate())).isTrue();
        assertThat(CertificateAuthority.create("test-ca").signed(alice.certificate())).isFalse();
        assertThat(SubjectAltNames.commonName(alice.certificate())).isEqualTo("alice");
        assertThat(SubjectAltNames.organizations(alice.certificate())).containsExactly("dev", "ops");
        assertThat(alice.certificate().getBasicConstraints()).isEqualTo(-1);
        assertThat(ca.certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void expiredCertificatesCanBeMadeForTests() {
        Instant now = Instant.now();
        CertificateAndKey old = ca.issue(CertificateSpec.client("bob"), now.minus(Duration.ofDays(2)),
                now.minus(Duration.ofDays(1)));
        assertThatThrownBy(() -> old.certificate().checkValidity()).isInstanceOf(CertificateExpiredException.class);
        assertThat(old.needsRotation(now)).isTrue();
    }

    @Test
    void leafNeverOutlivesItsCa() {
        CertificateAuthority shortCa = CertificateAuthority.create("short", Duration.ofDays(10),
                java.time.Clock.systemUTC());
        X509Certificate c = shortCa.issue(CertificateSpec.client("x")).certificate();
        assertThat(c.getNotAfter()).isEqualTo(shortCa.certificate().getNotAfter());
    }

    @Test
    void pemRoundTrip() {
        CertificateAndKey k = ca.issue(CertificateSpec.server("svc", java.util.List.of("svc.local", "::1")));
        assertThat(PemFiles.decodeCertificates(k.certificatePem())).containsExactly(k.certificate());
        assertThat(PemFiles.decodePrivateKey(k.keyPem())).isEqualTo(k.key());
        assertThat(k.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(SubjectAltNames.ipAddresses(k.certificate())).containsExactly("0:0:0:0:0:0:0:1");
        assertThat(k.certificate().getNotBefore()).isBefore(Date.from(Instant.now()));
    }

    @Test
    void badSpecsAreRefused() {
        assertThatThrownBy(() -> CertificateSpec.client(" ")).hasMessageContaining("common name");
        assertThatThrownBy(() -> new CertificateSpec("a", null, null, java.util.List.of("300.1.1.1"), null, null))
                .hasMessageContaining("not an IP address");
    }
}
