package io.kube4j.controller.garbagecollector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ResourceClient;
import reactor.core.Exceptions;

/**
 * {@link GcOperations} on the apiserver through the {@link KubeClient}: resources are resolved by apiVersion/kind in
 * the {@link ResourceRegistry}; updates go through {@code updateWithRetry} (re-read and re-apply on 409), each
 * re-applied mutation checking the uid again.
 */
final class ApiGcOperations implements GcOperations {

    private final KubeClient client;
    private final ResourceRegistry registry;
    private final Duration timeout;

    ApiGcOperations(KubeClient client, ResourceRegistry registry, Duration timeout) {
        this.client = Objects.requireNonNull(client);
        this.registry = Objects.requireNonNull(registry);
        this.timeout = Objects.requireNonNull(timeout);
    }

    private ResourceType type(String apiVersion, String kind) {
        return registry.byKind(apiVersion, kind).orElseThrow(() -> new UnknownKindException(apiVersion, kind));
    }

    @SuppressWarnings("unchecked")
    private ResourceClient<HasMetadata> resources(ResourceType t) {
        return client.resources((Class<HasMetadata>) t.type());
    }

    private static String namespace(ResourceType t, ObjectReference ref) {
        return t.namespaced() ? ref.namespace() : null;
    }

    @Override
    public boolean isNamespaced(String apiVersion, String kind) {
        return type(apiVersion, kind).namespaced();
    }

    @Override
    public ObjectMeta get(ObjectReference ref) {
        ResourceType t = type(ref.apiVersion(), ref.kind());
        if (t.namespaced() && ref.namespace().isEmpty()) {
            return null; // a namespaced object cannot be found without its namespace
        }
        try {
            HasMetadata obj = resources(t).get(namespace(t, ref), ref.name()).block(timeout);
            return obj == null ? null : obj.getMetadata();
        } catch (RuntimeException e) {
            if (Exceptions.unwrap(e) instanceof ApiStatusException.NotFound) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public void delete(ObjectReference ref, String resourceVersion, String propagationPolicy) {
        ResourceType t = type(ref.apiVersion(), ref.kind());
        try {
            resources(t).delete(namespace(t, ref), ref.name(),
                    new DeleteOptions(null, propagationPolicy, ref.uid(), resourceVersion)).block(timeout);
        } catch (RuntimeException e) {
            throw translate(e, ref);
        }
    }

    @Override
    public void removeOwnerReferences(ObjectReference ref, Collection<String> ownerUids) {
        Set<String> uids = Set.copyOf(ownerUids);
        update(ref, obj -> {
            List<OwnerReference> refs = obj.getMetadata().getOwnerReferences();
            if (refs == null || refs.stream().noneMatch(r -> uids.contains(r.getUid()))) {
                return null;
            }
            List<OwnerReference> kept = new ArrayList<>();
            for (OwnerReference r : refs) {
                if (!uids.contains(r.getUid())) {
                    kept.add(r);
                }
            }
            obj.getMetadata().setOwnerReferences(kept.isEmpty() ? null : kept);
            return obj;
        });
    }

    @Override
    public void unblockOwnerReferences(ObjectReference ref) {
        update(ref, obj -> {
            List<OwnerReference> refs = obj.getMetadata().getOwnerReferences();
            if (refs == null || refs.stream().noneMatch(r -> Boolean.TRUE.equals(r.getBlockOwnerDeletion()))) {
                return null;
            }
            for (OwnerReference r : refs) {
                if (Boolean.TRUE.equals(r.getBlockOwnerDeletion())) {
                    r.setBlockOwnerDeletion(false);
                }
            }
            return obj;
        });
    }

    @Override
    public void removeFinalizer(ObjectReference ref, String finalizer) {
        update(ref, obj -> {
            List<String> finalizers = obj.getMetadata().getFinalizers();
            if (finalizers == null || !finalizers.contains(finalizer)) {
                return null;
            }
            List<String> kept = new ArrayList<>(finalizers);
            kept.removeIf(finalizer::equals);
            obj.getMetadata().setFinalizers(kept);
            return obj;
        });
    }

    /** A compare-and-swap update of the object with {@code ref}'s uid ({@code mutation} returning null: no write). */
    private void update(ObjectReference ref, UnaryOperator<HasMetadata> mutation) {
        ResourceType t = type(ref.apiVersion(), ref.kind());
        try {
            resources(t).updateWithRetry(namespace(t, ref), ref.name(), obj -> {
                if (!Objects.equals(obj.getMetadata().getUid(), ref.uid())) {
                    throw new ObjectGoneException(ref);
                }
                return mutation.apply(obj);
            }, false).block(timeout);
        } catch (RuntimeException e) {
            throw translate(e, ref);
        }
    }

    private static RuntimeException translate(RuntimeException e, ObjectReference ref) {
        Throwable cause = Exceptions.unwrap(e);
        if (cause instanceof ApiStatusException.NotFound || cause instanceof ObjectGoneException) {
            return new ObjectGoneException(ref);
        }
        return cause instanceof RuntimeException r ? r : e;
    }
}
