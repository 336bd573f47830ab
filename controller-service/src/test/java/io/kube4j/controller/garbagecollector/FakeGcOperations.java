package io.kube4j.controller.garbagecollector;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;

/** {@link GcOperations} over an in-memory map of objects, recording every call. */
final class FakeGcOperations implements GcOperations {

    private final ResourceRegistry registry = ResourceRegistry.builtin();
    private final Map<String, ObjectMeta> objects = new HashMap<>();
    final List<String> calls = new ArrayList<>();
    int gets;

    private static String key(String apiVersion, String kind, String ns, String name) {
        return apiVersion + "/" + kind + "/" + ns + "/" + name;
    }

    private String key(ObjectReference ref) {
        boolean namespaced = isNamespaced(ref.apiVersion(), ref.kind());
        return key(ref.apiVersion(), ref.kind(), namespaced ? ref.namespace() : "", ref.name());
    }

    FakeGcOperations put(ResourceType t, ObjectMeta m) {
        objects.put(key(t.apiVersion(), t.kind(), t.namespaced() ? m.getNamespace() : "", m.getName()), m);
        return this;
    }

    @Override
    public boolean isNamespaced(String apiVersion, String kind) {
        return registry.byKind(apiVersion, kind).orElseThrow(() -> new UnknownKindException(apiVersion, kind))
                .namespaced();
    }

    @Override
    public ObjectMeta get(ObjectReference ref) {
        gets++;
        return objects.get(key(ref));
    }

    private ObjectMeta require(ObjectReference ref) {
        ObjectMeta m = objects.get(key(ref));
        if (m == null || !Objects.equals(m.getUid(), ref.uid())) {
            throw new ObjectGoneException(ref);
        }
        return m;
    }

    @Override
    public void delete(ObjectReference ref, String resourceVersion, String propagationPolicy) {
        require(ref);
        calls.add("delete " + ref.name() + " uid=" + ref.uid() + " rv=" + resourceVersion + " " + propagationPolicy);
    }

    @Override
    public void removeOwnerReferences(ObjectReference ref, Collection<String> ownerUids) {
        require(ref);
        calls.add("removeOwnerReferences " + ref.name() + " " + List.copyOf(ownerUids));
    }

    @Override
    public void unblockOwnerReferences(ObjectReference ref) {
        require(ref);
        calls.add("unblockOwnerReferences " + ref.name());
    }

    @Override
    public void removeFinalizer(ObjectReference ref, String finalizer) {
        require(ref);
        calls.add("removeFinalizer " + ref.name() + " " + finalizer);
    }
}
