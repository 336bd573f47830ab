package io.kube4j.security.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;

/** Key pair generation: RSA-2048 for certificates and for signing ServiceAccount tokens (RS256), as kubeadm. */
public final class KeyPairs {

    private KeyPairs() {
    }

    public static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation is not available: " + e.getMessage(), e);
        }
    }

    /** The JCA signature algorithm a key of this type signs certificates with. */
    static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new IllegalArgumentException("unsupported CA key type " + key.getAlgorithm());
        };
    }
}
