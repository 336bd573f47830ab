package io.kube4j.security.tls;

import io.kube4j.security.pki.CertificateAndKey;
import io.kube4j.security.pki.CertificateAuthority;
import io.kube4j.security.pki.CertificateSpec;
import io.kube4j.security.pki.PemFiles;
import io.kube4j.security.pki.SubjectAltNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real TLS handshakes over loopback between the key and trust managers of this package. */
class TlsHandshakeTest {

    @TempDir
    Path tmp;

    private final CertificateAuthority ca = CertificateAuthority.create("test-ca");
    private SSLServerSocket server;

    @AfterEach
    void close() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private Path write(String name, CertificateAndKey ck) {
        ck.write(tmp.resolve(name + ".crt"), tmp.resolve(name + ".key"));
        return tmp.resolve(name + ".crt");
    }

    private ReloadingPemKeyManager keys(String name) {
        return new ReloadingPemKeyManager(tmp.resolve(name + ".crt"), tmp.resolve(name + ".key"), Duration.ZERO,
                Clock.systemUTC());
    }

    /** Starts a server that answers each connection with the CN of the client's certificate ("-" when none). */
    private int serve(SSLContext ctx, boolean need) throws Exception {
        server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress());
        if (need) {
            server.setNeedClientAuth(true);
        } else {
            server.setWantClientAuth(true);
        }
        CompletableFuture.runAsync(() -> {
            while (!server.isClosed()) {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.startHandshake();
                    var peer = s.getSession();
                    String cn;
                    try {
                        cn = SubjectAltNames.commonName((X509Certificate) peer.getPeerCertificates()[0]);
                    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                        cn = "-";
                    }
                    s.getOutputStream().write((cn + "\n").getBytes());
                } catch (Exception ignored) {
                    // a refused handshake; the client sees it
                }
            }
        });
        return server.getLocalPort();
    }

    private String call(int port, ReloadingPemKeyManager clientKeys, List<X509Certificate> seen) throws Exception {
        SSLContext ctx = TlsContexts.sslContext(clientKeys, TlsTrust.server(tmp.resolve("ca.crt")));
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.setSoTimeout(10_000);
            s.startHandshake();
            seen.add((X509Certificate) s.getSession().getPeerCertificates()[0]);
            return new String(s.getInputStream().readAllBytes()).trim();
        }
    }

    @Test
    void anyClientChainIsAcceptedAndTheServerCertificateRotatesWithoutRestart() throws Exception {
        PemFiles.writePrivate(tmp.resolve("ca.crt"), PemFiles.encodeCertificate(ca.certificate()));
        write("server", ca.issue(CertificateSpec.server("srv", List.of("127.0.0.1"))));
        write("alice", ca.issue(CertificateSpec.client("alice")));
        write("mallory", CertificateAuthority.create("other").issue(CertificateSpec.client("mallory")));
        ReloadingPemKeyManager serverKeys = keys("server");
        int port = serve(TlsContexts.sslContext(serverKeys, TlsTrust.acceptAnyClient(tmp.resolve("ca.crt"))), false);

        List<X509Certificate> seen = new java.util.ArrayList<>();
        assertThat(call(port, keys("alice"), seen)).isEqualTo("alice");
        assertThat(call(port, keys("mallory"), seen)).as("a foreign chain passes the TLS layer").isEqualTo("mallory");
        assertThat(call(port, null, seen)).isEqualTo("-");

        write("server", ca.issue(CertificateSpec.server("srv-rotated", List.of("127.0.0.1"))));
        assertThat(call(port, keys("alice"), seen)).isEqualTo("alice");
        assertThat(SubjectAltNames.commonName(seen.get(0))).isEqualTo("srv");
        assertThat(SubjectAltNames.commonName(seen.get(seen.size() - 1))).isEqualTo("srv-rotated");
    }

    @Test
    void theClientChecksTheServerNameAndCa() throws Exception {
        PemFiles.writePrivate(tmp.resolve("ca.crt"), PemFiles.encodeCertificate(ca.certificate()));
        write("server", ca.issue(CertificateSpec.server("srv", List.of("10.9.9.9"))));
        int port = serve(TlsContexts.sslContext(keys("server"), TlsTrust.acceptAnyClient(null)), false);
        assertThatThrownBy(() -> call(port, null, new java.util.ArrayList<>()))
                .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("127.0.0.1");
    }

    @Test
    void requireClientRefusesMissingForeignAndUnlistedCertificates() throws Exception {
        PemFiles.writePrivate(tmp.resolve("ca.crt"), PemFiles.encodeCertificate(ca.certificate()));
        write("server", ca.issue(CertificateSpec.server("node", List.of("127.0.0.1"))));
        write("apiserver", ca.issue(CertificateSpec.client("kube-apiserver-kubelet-client")));
        write("admin", ca.issue(CertificateSpec.client("admin", "system:masters")));
        write("mallory", CertificateAuthority.create("test-ca").issue(CertificateSpec.client(
                "kube-apiserver-kubelet-client")));
        int port = serve(TlsContexts.sslContext(keys("server"),
                TlsTrust.requireClient(tmp.resolve("ca.crt"), Set.of("kube-apiserver-kubelet-client"))), true);
        List<X509Certificate> seen = new java.util.ArrayList<>();
        assertThat(call(port, keys("apiserver"), seen)).isEqualTo("kube-apiserver-kubelet-client");
        for (String refused : List.of("admin", "mallory")) {
            assertThatThrownBy(() -> call(port, keys(refused), seen)).as(refused)
                    .isInstanceOf(java.io.IOException.class);
        }
        assertThatThrownBy(() -> call(port, null, seen)).isInstanceOf(java.io.IOException.class);
    }
}
