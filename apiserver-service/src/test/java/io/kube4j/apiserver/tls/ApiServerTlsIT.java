package io.kube4j.apiserver.tls;

import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.security.pki.CertificateSpec;
import io.kube4j.security.pki.SubjectAltNames;
import io.kube4j.security.tls.ReloadingPemKeyManager;
import io.kube4j.security.tls.TlsContexts;
import io.kube4j.security.tls.TlsTrust;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The apiserver's HTTPS: real handshakes against a secure instance on real etcd, and kubectl over TLS. */
class ApiServerTlsIT {

    private static TestPki pki;
    private static ApiServerInstance server;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        pki = TestPki.create();
        server = ApiServerInstance.startSecure(pki);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Handshakes with a fresh TLS connection and returns the server's certificate. */
    private static X509Certificate handshake(SSLContext ctx) throws IOException {
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.setSoTimeout(10_000);
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void servesHttpsWithTheClusterCertificate() throws Exception {
        X509Certificate served = handshake(pki.sslContext(null));
        assertThat(pki.ca().signed(served)).isTrue();
        assertThat(SubjectAltNames.dnsNames(served)).contains("localhost", "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local");
        assertThat(SubjectAltNames.ipAddresses(served)).contains("127.0.0.1", "10.96.0.1");
        assertThat(server.url()).startsWith("https://");
        assertThat(server.client().get("/healthz").code()).isEqualTo(200);
    }

    @Test
    void refusesPlainHttp() {
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                .timeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<String> r = plain.send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("plain HTTP on the HTTPS port: %s", r.body()).isGreaterThanOrEqualTo(400);
        } catch (IOException expected) {
            // the TLS layer closed the connection on a non-TLS record
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void clientsThatDoNotTrustTheClusterCaAreRefused() {
        SSLContext otherTrust = TlsContexts.sslContext(null, TlsTrust.pkix(List.of(
                io.kube4j.security.pki.CertificateAuthority.create("kube4j-ca").certificate())));
        assertThatThrownBy(() -> handshake(otherTrust)).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }

    /** Records the issuers the server names in its CertificateRequest, and offers the certificate anyway. */
    private static final class RecordingKeyManager extends X509ExtendedKeyManager {
        final List<String> issuers = new CopyOnWriteArrayList<>();
        final ReloadingPemKeyManager delegate;

        RecordingKeyManager(TestPki.Credential who) {
            delegate = new ReloadingPemKeyManager(who.certFile(), who.keyFile());
        }

        private String record(String[] keyTypes, Principal[] requested, String alias) {
            if (requested != null) {
                for (Principal p : requested) {
                    issuers.add(p.getName());
                }
            }
            return alias;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] requested, javax.net.ssl.SSLEngine e) {
            return record(keyType, requested, delegate.chooseEngineClientAlias(keyType, requested, e));
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] requested, java.net.Socket socket) {
            return record(keyType, requested, delegate.chooseClientAlias(keyType, requested, socket));
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] requested) {
            return delegate.getClientAliases(keyType, requested);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] requested) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] requested, java.net.Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }
    }

    @Test
    void clientCertificatesAreRequestedFromTheClusterCaAndAnyChainPassesTheHandshake() throws Exception {
        RecordingKeyManager valid = new RecordingKeyManager(pki.clientCert("alice", "dev"));
        handshake(TlsContexts.sslContext(valid, TlsTrust.server(pki.caFile())));
        assertThat(valid.issuers).containsExactly(pki.ca().certificate().getSubjectX500Principal().getName());
        // verifying the chain is the authenticator's job: a 401 Status, not a handshake failure
        for (TestPki.Credential bad : List.of(pki.expiredClientCert("old", "system:masters"),
                pki.foreignClientCert("mallory", "system:masters"))) {
            RecordingKeyManager km = new RecordingKeyManager(bad);
            assertThat(handshake(TlsContexts.sslContext(km, TlsTrust.server(pki.caFile())))).isNotNull();
            var r = server.client(bad).get("/api/v1/namespaces");
            assertThat(r.code()).as(bad.name() + ": " + r.body()).isEqualTo(401);
            assertThat(r.json().path("kind").asString()).isEqualTo("Status");
            assertThat(r.json().path("reason").asString()).isEqualTo("Unauthorized");
        }
        // the cluster CA's certificates are users: CN the name, O the groups
        assertThat(server.client(pki.admin()).get("/api/v1/namespaces").code()).isEqualTo(200);
        var alice = server.client(pki.clientCert("alice", "dev")).get("/api/v1/namespaces");
        assertThat(alice.code()).as(alice.body()).isEqualTo(403);
        assertThat(alice.json().path("message").asString()).contains("User \"alice\" cannot list resource "
                + "\"namespaces\"");
        // a client without a certificate is served too (anonymous paths), and is 401 elsewhere
        assertThat(server.client(TestPki.Credential.anonymous()).get("/version").code()).isEqualTo(200);
        assertThat(server.client(TestPki.Credential.anonymous()).get("/api/v1/namespaces").code()).isEqualTo(401);
    }

    @Test
    void aRotatedServingCertificateIsServedWithoutRestart() throws Exception {
        X509Certificate before = handshake(pki.sslContext(null));
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1", "rotated.kube4j.test"));
        pki.ca().issue(CertificateSpec.server("kube-apiserver", names))
                .write(pki.apiserverCertFile(), pki.apiserverKeyFile());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(SubjectAltNames.dnsNames(handshake(pki.sslContext(null)))).contains("rotated.kube4j.test"));
        assertThat(handshake(pki.sslContext(null)).getSerialNumber()).isNotEqualTo(before.getSerialNumber());
        assertThat(server.client().get("/healthz").code()).isEqualTo(200);
    }

    @Test
    void kubectlTalksHttpsWithAGeneratedKubeconfig() throws IOException {
        Path binary = Requirements.requireBinary("kubectl");
        KubectlRunner kubectl = KubectlRunner.withKubeconfig(binary, server.kubeconfig(pki.admin()), dir,
                Duration.ofSeconds(60));
        KubectlRunner.Result r = kubectl.kubectl("get", "--raw", "/healthz").ok();
        assertThat(r.out().trim()).isEqualTo("ok");
        assertThat(kubectl.kubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}").ok().out())
                .isEqualTo("kube4j-admin");
        assertThat(kubectl.kubectl("get", "namespace", "default", "-o", "name").ok().out().trim())
                .isEqualTo("namespace/default");
        java.nio.file.Files.createDirectories(dir.resolve("stranger"));
        KubectlRunner stranger = KubectlRunner.withKubeconfig(kubectl.kubectl(),
                server.kubeconfig(pki.clientCert("stranger")), dir.resolve("stranger"), Duration.ofSeconds(60));
        KubectlRunner.Result denied = stranger.kubectl("get", "namespaces");
        assertThat(denied.code()).isNotZero();
        assertThat(denied.err()).contains("User \"stranger\" cannot list resource \"namespaces\"");
    }

    @Test
    void refusesToStartWithoutTlsOrInsecureDevelopment() {
        assertThatThrownBy(() -> ApiServerInstance.startSecure(pki, "kube4j.apiserver.tls.cert-file="))
                .hasStackTraceContaining("the apiserver serves HTTPS only");
        assertThatThrownBy(() -> ApiServerInstance.startSecure(pki,
                "kube4j.apiserver.tls.cert-file=" + pki.dir().resolve("missing.crt")))
                .hasStackTraceContaining("is not a readable file");
        assertThat(EtcdServer.shared().endpoint()).isNotBlank();
    }
}
