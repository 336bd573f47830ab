package io.kube4j.security.authn;

import io.kube4j.security.UserInfo;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class X509AuthenticatorTest {

    static final TestCerts.Issued CA = TestCerts.ca("cluster-ca");
    static final TestCerts.Issued OTHER_CA = TestCerts.ca("cluster-ca"); // same name, other key

    final X509Authenticator auth = new X509Authenticator(() -> List.of(CA.cert()), Clock.systemUTC());

    @Test
    void commonNameIsTheUserAndOrganizationsAreTheGroups() {
        X509Certificate c = TestCerts.client(CA, "alice", "dev", "ops").cert();
        UserInfo u = auth.authenticate(new X509Certificate[]{c}).orElseThrow();
        assertThat(u.name()).isEqualTo("alice");
        assertThat(u.groups()).containsExactly("dev", "ops");
        assertThat(u.extra().get(X509Authenticator.CREDENTIAL_ID).get(0)).startsWith("X509SHA256=").hasSize(11 + 64);
    }

    @Test
    void aChainEndingInTheRootIsAccepted() {
        X509Certificate c = TestCerts.client(CA, "system:node:n1", "system:nodes").cert();
        assertThat(auth.authenticate(new X509Certificate[]{c, CA.cert()}).orElseThrow().nodeName()).isEqualTo("n1");
    }

    @Test
    void noCertificateIsNoOpinion() {
        assertThat(auth.authenticate(null)).isEmpty();
        assertThat(auth.authenticate(new X509Certificate[0])).isEmpty();
    }

    @Test
    void emptyCommonNameIsNoOpinion() {
        assertThat(auth.authenticate(new X509Certificate[]{TestCerts.client(CA, "").cert()})).isEmpty();
    }

    @Test
    void expiredAndNotYetValidCertificatesAreRejected() {
        Instant now = Instant.now();
        X509Certificate expired = TestCerts.leaf(CA, "bob", new String[0], now.minusSeconds(7200), now.minusSeconds(60),
                KeyPurposeId.id_kp_clientAuth).cert();
        X509Certificate future = TestCerts.leaf(CA, "bob", new String[0], now.plusSeconds(600), now.plusSeconds(7200),
                KeyPurposeId.id_kp_clientAuth).cert();
        assertThatThrownBy(() -> auth.authenticate(new X509Certificate[]{expired}))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("expired or is not yet valid");
        assertThatThrownBy(() -> auth.authenticate(new X509Certificate[]{future}))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("expired or is not yet valid");
    }

    @Test
    void aCertificateOfAnotherCaIsRejectedEvenWithTheSameIssuerName() {
        X509Certificate foreign = TestCerts.client(OTHER_CA, "kube4j-admin", UserInfo.SYSTEM_MASTERS).cert();
        assertThatThrownBy(() -> auth.authenticate(new X509Certificate[]{foreign}))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("unknown authority");
        // appending the foreign root does not help
        assertThatThrownBy(() -> auth.authenticate(new X509Certificate[]{foreign, OTHER_CA.cert()}))
                .isInstanceOf(AuthenticationException.class);
    }

    @Test
    void aServerOnlyCertificateIsNotAClientCertificate() {
        X509Certificate serving = TestCerts.leaf(CA, "apiserver", new String[0], Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(600), KeyPurposeId.id_kp_serverAuth).cert();
        assertThatThrownBy(() -> auth.authenticate(new X509Certificate[]{serving}))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("key usage");
    }

    @Test
    void theCaFileIsReloadedWhenItChanges(@TempDir Path dir) throws Exception {
        Path caFile = dir.resolve("ca.crt");
        Files.writeString(caFile, TestCerts.pem(CA.cert()));
        ReloadingFile<List<X509Certificate>> f = new ReloadingFile<>(caFile, Pem::certificates, 0, Clock.systemUTC());
        X509Authenticator a = new X509Authenticator(f::get, Clock.systemUTC());
        X509Certificate[] other = {TestCerts.client(OTHER_CA, "carol").cert()};
        assertThatThrownBy(() -> a.authenticate(other)).isInstanceOf(AuthenticationException.class);

        Files.writeString(caFile, TestCerts.pem(CA.cert(), OTHER_CA.cert()));
        Files.setLastModifiedTime(caFile, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertThat(a.authenticate(other).map(UserInfo::name)).isEqualTo(Optional.of("carol"));

        // a broken file keeps the last good bundle
        Files.writeString(caFile, "garbage");
        Files.setLastModifiedTime(caFile, FileTime.fromMillis(System.currentTimeMillis() + 10000));
        assertThat(a.authenticate(other)).isPresent();
    }
}
