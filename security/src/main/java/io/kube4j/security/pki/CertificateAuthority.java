package io.kube4j.security.pki;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/** A certificate authority: its self-signed certificate and key, and the issuing of leaf certificates. */
public final class CertificateAuthority {

    /** The default lifetime of a CA (Kubernetes' kubeadm: ten years). */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(3650);
    /** Certificates start this long before their issue time, so that a peer whose clock is a little behind accepts
     * them. */
    static final Duration BACKDATE = Duration.ofMinutes(5);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final CertificateAndKey ca;
    private final Clock clock;

    public CertificateAuthority(CertificateAndKey ca, Clock clock) {
        if (ca.certificate().getBasicConstraints() < 0) {
            throw new IllegalArgumentException("certificate " + ca.certificate().getSubjectX500Principal()
                    + " is not a CA certificate");
        }
        this.ca = ca;
        this.clock = clock;
    }

    public CertificateAuthority(CertificateAndKey ca) {
        this(ca, Clock.systemUTC());
    }

    /** A new self-signed CA with an RSA-2048 key (kubeadm's default). */
    public static CertificateAuthority create(String commonName, Duration validity, Clock clock) {
        KeyPair kp = KeyPairs.rsa(2048);
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), name, kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(kp.getPublic()));
            return new CertificateAuthority(new CertificateAndKey(sign(b, kp.getPrivate()), kp.getPrivate()), clock);
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create CA " + commonName + ": " + e.getMessage(), e);
        }
    }

    public static CertificateAuthority create(String commonName) {
        return create(commonName, DEFAULT_VALIDITY, Clock.systemUTC());
    }

    public static CertificateAuthority read(Path certFile, Path keyFile, Clock clock) {
        return new CertificateAuthority(CertificateAndKey.read(certFile, keyFile), clock);
    }

    public CertificateAndKey credentials() {
        return ca;
    }

    public X509Certificate certificate() {
        return ca.certificate();
    }

    /** Issues a leaf certificate with a new RSA-2048 key, valid from now for {@code spec.validity()}. */
    public CertificateAndKey issue(CertificateSpec spec) {
        Instant now = clock.instant();
        return issue(spec, now.minus(BACKDATE), now.plus(spec.validity()));
    }

    /** Issues a leaf certificate valid from {@code notBefore} to {@code notAfter} (tests make expired ones). */
    public CertificateAndKey issue(CertificateSpec spec, Instant notBefore, Instant notAfter) {
        // RSA-2048, as kubeadm: every Kubernetes client reads RSA keys from a kubeconfig, while some (fabric8's
        // KubernetesClient unless told the key algorithm) fail on EC keys
        KeyPair kp = KeyPairs.rsa(2048);
        return new CertificateAndKey(issue(spec, kp.getPublic(), notBefore, notAfter), kp.getPrivate());
    }

    /** Signs a certificate for {@code publicKey}. The leaf never outlives the CA. */
    public X509Certificate issue(CertificateSpec spec, PublicKey publicKey, Instant notBefore, Instant notAfter) {
        Instant caEnd = ca.notAfter();
        if (notAfter.isAfter(caEnd)) {
            notAfter = caEnd;
        }
        X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
        for (String o : spec.organizations()) {
            subject.addRDN(BCStyle.O, o);
        }
        subject.addRDN(BCStyle.CN, spec.commonName());
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(), serial(),
                    Date.from(notBefore), Date.from(notAfter), subject.build(), publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature
                            | ("RSA".equals(publicKey.getAlgorithm()) ? KeyUsage.keyEncipherment : 0)))
                    .addExtension(Extension.extendedKeyUsage, false, extendedKeyUsage(spec))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(ca.certificate()))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey));
            List<GeneralName> sans = new ArrayList<>();
            spec.dnsNames().forEach(d -> sans.add(new GeneralName(GeneralName.dNSName, d)));
            spec.ipAddresses().forEach(ip -> sans.add(new GeneralName(GeneralName.iPAddress, ip)));
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            return sign(b, ca.key());
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue certificate for " + spec.commonName() + ": "
                    + e.getMessage(), e);
        }
    }

    /** True when {@code cert} carries this CA's signature. */
    public boolean signed(X509Certificate cert) {
        try {
            cert.verify(ca.certificate().getPublicKey());
            return cert.getIssuerX500Principal().equals(ca.certificate().getSubjectX500Principal());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static ExtendedKeyUsage extendedKeyUsage(CertificateSpec spec) {
        List<KeyPurposeId> ids = new ArrayList<>();
        if (spec.usages().contains(CertificateSpec.Usage.SERVER)) {
            ids.add(KeyPurposeId.id_kp_serverAuth);
        }
        if (spec.usages().contains(CertificateSpec.Usage.CLIENT)) {
            ids.add(KeyPurposeId.id_kp_clientAuth);
        }
        return new ExtendedKeyUsage(ids.toArray(KeyPurposeId[]::new));
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder(KeyPairs.signatureAlgorithm(key)).build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }
}
