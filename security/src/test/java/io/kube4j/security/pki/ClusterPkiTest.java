package io.kube4j.security.pki;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each method works in a {@link TempDir} of its own and a fixed clock, and shares nothing else: they run concurrently,
 * as RSA-2048 key generation (a dozen keys per PKI) is most of their time.
 */
@Execution(ExecutionMode.CONCURRENT)
class ClusterPkiTest {

    @TempDir
    Path tmp;

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private ClusterPki.Spec spec() {
        return ClusterPki.Spec.of("https://127.0.0.1:6443").withNodes(List.of("n0", "n1"))
                .withKubeconfigDir(tmp.resolve("home")).withApiserverNames(List.of("api.example.test", "10.1.2.3"));
    }

    @Test
    void createsTheWholeLayoutSignedByItsCas() {
        ClusterPki pki = ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC));
        Path dir = tmp.resolve("pki");
        for (String f : List.of("ca", "apiserver", "apiserver-kubelet-client", "front-proxy-ca", "front-proxy-client",
                "admin", "scheduler", "controller-manager", "proxy", "node-n0", "node-n1", "node-n0-serving",
                "node-n1-serving", "gateway", "gateway-client")) {
            assertThat(dir.resolve(f + ".crt")).exists();
            assertThat(dir.resolve(f + ".key")).exists();
        }
        assertThat(dir.resolve("sa.key")).exists();
        assertThat(dir.resolve("sa.pub")).exists();
        CertificateAuthority ca = pki.ca();
        for (String f : List.of("apiserver", "apiserver-kubelet-client", "admin", "scheduler", "controller-manager",
                "proxy", "node-n0", "node-n1-serving", "gateway", "gateway-client")) {
            assertThat(ca.signed(pki.credentials(f).certificate())).as(f).isTrue();
        }
        X509Certificate fpc = pki.credentials("front-proxy-client").certificate();
        assertThat(pki.frontProxyCa().signed(fpc)).isTrue();
        assertThat(ca.signed(fpc)).as("the front-proxy client is not signed by the cluster CA").isFalse();
        assertThat(SubjectAltNames.commonName(fpc)).isEqualTo("front-proxy-client");
    }

    @Test
    void subjectsAreKubernetesIdentities() throws Exception {
        ClusterPki pki = ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC));
        assertIdentity(pki, "admin", "kube4j-admin", "system:masters");
        assertIdentity(pki, "scheduler", "system:kube-scheduler");
        assertIdentity(pki, "controller-manager", "system:kube-controller-manager");
        assertIdentity(pki, "proxy", "system:kube-proxy");
        assertIdentity(pki, "dns", "system:kube-dns");
        assertIdentity(pki, "ingress", "system:kube4j-ingress-controller");
        assertIdentity(pki, "node-n1", "system:node:n1", "system:nodes");
        assertIdentity(pki, "apiserver-kubelet-client", "kube-apiserver-kubelet-client", "system:masters");
        assertIdentity(pki, "gateway-client", "system:kube4j-gateway");
        assertIdentity(pki, "gateway", "kube4j-gateway");
        assertThat(pki.credentials("gateway-client").certificate().getExtendedKeyUsage())
                .containsExactly("1.3.6.1.5.5.7.3.2");
    }

    @Test
    void theGatewayServesItsNamesAndUsersKubeconfigsPointAtIt() throws Exception {
        ClusterPki pki = ClusterPki.ensure(tmp.resolve("pki"),
                spec().withGateway("https://gw.example.test:8443", List.of("myhost", "10.9.8.7")),
                Clock.fixed(T0, ZoneOffset.UTC));
        X509Certificate gw = pki.credentials("gateway").certificate();
        assertThat(SubjectAltNames.dnsNames(gw)).containsExactlyInAnyOrder("localhost", "gw.example.test", "myhost");
        assertThat(SubjectAltNames.ipAddresses(gw)).containsExactlyInAnyOrder("127.0.0.1", "10.9.8.7");
        assertThat(gw.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(Files.readString(tmp.resolve("home/admin.kubeconfig")))
                .contains("server: \"https://gw.example.test:8443\"");
        // components and the gateway's own identity talk to the apiserver directly
        for (String kc : List.of("scheduler", "controller-manager", "proxy", "node-n0", "gateway")) {
            assertThat(Files.readString(tmp.resolve("home/" + kc + ".kubeconfig"))).as(kc)
                    .contains("server: \"https://127.0.0.1:6443\"");
        }
        assertThat(pki.kubeconfigFile("gateway")).hasContent(Files.readString(tmp.resolve("home/gateway.kubeconfig")))
                .content().contains(pki.certFile("gateway-client").toString());
    }

    @Test
    void withoutAGatewayUsersTalkToTheApiserverAndItsCertificateHasOnlyLocalNames() throws Exception {
        ClusterPki pki = ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC));
        X509Certificate gw = pki.credentials("gateway").certificate();
        assertThat(SubjectAltNames.dnsNames(gw)).containsExactly("localhost");
        assertThat(SubjectAltNames.ipAddresses(gw)).containsExactly("127.0.0.1");
        assertThat(Files.readString(tmp.resolve("home/admin.kubeconfig")))
                .contains("server: \"https://127.0.0.1:6443\"");
    }

    @Test
    void reissuesTheGatewayCertificateWhenItsNamesChangeAndRewritesTheAdminKubeconfig() throws Exception {
        ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC));
        X509Certificate client = ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC))
                .credentials("gateway-client").certificate();
        ClusterPki second = ClusterPki.ensure(tmp.resolve("pki"),
                spec().withGateway("https://127.0.0.1:9443", List.of("newhost")), Clock.fixed(T0, ZoneOffset.UTC));
        assertThat(second.changes()).filteredOn(c -> c.action().equals("rotated"))
                .extracting(ClusterPki.Change::file).containsExactly("gateway.crt");
        assertThat(second.changes()).extracting(ClusterPki.Change::file)
                .contains(tmp.resolve("home/admin.kubeconfig").toString());
        assertThat(second.credentials("gateway-client").certificate()).isEqualTo(client);
        assertThat(Files.readString(tmp.resolve("home/admin.kubeconfig"))).contains("https://127.0.0.1:9443");
    }

    private static void assertIdentity(ClusterPki pki, String file, String cn, String... orgs) {
        X509Certificate c = pki.credentials(file).certificate();
        assertThat(SubjectAltNames.commonName(c)).as(file).isEqualTo(cn);
        assertThat(SubjectAltNames.organizations(c)).as(file).containsExactly(orgs);
    }

    @Test
    void servingCertificatesCarryTheirNames() throws Exception {
        ClusterPki pki = ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC));
        X509Certificate api = pki.credentials("apiserver").certificate();
        assertThat(SubjectAltNames.dnsNames(api)).containsExactlyInAnyOrder("localhost", "kubernetes",
                "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
                "api.example.test");
        assertThat(SubjectAltNames.ipAddresses(api)).containsExactlyInAnyOrder("127.0.0.1", "10.96.0.1", "10.1.2.3");
        assertThat(api.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(pki.credentials("admin").certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        X509Certificate node = pki.credentials("node-n0-serving").certificate();
        assertThat(SubjectAltNames.dnsNames(node)).containsExactlyInAnyOrder("n0", "localhost");
        assertThat(SubjectAltNames.ipAddresses(node)).containsExactly("127.0.0.1");
        assertThat(api.getNotAfter().toInstant()).isEqualTo(T0.plus(CertificateSpec.DEFAULT_VALIDITY));
        assertThat(pki.ca().certificate().getNotAfter().toInstant())
                .isEqualTo(T0.plus(CertificateAuthority.DEFAULT_VALIDITY));
    }

    @Test
    void filesAreOwnerOnly() throws Exception {
        ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("pki"))))
                .isEqualTo("rwx------");
        try (Stream<Path> files = Stream.concat(Files.list(tmp.resolve("pki")), Files.list(tmp.resolve("home")))) {
            for (Path f : files.toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(f.toString())
                        .isEqualTo("rw-------");
            }
        }
        assertThat(tmp.resolve("home/admin.kubeconfig")).exists();
        assertThat(tmp.resolve("home/node-n1.kubeconfig")).exists();
    }

    @Test
    void secondRunChangesNothing() throws Exception {
        ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC));
        byte[] admin = Files.readAllBytes(tmp.resolve("pki/admin.crt"));
        ClusterPki again = ClusterPki.ensure(tmp.resolve("pki"), spec(),
                Clock.fixed(T0.plus(Duration.ofDays(30)), ZoneOffset.UTC));
        assertThat(again.changes()).extracting(ClusterPki.Change::action).containsOnly("kept");
        assertThat(Files.readAllBytes(tmp.resolve("pki/admin.crt"))).isEqualTo(admin);
    }

    @Test
    void rotatesWhatExpiresWithinAThirdOfItsLifetimeAndKeepsTheCa() {
        ClusterPki.Spec s = spec().withCertValidity(Duration.ofDays(30));
        ClusterPki first = ClusterPki.ensure(tmp.resolve("pki"), s, Clock.fixed(T0, ZoneOffset.UTC));
        X509Certificate ca = first.ca().certificate();
        X509Certificate admin = first.credentials("admin").certificate();
        // 30 days + 5 min backdating: a third is a little over 10 days; 19 days in, 11 are left — kept
        ClusterPki early = ClusterPki.ensure(tmp.resolve("pki"), s,
                Clock.fixed(T0.plus(Duration.ofDays(19)), ZoneOffset.UTC));
        assertThat(early.credentials("admin").certificate()).isEqualTo(admin);
        // 21 days in, 9 left: re-issued, by the same CA
        ClusterPki later = ClusterPki.ensure(tmp.resolve("pki"), s,
                Clock.fixed(T0.plus(Duration.ofDays(21)), ZoneOffset.UTC));
        X509Certificate rotated = later.credentials("admin").certificate();
        assertThat(rotated.getSerialNumber()).isNotEqualTo(admin.getSerialNumber());
        assertThat(rotated.getNotAfter().toInstant()).isEqualTo(T0.plus(Duration.ofDays(51)));
        assertThat(later.ca().certificate()).isEqualTo(ca);
        assertThat(later.ca().signed(rotated)).isTrue();
        assertThat(later.changes()).anySatisfy(c -> {
            assertThat(c.file()).isEqualTo("admin.crt");
            assertThat(c.action()).isEqualTo("rotated");
            assertThat(c.reason()).startsWith("expires");
        });
    }

    @Test
    void reissuesTheServingCertificateWhenItsNamesChange() {
        ClusterPki first = ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC));
        X509Certificate admin = first.credentials("admin").certificate();
        ClusterPki second = ClusterPki.ensure(tmp.resolve("pki"),
                spec().withApiserverNames(List.of("other.example.test")), Clock.fixed(T0, ZoneOffset.UTC));
        assertThat(SubjectAltNames.dnsNames(second.credentials("apiserver").certificate()))
                .contains("other.example.test").doesNotContain("api.example.test");
        assertThat(second.credentials("admin").certificate()).isEqualTo(admin);
        assertThat(second.changes()).filteredOn(c -> c.action().equals("rotated"))
                .extracting(ClusterPki.Change::file).containsExactly("apiserver.crt");
    }

    @Test
    void aNewCaReissuesEveryLeaf() throws Exception {
        ClusterPki first = ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC));
        Files.delete(tmp.resolve("pki/ca.crt"));
        Files.delete(tmp.resolve("pki/ca.key"));
        ClusterPki second = ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC));
        assertThat(second.ca().certificate()).isNotEqualTo(first.ca().certificate());
        assertThat(second.ca().signed(second.credentials("node-n0").certificate())).isTrue();
        // the front-proxy CA was kept, and so was its client certificate
        assertThat(second.credentials("front-proxy-client").certificate())
                .isEqualTo(first.credentials("front-proxy-client").certificate());
    }

    @Test
    void refusesACaWhoseKeyIsNotItsOwn() throws Exception {
        ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC));
        Files.copy(tmp.resolve("pki/admin.key"), tmp.resolve("pki/ca.key"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not the key of");
    }

    @Test
    void serviceAccountKeyPairIsRsaAndMatches() {
        ClusterPki pki = ClusterPki.ensure(tmp.resolve("pki"), spec(), Clock.fixed(T0, ZoneOffset.UTC));
        var priv = PemFiles.readPrivateKey(pki.serviceAccountKeyFile());
        var pub = PemFiles.readPublicKey(pki.serviceAccountPublicKeyFile());
        assertThat(priv.getAlgorithm()).isEqualTo("RSA");
        assertThat(pub).isEqualTo(ClusterPki.publicKeyOf(priv));
    }
}
