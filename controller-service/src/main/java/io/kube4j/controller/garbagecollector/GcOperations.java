package io.kube4j.controller.garbagecollector;

import java.util.Collection;

import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * The collector's side effects on the apiserver, behind one narrow interface so the decision logic is tested with a
 * fake ({@link ApiGcOperations} is the real one). Every write is guarded by the object's uid, so a re-created object of
 * the same name is never touched; updates are compare-and-swap.
 */
interface GcOperations {

    /** Whether {@code apiVersion/kind} is namespaced; {@link UnknownKindException} when no resource serves it. */
    boolean isNamespaced(String apiVersion, String kind);

    /** The object's current metadata from the apiserver (a live GET), or null when it does not exist. */
    ObjectMeta get(ObjectReference ref);

    /**
     * Deletes the object with {@code propagationPolicy}, preconditions uid and (when not null) resourceVersion; a 404
     * is {@link ObjectGoneException}, a failed precondition a 409 the caller retries after reading again.
     */
    void delete(ObjectReference ref, String resourceVersion, String propagationPolicy);

    /** Removes the owner references to {@code ownerUids} (CAS); {@link ObjectGoneException} if the object is gone. */
    void removeOwnerReferences(ObjectReference ref, Collection<String> ownerUids);

    /** Sets {@code blockOwnerDeletion: false} on every blocking owner reference (CAS). */
    void unblockOwnerReferences(ObjectReference ref);

    /** Removes {@code finalizer} (CAS); nothing when it is not there; {@link ObjectGoneException} if gone. */
    void removeFinalizer(ObjectReference ref, String finalizer);

    /** The resource of a reference is not served: retried with backoff, as Kubernetes' restMappingError. */
    final class UnknownKindException extends RuntimeException {
        UnknownKindException(String apiVersion, String kind) {
            super("no resource is registered for apiVersion " + apiVersion + ", kind " + kind);
        }
    }

    /** The object is gone, or its name now belongs to an object with another uid. */
    final class ObjectGoneException extends RuntimeException {
        ObjectGoneException(ObjectReference ref) {
            super(ref + " no longer exists");
        }
    }
}
