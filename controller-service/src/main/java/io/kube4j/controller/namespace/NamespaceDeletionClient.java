package io.kube4j.controller.namespace;

import java.util.List;
import java.util.function.UnaryOperator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.kube4j.api.registry.ResourceType;

/**
 * Every side effect of emptying a namespace, behind one narrow interface: which resources exist, listing and deleting
 * their objects, and writing the namespace's status and finalizers. {@link KubeNamespaceDeletionClient} is the real
 * one; unit tests use an in-memory fake.
 */
public interface NamespaceDeletionClient {

    /**
     * The namespaced resources that can be deleted, as far as they could be found; {@code discoveryError} and
     * {@code groupVersionError} say what could not (null: nothing).
     */
    record Discovery(List<ResourceType> resources, String discoveryError, String groupVersionError) {
    }

    Discovery discover();

    /** The objects of {@code t} in {@code namespace} (one fresh LIST); null when the resource cannot be listed. */
    List<HasMetadata> list(ResourceType t, String namespace);

    /**
     * Deletes every object of {@code t} in {@code namespace} with one deletecollection (background propagation);
     * false when the resource does not support it (the caller then deletes object by object).
     */
    boolean deleteCollection(ResourceType t, String namespace);

    /** Deletes one object (background propagation); an object already gone is not an error. */
    void delete(ResourceType t, String namespace, String name);

    /**
     * Writes the status of namespace {@code name} (uid {@code uid}) through {@code /status}: {@code mutation} is
     * applied to the current object and re-applied after a conflict; it returns null when nothing needs writing.
     * Returns the namespace as written (or as it is), null when it is gone or is another namespace now.
     */
    Namespace updateStatus(String name, String uid, UnaryOperator<Namespace> mutation);

    /**
     * Removes {@code finalizer} from namespace {@code name}'s {@code spec.finalizers} through {@code /finalize}
     * (compare-and-swap, re-read on conflict). Returns the namespace afterwards, null when it is gone.
     */
    Namespace removeFinalizer(String name, String uid, String finalizer);
}
