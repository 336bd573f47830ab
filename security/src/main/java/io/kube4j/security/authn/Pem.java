package io.kube4j.security.authn;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Reads the PEM objects the authenticators need (certificates, RSA/EC keys in PKCS#1, PKCS#8 or SPKI form). */
public final class Pem {

    private Pem() {
    }

    public static List<X509Certificate> certificates(byte[] pem) {
        List<X509Certificate> out = new ArrayList<>();
        for (Object o : objects(pem)) {
            if (o instanceof X509CertificateHolder h) {
                try {
                    out.add(new JcaX509CertificateConverter().getCertificate(h));
                } catch (CertificateException e) {
                    throw new IllegalArgumentException("bad certificate in PEM: " + e.getMessage(), e);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no certificate in PEM data");
        }
        return out;
    }

    /** The key pair of a PEM private key (the public half is derived for PKCS#8 RSA keys). */
    public static KeyPair keyPair(byte[] pem) {
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        try {
            for (Object o : objects(pem)) {
                if (o instanceof PEMKeyPair kp) {
                    return conv.getKeyPair(kp);
                }
                if (o instanceof PrivateKeyInfo pki) {
                    PrivateKey priv = conv.getPrivateKey(pki);
                    return new KeyPair(derivePublic(priv), priv);
                }
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("bad private key in PEM: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("no private key in PEM data");
    }

    /** Every public key in the PEM data: PUBLIC KEY blocks, the public half of private keys, certificates' keys. */
    public static List<PublicKey> publicKeys(byte[] pem) {
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        List<PublicKey> out = new ArrayList<>();
        try {
            for (Object o : objects(pem)) {
                if (o instanceof SubjectPublicKeyInfo spki) {
                    out.add(conv.getPublicKey(spki));
                } else if (o instanceof PEMKeyPair kp) {
                    out.add(conv.getPublicKey(kp.getPublicKeyInfo()));
                } else if (o instanceof PrivateKeyInfo pki) {
                    out.add(derivePublic(conv.getPrivateKey(pki)));
                } else if (o instanceof X509CertificateHolder h) {
                    out.add(conv.getPublicKey(h.getSubjectPublicKeyInfo()));
                }
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("bad key in PEM: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no public key in PEM data");
        }
        return out;
    }

    private static PublicKey derivePublic(PrivateKey priv) throws java.security.GeneralSecurityException {
        if (priv instanceof java.security.interfaces.RSAPrivateCrtKey rsa) {
            return java.security.KeyFactory.getInstance("RSA").generatePublic(
                    new java.security.spec.RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        }
        throw new IllegalArgumentException("a PKCS#8 " + priv.getAlgorithm()
                + " key needs its public key beside it; use an RSA key or a PKCS#1/SEC1 key pair");
    }

    private static List<Object> objects(byte[] pem) {
        List<Object> out = new ArrayList<>();
        try (PEMParser p = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                out.add(o);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("bad PEM data: " + e.getMessage(), e);
        }
        return out;
    }
}
