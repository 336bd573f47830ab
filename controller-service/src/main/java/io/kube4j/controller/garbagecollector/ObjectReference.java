package io.kube4j.controller.garbagecollector;

import java.util.Objects;

import io.fabric8.kubernetes.api.model.OwnerReference;

/**
 * Who an object of the graph is: the coordinates of an owner reference (apiVersion, kind, name, uid) plus the
 * namespace (empty for cluster-scoped objects), as Kubernetes' garbage collector {@code objectReference}. Records
 * compare by value, so it also keys the cache of owners known to be absent.
 */
public record ObjectReference(String apiVersion, String kind, String name, String uid, String namespace) {

    public ObjectReference {
        namespace = namespace == null ? "" : namespace;
    }

    /** The object an owner reference of a dependent in {@code namespace} points at. */
    public static ObjectReference of(OwnerReference ref, String namespace) {
        return new ObjectReference(ref.getApiVersion(), ref.getKind(), ref.getName(), ref.getUid(), namespace);
    }

    public ObjectReference withNamespace(String ns) {
        return new ObjectReference(apiVersion, kind, name, uid, ns);
    }

    /** Whether {@code ref} names this object by the same apiVersion, kind, name and uid. */
    public boolean matchesCoordinates(OwnerReference ref) {
        return Objects.equals(apiVersion, ref.getApiVersion()) && Objects.equals(kind, ref.getKind())
                && Objects.equals(name, ref.getName()) && Objects.equals(uid, ref.getUid());
    }

    @Override
    public String toString() {
        return "[" + apiVersion + "/" + kind + ", namespace: " + namespace + ", name: " + name + ", uid: " + uid + "]";
    }
}
