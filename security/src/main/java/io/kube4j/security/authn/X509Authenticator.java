package io.kube4j.security.authn;

import io.kube4j.security.UserInfo;
import io.kube4j.security.pki.PemFiles;
import io.kube4j.security.tls.ReloadingFiles;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Kubernetes' x509 client-certificate authenticator: the peer chain must verify (PKIX: signatures, validity
 * dates, CA constraints, client-auth key usage) against the client CA bundle, reloaded when its file changes;
 * the leaf's CN is the user name and its O values the groups. No certificate, or one without a CN, is no
 * opinion; a certificate that does not verify is an {@link AuthenticationException}.
 */
public final class X509Authenticator {

    /** User extra key carrying {@code X509SHA256=<leaf fingerprint>}, as Kubernetes sets it. */
    public static final String CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_EKU = "2.5.29.37.0";

    private final Supplier<List<X509Certificate>> roots;
    private final Clock clock;

    public X509Authenticator(Supplier<List<X509Certificate>> roots, Clock clock) {
        this.roots = roots;
        this.clock = clock;
    }

    /** Verifies against the PEM bundle at {@code caFile}, re-read when it changes. */
    public static X509Authenticator fromCaFile(Path caFile) {
        return new X509Authenticator(new ReloadingFiles<>(List.of(caFile), () -> readCaBundle(caFile),
                Duration.ofSeconds(1), Clock.systemUTC()), Clock.systemUTC());
    }

    /** The certificates of a PEM CA bundle; an error (so a reload keeps the previous bundle) when it holds none. */
    public static List<X509Certificate> readCaBundle(Path caFile) {
        List<X509Certificate> certs = PemFiles.readCertificates(caFile);
        if (certs.isEmpty()) {
            throw new IllegalArgumentException("no certificate in " + caFile);
        }
        return certs;
    }

    /** The user named by a verified chain; empty when no certificate was presented or its CN is empty. */
    public Optional<UserInfo> authenticate(X509Certificate[] chain) {
        return verify(chain).map(leaf -> {
            List<String> groups = io.kube4j.security.pki.SubjectAltNames.organizations(leaf);
            return new UserInfo(io.kube4j.security.pki.SubjectAltNames.commonName(leaf), "", groups,
                    Map.of(CREDENTIAL_ID, List.of("X509SHA256=" + fingerprint(leaf))));
        }).filter(u -> !u.name().isEmpty());
    }

    /**
     * The leaf of {@code chain} once the chain verifies against the roots (empty when there is no chain);
     * used by the front-proxy authenticator too.
     */
    public Optional<X509Certificate> verify(X509Certificate[] chain) {
        if (chain == null || chain.length == 0) {
            return Optional.empty();
        }
        X509Certificate leaf = chain[0];
        List<X509Certificate> trusted = roots.get();
        Set<TrustAnchor> anchors = new HashSet<>();
        for (X509Certificate c : trusted) {
            anchors.add(new TrustAnchor(c, null));
        }
        if (anchors.isEmpty()) {
            throw new AuthenticationException("x509: no client CA configured");
        }
        checkClientAuthUsage(leaf);
        // the path the client sent, without a root it may have appended (anchors are never part of the path)
        List<X509Certificate> path = new ArrayList<>(Arrays.asList(chain));
        while (path.size() > 1 && isSelfSigned(path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        try {
            CertPath cp = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX").validate(cp, params);
            return Optional.of(leaf);
        } catch (CertPathValidatorException e) {
            throw new AuthenticationException(describe(e, leaf), e);
        } catch (java.security.GeneralSecurityException e) {
            throw new AuthenticationException("x509: cannot verify the client certificate: " + e.getMessage(), e);
        }
    }

    private String describe(CertPathValidatorException e, X509Certificate leaf) {
        CertPathValidatorException.Reason r = e.getReason();
        if (r == CertPathValidatorException.BasicReason.EXPIRED || r == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
            return "x509: certificate has expired or is not yet valid: current time " + clock.instant()
                    + " is outside " + leaf.getNotBefore().toInstant() + " - " + leaf.getNotAfter().toInstant();
        }
        if (r == CertPathValidatorException.BasicReason.INVALID_SIGNATURE || r == CertPathValidatorException.BasicReason.UNSPECIFIED
                || r == java.security.cert.PKIXReason.NO_TRUST_ANCHOR) {
            return "x509: certificate signed by unknown authority";
        }
        return "x509: " + e.getMessage();
    }

    private static void checkClientAuthUsage(X509Certificate leaf) {
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku != null && !eku.contains(CLIENT_AUTH) && !eku.contains(ANY_EKU)) {
                throw new AuthenticationException("x509: certificate specifies an incompatible key usage");
            }
        } catch (java.security.cert.CertificateParsingException e) {
            throw new AuthenticationException("x509: bad extended key usage: " + e.getMessage(), e);
        }
    }

    private static boolean isSelfSigned(X509Certificate c) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
            return false;
        }
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    static String fingerprint(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (CertificateEncodingException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
