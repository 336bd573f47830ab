package io.kube4j.security.pki;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** A certificate with its private key: what a server serves with or a client authenticates with. */
public record CertificateAndKey(X509Certificate certificate, PrivateKey key) {

    public CertificateAndKey {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
    }

    public String certificatePem() {
        return PemFiles.encodeCertificate(certificate);
    }

    public String keyPem() {
        return PemFiles.encodePrivateKey(key);
    }

    /** Writes the PKCS#8 key and the certificate as PEM, both 0600, each file replaced atomically (a reloading
     * reader that catches the new key with the old certificate sees them not match and waits for the certificate). */
    public void write(Path certFile, Path keyFile) {
        PemFiles.writePrivate(keyFile, keyPem());
        PemFiles.writePrivate(certFile, certificatePem());
    }

    public static CertificateAndKey read(Path certFile, Path keyFile) {
        return new CertificateAndKey(PemFiles.readCertificate(certFile), PemFiles.readPrivateKey(keyFile));
    }

    public Instant notBefore() {
        return certificate.getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    /**
     * True when less than a third of the certificate's lifetime is left at {@code now} (or it has expired, or is not
     * yet valid): the point where kube4j re-issues it, well before it expires.
     */
    public boolean needsRotation(Instant now) {
        Duration lifetime = Duration.between(notBefore(), notAfter());
        Duration left = Duration.between(now, notAfter());
        return now.isBefore(notBefore()) || left.multipliedBy(3).compareTo(lifetime) < 0;
    }

    /** True when the key is the certificate's: signs a random message with it and verifies with the certificate. */
    public boolean keyMatches() {
        try {
            byte[] msg = new byte[32];
            new SecureRandom().nextBytes(msg);
            String alg = KeyPairs.signatureAlgorithm(key);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(msg);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(certificate.getPublicKey());
            v.update(msg);
            return v.verify(sig);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
