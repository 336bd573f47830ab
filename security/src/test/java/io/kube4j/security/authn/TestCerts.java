package io.kube4j.security.authn;

import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/** Certificates for the authenticator unit tests: a CA and leaves with chosen names, dates and key usages. */
final class TestCerts {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    record Issued(X509Certificate cert, KeyPair key) {
    }

    private TestCerts() {
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Issued ca(String cn) {
        KeyPair k = rsa();
        return new Issued(build(cn, new String[0], k, k, null, Instant.now().minusSeconds(3600),
                Instant.now().plusSeconds(86400), true, null), k);
    }

    static Issued client(Issued ca, String cn, String... orgs) {
        return leaf(ca, cn, orgs, Instant.now().minusSeconds(3600), Instant.now().plusSeconds(86400), KeyPurposeId.id_kp_clientAuth);
    }

    static Issued leaf(Issued ca, String cn, String[] orgs, Instant notBefore, Instant notAfter, KeyPurposeId eku) {
        KeyPair k = rsa();
        return new Issued(build(cn, orgs, k, ca.key(), ca.cert(), notBefore, notAfter, false, eku), k);
    }

    private static X509Certificate build(String cn, String[] orgs, KeyPair subject, KeyPair issuerKey,
                                         X509Certificate issuer, Instant notBefore, Instant notAfter, boolean isCa,
                                         KeyPurposeId eku) {
        try {
            X500NameBuilder nb = new X500NameBuilder(BCStyle.INSTANCE);
            for (String o : orgs) {
                nb.addRDN(BCStyle.O, o);
            }
            nb.addRDN(BCStyle.CN, cn);
            var name = nb.build();
            var issuerName = issuer == null ? name
                    : org.bouncycastle.asn1.x500.X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), name,
                    subject.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(isCa ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            if (eku != null) {
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(Object... objects) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            for (Object o : objects) {
                p.writeObject(o);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }
}
