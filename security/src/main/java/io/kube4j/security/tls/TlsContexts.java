package io.kube4j.security.tls;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;

/** Wraps fixed key and trust managers in the factories that Netty and Spring Boot's SSL bundles take. */
public final class TlsContexts {

    private static final Provider PROVIDER = new Provider("kube4j-tls", "1.0", "kube4j fixed managers") {
    };

    private TlsContexts() {
    }

    public static KeyManagerFactory keyManagerFactory(KeyManager km) {
        return new KeyManagerFactory(new KeyManagerFactorySpi() {
            @Override
            protected void engineInit(KeyStore ks, char[] password) {
            }

            @Override
            protected void engineInit(ManagerFactoryParameters spec) {
            }

            @Override
            protected KeyManager[] engineGetKeyManagers() {
                return new KeyManager[] {km};
            }
        }, PROVIDER, "kube4j") {
        };
    }

    public static TrustManagerFactory trustManagerFactory(TrustManager tm) {
        return new TrustManagerFactory(new TrustManagerFactorySpi() {
            @Override
            protected void engineInit(KeyStore ks) {
            }

            @Override
            protected void engineInit(ManagerFactoryParameters spec) {
            }

            @Override
            protected TrustManager[] engineGetTrustManagers() {
                return new TrustManager[] {tm};
            }
        }, PROVIDER, "kube4j") {
        };
    }

    /** A TLS {@link SSLContext} with these managers (either may be null: none / the JDK's default trust). */
    public static SSLContext sslContext(KeyManager km, TrustManager tm) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(km == null ? null : new KeyManager[] {km}, tm == null ? null : new TrustManager[] {tm}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS context: " + e.getMessage(), e);
        }
    }
}
