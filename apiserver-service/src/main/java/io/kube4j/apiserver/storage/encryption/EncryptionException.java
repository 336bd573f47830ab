package io.kube4j.apiserver.storage.encryption;

/** A stored value that no configured provider can read, or an encryption configuration that cannot be used. */
public class EncryptionException extends RuntimeException {

    public EncryptionException(String message) {
        super(message);
    }

    public EncryptionException(String message, Throwable cause) {
        super(message, cause);
    }
}
