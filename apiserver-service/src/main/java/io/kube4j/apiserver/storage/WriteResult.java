package io.kube4j.apiserver.storage;

/**
 * The outcome of a conditional write. A failed compare-and-swap is not an exception: it carries the
 * object as it currently is ({@code null} when the key does not exist), so the caller can answer 409
 * or re-read and retry without another round trip.
 *
 * @param succeeded whether the write was applied
 * @param object    on success the object as written (for a delete: the object as it was before the
 *                  delete, with modRevision set to the delete's revision); on failure the current object
 * @param revision  the store revision after the operation
 */
public record WriteResult(boolean succeeded, StoredObject object, long revision) {
}
