package io.kube4j.apiserver.storage.encryption;

/**
 * Turns a stored value into what etcd holds and back, as Kubernetes' {@code value.Transformer}. The storage key
 * is passed as authenticated data, so a ciphertext copied under another key does not decrypt.
 */
public interface ValueTransformer {

    /** The value as it is written to the store. */
    byte[] toStorage(byte[] plain, String key);

    /** The value as the apiserver sees it; throws {@link EncryptionException} when no provider can read it. */
    byte[] fromStorage(byte[] stored, String key);

    /** Whether {@code stored} would be written differently now (an older key, or plain text under a key). */
    boolean isStale(byte[] stored);
}
