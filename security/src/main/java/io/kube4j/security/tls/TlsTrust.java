package io.kube4j.security.tls;

import io.kube4j.security.pki.PemFiles;
import io.kube4j.security.pki.SubjectAltNames;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** Trust managers from PEM CA bundles (read again when the file changes), for the three ways kube4j trusts peers. */
public final class TlsTrust {

    private TlsTrust() {
    }

    /** The JDK's PKIX trust manager for the CA certificates of a PEM bundle. */
    public static X509ExtendedTrustManager pkix(List<X509Certificate> cas) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (X509Certificate c : cas) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            for (var tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("no X509ExtendedTrustManager from " + tmf.getAlgorithm());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a trust manager: " + e.getMessage(), e);
        }
    }

    private static Supplier<X509ExtendedTrustManager> reloading(Path caFile) {
        return new ReloadingFiles<>(List.of(caFile), () -> pkix(PemFiles.readCertificates(caFile)),
                ReloadingPemKeyManager.DEFAULT_CHECK_INTERVAL, Clock.systemUTC());
    }

    /**
     * For a server that REQUESTS client certificates and accepts any chain at the TLS layer, as kube-apiserver does:
     * verifying the chain is the x509 authenticator's job, so an expired or foreign certificate gets a 401, not a
     * handshake failure. The CAs of {@code clientCaFile} are named to clients as the acceptable issuers.
     */
    public static X509ExtendedTrustManager acceptAnyClient(Path clientCaFile) {
        Supplier<X509ExtendedTrustManager> cas = clientCaFile == null ? null : reloading(clientCaFile);
        return new Base() {
            @Override
            void checkClient(X509Certificate[] chain, String authType) {
                // accepted: the authenticator decides
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return cas == null ? new X509Certificate[0] : cas.get().getAcceptedIssuers();
            }
        };
    }

    /**
     * For a server that REQUIRES a client certificate signed by {@code clientCaFile} whose CN is one of
     * {@code allowedNames} (empty: any CN): the node agent's API, which only the apiserver may call.
     */
    public static X509ExtendedTrustManager requireClient(Path clientCaFile, Set<String> allowedNames) {
        Supplier<X509ExtendedTrustManager> cas = reloading(clientCaFile);
        return new Base() {
            @Override
            void checkClient(X509Certificate[] chain, String authType) throws CertificateException {
                cas.get().checkClientTrusted(chain, authType);
                String cn = SubjectAltNames.commonName(chain[0]);
                if (!allowedNames.isEmpty() && !allowedNames.contains(cn)) {
                    throw new CertificateException("client certificate CN \"" + cn + "\" is not allowed; allowed: "
                            + allowedNames);
                }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return cas.get().getAcceptedIssuers();
            }
        };
    }

    /**
     * For a client: the server's chain must lead to a CA of {@code caFile} (read again when it changes); the JDK's
     * PKIX checks, host name verification included when the engine asks for it (HTTPS clients do).
     */
    public static X509ExtendedTrustManager server(Path caFile) {
        Supplier<X509ExtendedTrustManager> cas = reloading(caFile);
        return new X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                cas.get().checkServerTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                cas.get().checkServerTrusted(chain, authType, socket);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                cas.get().checkServerTrusted(chain, authType, engine);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("this trust manager checks servers only");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                throw new CertificateException("this trust manager checks servers only");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                throw new CertificateException("this trust manager checks servers only");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return cas.get().getAcceptedIssuers();
            }
        };
    }

    /** Funnels the socket and engine variants of a server-side (client-checking) trust manager into one check. */
    private abstract static class Base extends X509ExtendedTrustManager {
        abstract void checkClient(X509Certificate[] chain, String authType) throws CertificateException;

        void checkServer(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("this trust manager checks clients only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            checkClient(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            checkServer(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClient(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServer(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClient(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServer(chain, authType);
        }
    }
}
