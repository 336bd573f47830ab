package io.kube4j.apiserver.storage;

/** The store could not be reached or did not answer in time (the API's 503/504). */
public class StorageUnavailableException extends RuntimeException {

    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
