package io.kube4j.apiserver.storage;

/**
 * The store did not answer within the request's deadline: the request may have reached it, so a write may still be
 * applied (the API's 504 Timeout, as kube-apiserver answers a context deadline, rather than a 503 that tells the
 * client nothing was done).
 */
public class StorageTimeoutException extends StorageUnavailableException {

    public StorageTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
