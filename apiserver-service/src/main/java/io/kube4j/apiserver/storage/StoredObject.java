package io.kube4j.apiserver.storage;

/**
 * One value in the store with its revisions. {@code modRevision} is what the API calls the
 * object's resourceVersion.
 */
public record StoredObject(String key, byte[] value, long createRevision, long modRevision) {
}
