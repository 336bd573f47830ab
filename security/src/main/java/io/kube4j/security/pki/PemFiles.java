package io.kube4j.security.pki;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** PEM encoding and decoding of certificates and keys (PKCS#8 private keys), and owner-only file writing. */
public final class PemFiles {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> FILE_0600 = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_0700 = PosixFilePermissions.fromString("rwx------");

    private PemFiles() {
    }

    /** The certificates as PEM {@code CERTIFICATE} blocks, in order. */
    public static String encodeCertificates(List<X509Certificate> certs) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certs) {
            try {
                sb.append(encode(new PemObject("CERTIFICATE", c.getEncoded())));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalArgumentException("cannot encode certificate: " + e.getMessage(), e);
            }
        }
        return sb.toString();
    }

    public static String encodeCertificate(X509Certificate cert) {
        return encodeCertificates(List.of(cert));
    }

    /** A private key as a PKCS#8 {@code PRIVATE KEY} block. */
    public static String encodePrivateKey(PrivateKey key) {
        return encode(new PemObject("PRIVATE KEY", key.getEncoded()));
    }

    /** A public key as an X.509 SubjectPublicKeyInfo {@code PUBLIC KEY} block (what Kubernetes' sa.pub holds). */
    public static String encodePublicKey(PublicKey key) {
        return encode(new PemObject("PUBLIC KEY", key.getEncoded()));
    }

    private static String encode(PemObject o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Every {@code CERTIFICATE} block of {@code pem}, in order; other blocks are skipped. */
    public static List<X509Certificate> decodeCertificates(String pem) {
        List<X509Certificate> out = new ArrayList<>();
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof X509CertificateHolder h) {
                    out.add((X509Certificate) cf.generateCertificate(
                            new java.io.ByteArrayInputStream(h.getEncoded())));
                }
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("not a valid PEM certificate: " + e.getMessage(), e);
        }
        return out;
    }

    /** The private key of {@code pem}: PKCS#8 ({@code PRIVATE KEY}), or PKCS#1/SEC1 ({@code RSA/EC PRIVATE KEY}). */
    public static PrivateKey decodePrivateKey(String pem) {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof PrivateKeyInfo info) {
                    return conv.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return conv.getKeyPair(pair).getPrivate();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a valid PEM private key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("no PEM private key found");
    }

    /** The public key of {@code pem} ({@code PUBLIC KEY} block, or the key of a certificate). */
    public static PublicKey decodePublicKey(String pem) {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof SubjectPublicKeyInfo info) {
                    return conv.getPublicKey(info);
                }
                if (o instanceof X509CertificateHolder h) {
                    return conv.getPublicKey(h.getSubjectPublicKeyInfo());
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a valid PEM public key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("no PEM public key found");
    }

    public static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> certs = decodeCertificates(readString(file));
        if (certs.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no PEM certificate");
        }
        return certs;
    }

    public static X509Certificate readCertificate(Path file) {
        return readCertificates(file).get(0);
    }

    public static PrivateKey readPrivateKey(Path file) {
        try {
            return decodePrivateKey(readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static PublicKey readPublicKey(Path file) {
        try {
            return decodePublicKey(readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code content} to {@code file} readable by its owner only (0600), atomically: readers (a server
     * reloading its certificate) see the old file or the new one, never half of it. A missing directory is created
     * owner-only; an existing one is left as it is.
     */
    public static void writePrivate(Path file, String content) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            if (!Files.isDirectory(dir)) {
                ensurePrivateDirectory(dir);
            }
            Path tmp = POSIX
                    ? Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(FILE_0600))
                    : Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, content, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Creates {@code dir} (and parents) if missing and makes it owner-only (0700). */
    public static void ensurePrivateDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            if (POSIX) {
                Files.setPosixFilePermissions(dir, DIR_0700);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
