package io.kube4j.security.tls;

import io.kube4j.security.pki.CertificateAndKey;
import io.kube4j.security.pki.PemFiles;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A key manager holding one certificate chain and key from PEM files, read again when the files change (rotation
 * without restart), for servers and clients alike. As a client it offers its certificate whatever issuers the server
 * names: the server decides (Kubernetes answers 401 to a certificate it does not trust).
 */
public final class ReloadingPemKeyManager extends X509ExtendedKeyManager {

    static final String ALIAS = "kube4j";
    /** How often, at most, the files are checked for changes. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(1);

    /** One reading of the files; its alias names the generation, so that the chain and the key JSSE asks for
     * after choosing an alias are from the same reading even when the files change between the two calls. */
    private record Material(String alias, List<X509Certificate> chain, PrivateKey key) {
    }

    private final ReloadingFiles<Material> material;
    private final AtomicLong generation = new AtomicLong();
    private volatile Material previous;
    private volatile Material latest;

    public ReloadingPemKeyManager(Path certFile, Path keyFile, Duration checkInterval, Clock clock) {
        this.material = new ReloadingFiles<>(List.of(certFile, keyFile), () -> {
            List<X509Certificate> chain = PemFiles.readCertificates(certFile);
            PrivateKey key = PemFiles.readPrivateKey(keyFile);
            if (!new CertificateAndKey(chain.get(0), key).keyMatches()) {
                throw new IllegalStateException(keyFile + " is not the key of " + certFile
                        + " (yet: one of them is being replaced)");
            }
            Material m = new Material(ALIAS + "-" + generation.incrementAndGet(), chain, key);
            previous = latest;
            latest = m;
            return m;
        }, checkInterval, clock);
    }

    public ReloadingPemKeyManager(Path certFile, Path keyFile) {
        this(certFile, keyFile, DEFAULT_CHECK_INTERVAL, Clock.systemUTC());
    }

    /** The certificate (and key) served now. */
    public CertificateAndKey current() {
        Material m = material.get();
        return new CertificateAndKey(m.chain().get(0), m.key());
    }

    private boolean matches(String keyType) {
        if (keyType == null) {
            return false;
        }
        String alg = material.get().key().getAlgorithm();
        return keyType.equals(alg) || keyType.startsWith(alg + "_") || ("EC".equals(alg) && keyType.equals("ECDSA"));
    }

    private String aliasFor(String[] keyTypes) {
        if (keyTypes == null) {
            return null;
        }
        for (String t : keyTypes) {
            if (matches(t)) {
                return material.get().alias();
            }
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return matches(keyType) ? new String[] {material.get().alias()} : null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return aliasFor(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return matches(keyType) ? new String[] {material.get().alias()} : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return matches(keyType) ? material.get().alias() : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return matches(keyType) ? material.get().alias() : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Material m = byAlias(alias);
        return m == null ? null : m.chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Material m = byAlias(alias);
        return m == null ? null : m.key();
    }

    private Material byAlias(String alias) {
        Material m = material.get();
        if (m.alias().equals(alias)) {
            return m;
        }
        Material p = previous;
        if (p != null && p.alias().equals(alias)) {
            return p;
        }
        return null;
    }
}
