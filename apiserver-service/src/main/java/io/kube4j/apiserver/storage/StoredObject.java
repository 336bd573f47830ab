package io.kube4j.apiserver.storage;

/**
 * One value in the store with its revisions. {@code modRevision} is what the API calls the
 * object's resourceVersion. {@code stale} says the value at rest is not in the form the store would write now
 * (encryption at rest read it with an older key, or as plain text): an update must rewrite it even when the
 * object did not change, as Kubernetes' GuaranteedUpdate does, so that rewriting every object rotates keys.
 */
public record StoredObject(String key, byte[] value, long createRevision, long modRevision, boolean stale) {

    public StoredObject(String key, byte[] value, long createRevision, long modRevision) {
        this(key, value, createRevision, modRevision, false);
    }
}
