package io.kube4j.controller.namespace;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.client.ApiStatusException;

/**
 * An in-memory {@link NamespaceDeletionClient}: objects per resource, deletion semantics of the apiserver in small
 * (bound pods with a grace period and objects with finalizers stay, marked deleted), one namespace object, every call
 * recorded.
 */
final class FakeNamespaceDeletionClient implements NamespaceDeletionClient {

    final Map<String, Map<String, HasMetadata>> objects = new LinkedHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Set<String> withoutDeleteCollection = new HashSet<>();
    final Set<String> failingLists = new HashSet<>();
    List<ResourceType> resources = ResourceRegistry.builtin().all().stream().filter(ResourceType::namespaced).toList();
    String discoveryError;
    Namespace namespace;
    int statusWrites;

    FakeNamespaceDeletionClient(Namespace namespace) {
        this.namespace = namespace;
    }

    void add(ResourceType t, HasMetadata o) {
        objects.computeIfAbsent(t.plural(), k -> new LinkedHashMap<>()).put(o.getMetadata().getName(), o);
    }

    List<HasMetadata> of(ResourceType t) {
        return new ArrayList<>(objects.getOrDefault(t.plural(), Map.of()).values());
    }

    @Override
    public Discovery discover() {
        return new Discovery(resources, discoveryError, null);
    }

    @Override
    public List<HasMetadata> list(ResourceType t, String ns) {
        calls.add("list " + t.plural());
        if (failingLists.contains(t.plural())) {
            throw ApiStatusException.of(500, null, "injected list failure");
        }
        return of(t);
    }

    @Override
    public boolean deleteCollection(ResourceType t, String ns) {
        if (withoutDeleteCollection.contains(t.plural())) {
            return false;
        }
        calls.add("deletecollection " + t.plural());
        for (HasMetadata o : of(t)) {
            remove(t, o);
        }
        return true;
    }

    @Override
    public void delete(ResourceType t, String ns, String name) {
        calls.add("delete " + t.plural() + "/" + name);
        HasMetadata o = objects.getOrDefault(t.plural(), Map.of()).get(name);
        if (o != null) {
            remove(t, o);
        }
    }

    private void remove(ResourceType t, HasMetadata o) {
        boolean finalizers = o.getMetadata().getFinalizers() != null && !o.getMetadata().getFinalizers().isEmpty();
        boolean graceful = o instanceof Pod p && p.getSpec() != null && p.getSpec().getNodeName() != null;
        if (finalizers || graceful) {
            o.getMetadata().setDeletionTimestamp(Instant.now().toString());
        } else {
            objects.get(t.plural()).remove(o.getMetadata().getName());
        }
    }

    @Override
    public Namespace updateStatus(String name, String uid, UnaryOperator<Namespace> mutation) {
        if (namespace == null) {
            return null;
        }
        Namespace copy = Codecs.fromJson(Codecs.toJson(namespace), Namespace.class);
        Namespace changed = mutation.apply(copy);
        if (changed != null) {
            statusWrites++;
            namespace = changed;
        }
        return namespace;
    }

    @Override
    public Namespace removeFinalizer(String name, String uid, String finalizer) {
        calls.add("finalize " + name);
        namespace.getSpec().setFinalizers(namespace.getSpec().getFinalizers().stream()
                .filter(f -> !f.equals(finalizer)).toList());
        return namespace;
    }
}
