package io.kube4j.security.pki;

import java.nio.file.Path;
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

    /** Writes the certificate and the PKCS#8 key as PEM, both 0600 (key first: a reader never sees a new cert
     * with the old key for longer than the gap between two renames). */
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
}
