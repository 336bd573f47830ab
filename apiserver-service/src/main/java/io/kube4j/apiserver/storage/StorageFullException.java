package io.kube4j.apiserver.storage;

/**
 * The store refused a write because it is out of space (the embedded store's disk is full, or etcd's
 * {@code mvcc: database space exceeded}). Reads keep working; writes succeed again once space is freed. The API answers
 * it with 507 Insufficient Storage, a 5xx a client does not retry blindly as it would a 503.
 */
public class StorageFullException extends StorageUnavailableException {

    public StorageFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
