package io.kube4j.node.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.kube4j.security.tls.ReloadingPemKeyManager;
import io.kube4j.security.tls.TlsContexts;
import io.kube4j.security.tls.TlsTrust;
import io.netty.handler.ssl.ClientAuth;
import reactor.netty.http.Http11SslContextSpec;

/**
 * The node API's serving certificate: PEM files when configured, else a self-signed one made at start for the
 * node's name, its IP, localhost and 127.0.0.1 (as a kubelet without {@code --tls-cert-file} does).
 */
public final class NodeCertificates {

    /** A key pair and its certificate. */
    public record Generated(KeyPair keyPair, X509Certificate certificate) {
    }

    private NodeCertificates() {
    }

    /** TLS settings from {@code certFile}/{@code keyFile} when both are set, else a fresh self-signed certificate. */
    public static Http11SslContextSpec serverSpec(String certFile, String keyFile, String nodeName, String nodeIp) {
        return serverSpec(certFile, keyFile, nodeName, nodeIp, null, List.of());
    }

    /**
     * {@link #serverSpec(String, String, String, String)}; with {@code clientCaFile}, a client certificate of that CA
     * whose CN is in {@code allowedClientNames} (empty: any) is required, else the handshake fails. Certificate
     * files are read again when they change.
     */
    public static Http11SslContextSpec serverSpec(String certFile, String keyFile, String nodeName, String nodeIp,
                                                  String clientCaFile, List<String> allowedClientNames) {
        boolean hasCert = certFile != null && !certFile.isBlank();
        boolean hasKey = keyFile != null && !keyFile.isBlank();
        if (hasCert != hasKey) {
            throw new IllegalArgumentException("kube4j.node.server.cert-file and key-file must be set together");
        }
        Http11SslContextSpec spec;
        if (hasCert) {
            spec = Http11SslContextSpec.forServer(TlsContexts.keyManagerFactory(
                    new ReloadingPemKeyManager(Path.of(certFile), Path.of(keyFile))));
        } else {
            Generated g = selfSigned(nodeName, nodeIp);
            spec = Http11SslContextSpec.forServer(g.keyPair().getPrivate(), g.certificate());
        }
        if (clientCaFile != null && !clientCaFile.isBlank()) {
            if (!Files.isReadable(Path.of(clientCaFile))) {
                throw new IllegalArgumentException("kube4j.node.server.client-ca-file=" + clientCaFile
                        + " is not a readable file");
            }
            var trust = TlsTrust.requireClient(Path.of(clientCaFile),
                    Set.copyOf(allowedClientNames == null ? List.of() : allowedClientNames));
            spec = spec.configure(b -> b.trustManager(trust).clientAuth(ClientAuth.REQUIRE));
        }
        return spec;
    }

    /** An ECDSA P-256 self-signed server certificate valid for a year. */
    public static Generated selfSigned(String nodeName, String nodeIp) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair kp = gen.generateKeyPair();
            Instant now = Instant.now();
            String cn = nodeName == null || nodeName.isBlank() ? "localhost" : nodeName;
            X500Name subject = new X500Name("CN=" + cn + "@" + now.getEpochSecond());
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()).abs(), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(365))), subject, kp.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans(cn, nodeIp)
                    .toArray(GeneralName[]::new)));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            return new Generated(kp, cert);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the node API's self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static List<GeneralName> sans(String nodeName, String nodeIp) {
        Set<String> dns = new LinkedHashSet<>(List.of(nodeName, "localhost"));
        Set<String> ips = new LinkedHashSet<>(List.of("127.0.0.1"));
        if (nodeIp != null && !nodeIp.isBlank()) {
            if (isIp(nodeIp)) {
                ips.add(nodeIp);
            } else {
                dns.add(nodeIp);
            }
        }
        if (isIp(nodeName)) {
            dns.remove(nodeName);
            ips.add(nodeName);
        }
        List<GeneralName> names = new ArrayList<>();
        dns.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
        ips.forEach(i -> names.add(new GeneralName(GeneralName.iPAddress, i)));
        return names;
    }

    private static boolean isIp(String s) {
        if (!s.matches("[0-9.]+") && !s.contains(":")) {
            return false;
        }
        try {
            InetAddress.getByName(s);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
