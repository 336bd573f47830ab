package io.kube4j.apiserver.testsupport;

import io.kube4j.security.pki.CertificateAndKey;
import io.kube4j.security.pki.CertificateAuthority;
import io.kube4j.security.pki.CertificateSpec;
import io.kube4j.security.pki.ClusterPki;
import io.kube4j.security.pki.KubeconfigWriter;
import io.kube4j.security.pki.PemFiles;
import io.kube4j.security.tls.ReloadingPemKeyManager;
import io.kube4j.security.tls.TlsContexts;
import io.kube4j.security.tls.TlsTrust;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster PKI in a temporary directory, made with kube4j's own PKI library, for tests of the secure apiserver:
 * the cluster CA and the apiserver's serving certificate, the admin and kubelet-client certificates, the front-proxy
 * CA and client, the ServiceAccount key pair, and any client certificate a test asks for (valid, expired, or from a
 * foreign CA), static token files, and kubeconfigs for kubectl and kube4j's client.
 */
public final class TestPki {

    /** A client identity on disk: certificate and key files (PEM), or a bearer token. */
    public record Credential(String name, Path certFile, Path keyFile, String token) {
        public static Credential token(String token) {
            return new Credential("token", null, null, token);
        }

        /** No credentials: an anonymous request (TLS only). */
        public static Credential anonymous() {
            return new Credential("anonymous", null, null, null);
        }

        public boolean hasCertificate() {
            return certFile != null;
        }

        public CertificateAndKey certificate() {
            return certFile == null ? null : CertificateAndKey.read(certFile, keyFile);
        }

        public byte[] certificatePem() {
            return read(certFile);
        }

        public byte[] keyPem() {
            return read(keyFile);
        }
    }

    /** One line of a static token file: {@code token,user,uid,"group1,group2"}. */
    public record StaticToken(String token, String user, String uid, List<String> groups) {
        public String line() {
            return token + "," + user + "," + uid + (groups.isEmpty() ? "" : ",\"" + String.join(",", groups) + "\"");
        }
    }

    private static TestPki shared;

    private final Path dir;
    private final ClusterPki pki;
    private final CertificateAuthority foreignCa;
    private final AtomicInteger counter = new AtomicInteger();

    private TestPki(Path dir) {
        this.dir = dir;
        this.pki = ClusterPki.ensure(dir.resolve("pki"), ClusterPki.Spec.of("https://127.0.0.1")
                .withNodes(List.of("node-a")));
        this.foreignCa = CertificateAuthority.create("kube4j-ca"); // same name as the cluster CA, different key
    }

    /** A new PKI in a new temporary directory (deleted with the JVM's temp files, never reused). */
    public static TestPki create() {
        try {
            return new TestPki(Files.createTempDirectory("kube4j-pki-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One PKI per JVM (the one {@link ApiServerInstance#secureShared()} serves with). */
    public static synchronized TestPki shared() {
        if (shared == null) {
            shared = create();
        }
        return shared;
    }

    public Path dir() {
        return dir;
    }

    public ClusterPki clusterPki() {
        return pki;
    }

    public CertificateAuthority ca() {
        return pki.ca();
    }

    public Path caFile() {
        return pki.caCertFile();
    }

    public byte[] caPem() {
        return read(caFile());
    }

    public Path apiserverCertFile() {
        return pki.certFile(ClusterPki.APISERVER);
    }

    public Path apiserverKeyFile() {
        return pki.keyFile(ClusterPki.APISERVER);
    }

    public Path frontProxyCaFile() {
        return pki.certFile(ClusterPki.FRONT_PROXY_CA);
    }

    public Path serviceAccountKeyFile() {
        return pki.serviceAccountKeyFile();
    }

    public Path serviceAccountPublicKeyFile() {
        return pki.serviceAccountPublicKeyFile();
    }

    /** CN=kube4j-admin, O=system:masters. */
    public Credential admin() {
        return stored(ClusterPki.ADMIN);
    }

    /** The apiserver's client certificate for node agents (CN=kube-apiserver-kubelet-client). */
    public Credential kubeletClient() {
        return stored(ClusterPki.APISERVER_KUBELET_CLIENT);
    }

    /** The front proxy's client certificate (CN=front-proxy-client, signed by the front-proxy CA). */
    public Credential frontProxyClient() {
        return stored(ClusterPki.FRONT_PROXY_CLIENT);
    }

    /** node-a's client certificate (CN=system:node:node-a, O=system:nodes). */
    public Credential node() {
        return stored(ClusterPki.nodeFile("node-a"));
    }

    public Credential nodeServing() {
        return stored(ClusterPki.nodeServingFile("node-a"));
    }

    /** The api-gateway's serving certificate (CN=kube4j-gateway, SANs localhost, 127.0.0.1). */
    public Credential gatewayServing() {
        return stored(ClusterPki.GATEWAY);
    }

    /** The api-gateway's own client identity for its lookups (CN=system:kube4j-gateway, no group). */
    public Credential gatewayClient() {
        return stored(ClusterPki.GATEWAY_CLIENT);
    }

    private Credential stored(String name) {
        return new Credential(name, pki.certFile(name), pki.keyFile(name), null);
    }

    /** A new client certificate of the cluster CA: CN = user, O = groups. */
    public Credential clientCert(String cn, String... orgs) {
        return write(cn, pki.ca().issue(CertificateSpec.client(cn, orgs)));
    }

    /** A client certificate of the cluster CA that expired an hour ago. */
    public Credential expiredClientCert(String cn, String... orgs) {
        Instant now = Instant.now();
        return write(cn, pki.ca().issue(CertificateSpec.client(cn, orgs), now.minus(Duration.ofDays(2)),
                now.minus(Duration.ofHours(1))));
    }

    /** A client certificate of a foreign CA (same CA name as the cluster's, different key). */
    public Credential foreignClientCert(String cn, String... orgs) {
        return write(cn, foreignCa.issue(CertificateSpec.client(cn, orgs)));
    }

    /** A client certificate of the front-proxy CA (not a valid user certificate: wrong CA for users). */
    public Credential frontProxyCert(String cn) {
        return write(cn, pki.frontProxyCa().issue(CertificateSpec.client(cn)));
    }

    private Credential write(String cn, CertificateAndKey ck) {
        String base = cn.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + counter.incrementAndGet();
        Path crt = dir.resolve("clients").resolve(base + ".crt");
        Path key = dir.resolve("clients").resolve(base + ".key");
        ck.write(crt, key);
        return new Credential(cn, crt, key, null);
    }

    /** Writes a static token file ({@code kube4j.apiserver.authentication.token-file}). */
    public Path tokenFile(StaticToken... tokens) {
        List<String> lines = new ArrayList<>();
        for (StaticToken t : tokens) {
            lines.add(t.line());
        }
        Path f = dir.resolve("tokens-" + counter.incrementAndGet() + ".csv");
        PemFiles.writePrivate(f, String.join("\n", lines) + "\n");
        return f;
    }

    /**
     * The apiserver properties of a secure instance: TLS (serving certificate, client CA), the ServiceAccount key
     * pair, and the front-proxy CA with its allowed client name.
     */
    public List<String> apiServerProperties() {
        return List.of(
                "kube4j.apiserver.tls.cert-file=" + apiserverCertFile(),
                "kube4j.apiserver.tls.key-file=" + apiserverKeyFile(),
                "kube4j.apiserver.tls.client-ca-file=" + caFile(),
                "kube4j.apiserver.tls.reload-check-interval=200ms",
                "kube4j.apiserver.authentication.service-account.key-file=" + serviceAccountKeyFile(),
                "kube4j.apiserver.authentication.service-account.public-key-files=" + serviceAccountPublicKeyFile(),
                "kube4j.apiserver.authentication.requestheader.client-ca-file=" + frontProxyCaFile(),
                "kube4j.apiserver.authentication.requestheader.allowed-names=" + ClusterPki.FRONT_PROXY_CLIENT_CN);
    }

    /** A TLS context that trusts the cluster CA and presents {@code who}'s certificate (if it has one). */
    public SSLContext sslContext(Credential who) {
        return TlsContexts.sslContext(who != null && who.hasCertificate()
                ? new ReloadingPemKeyManager(who.certFile(), who.keyFile()) : null, TlsTrust.server(caFile()));
    }

    /** A kubeconfig for {@code server} as {@code who} (certificate paths or token), CA by path. */
    public Path kubeconfig(String server, Credential who) {
        KubeconfigWriter w = KubeconfigWriter.forServer(server).user(who.name()).caFile(caFile());
        if (who.hasCertificate()) {
            w.clientCertificateFiles(who.certFile(), who.keyFile());
        }
        if (who.token() != null) {
            w.token(who.token());
        }
        Path f = dir.resolve("kubeconfigs").resolve(who.name().replaceAll("[^A-Za-z0-9.-]", "_") + "-"
                + counter.incrementAndGet() + ".kubeconfig");
        w.write(f);
        return f;
    }

    private static byte[] read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII).getBytes(StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
