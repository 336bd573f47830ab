package io.kube4j.apiserver.storage.encryption;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * One AES key of an {@code aesgcm} or {@code aescbc} provider, in Kubernetes' format:
 * {@code k8s:enc:aesgcm:v1:<name>:} + nonce(12) + ciphertext and tag (the storage key is the additional
 * authenticated data), or {@code k8s:enc:aescbc:v1:<name>:} + IV(16) + PKCS#7-padded ciphertext.
 */
final class AesProvider implements ValueTransformer {

    enum Mode { GCM, CBC }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Mode mode;
    private final String name;
    private final SecretKeySpec key;
    private final byte[] prefix;

    AesProvider(Mode mode, String name, byte[] secret) {
        if (secret.length != 16 && secret.length != 24 && secret.length != 32) {
            throw new EncryptionException("key " + name + ": an AES key must be 16, 24 or 32 bytes, got " + secret.length);
        }
        this.mode = mode;
        this.name = name;
        this.key = new SecretKeySpec(secret, "AES");
        this.prefix = ("k8s:enc:" + (mode == Mode.GCM ? "aesgcm" : "aescbc") + ":v1:" + name + ":")
                .getBytes(StandardCharsets.UTF_8);
    }

    String name() {
        return name;
    }

    /** Whether {@code stored} was written by this key. */
    boolean matches(byte[] stored) {
        return stored.length >= prefix.length && Arrays.equals(stored, 0, prefix.length, prefix, 0, prefix.length);
    }

    @Override
    public byte[] toStorage(byte[] plain, String storageKey) {
        try {
            byte[] iv = new byte[mode == Mode.GCM ? 12 : 16];
            RANDOM.nextBytes(iv);
            Cipher c = cipher(Cipher.ENCRYPT_MODE, iv, storageKey);
            byte[] sealed = c.doFinal(plain);
            byte[] out = new byte[prefix.length + iv.length + sealed.length];
            System.arraycopy(prefix, 0, out, 0, prefix.length);
            System.arraycopy(iv, 0, out, prefix.length, iv.length);
            System.arraycopy(sealed, 0, out, prefix.length + iv.length, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new EncryptionException("encrypting " + storageKey + " with key " + name + " failed", e);
        }
    }

    @Override
    public byte[] fromStorage(byte[] stored, String storageKey) {
        int ivLen = mode == Mode.GCM ? 12 : 16;
        if (stored.length < prefix.length + ivLen) {
            throw new EncryptionException("the data stored at " + storageKey + " is too short for key " + name);
        }
        try {
            byte[] iv = Arrays.copyOfRange(stored, prefix.length, prefix.length + ivLen);
            Cipher c = cipher(Cipher.DECRYPT_MODE, iv, storageKey);
            return c.doFinal(stored, prefix.length + ivLen, stored.length - prefix.length - ivLen);
        } catch (GeneralSecurityException e) {
            throw new EncryptionException("the data stored at " + storageKey + " cannot be decrypted with key " + name, e);
        }
    }

    @Override
    public boolean isStale(byte[] stored) {
        return !matches(stored);
    }

    private Cipher cipher(int opmode, byte[] iv, String storageKey) throws GeneralSecurityException {
        if (mode == Mode.GCM) {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(opmode, key, new GCMParameterSpec(128, iv));
            c.updateAAD(storageKey.getBytes(StandardCharsets.UTF_8));
            return c;
        }
        Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
        c.init(opmode, key, new IvParameterSpec(iv));
        return c;
    }
}
