package io.kube4j.client.informer;

/**
 * Receives an informer's changes, in order, on a thread of its own. Handlers should only turn events into work (keys
 * for a queue); {@code finalStateUnknown} on delete means the deletion was inferred from a relist and {@code obj} is
 * the last state the cache saw.
 */
public interface ResourceEventHandler<T> {

    default void onAdd(T obj) {
    }

    default void onUpdate(T oldObj, T newObj) {
    }

    default void onDelete(T obj, boolean finalStateUnknown) {
    }
}
