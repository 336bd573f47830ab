package io.kube4j.controller.namespace;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;

/**
 * {@link NamespaceDeletionClient} over the apiserver. The resources are the registry's namespaced ones that support
 * delete and that the client can reach; deletecollection falls back to list-and-delete for resources that answer 405
 * (remembered, as Kubernetes' operation cache).
 */
public final class KubeNamespaceDeletionClient implements NamespaceDeletionClient {

    /** How long one request may take before the reconcile fails (and is retried with backoff). */
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final DeleteOptions BACKGROUND = DeleteOptions.background();

    private final KubeClient client;
    private final ResourceRegistry registry;
    private final Set<String> noDeleteCollection = ConcurrentHashMap.newKeySet();
    private final Set<String> noList = ConcurrentHashMap.newKeySet();

    public KubeNamespaceDeletionClient(KubeClient client, ResourceRegistry registry) {
        this.client = client;
        this.registry = registry;
    }

    @Override
    public Discovery discover() {
        List<ResourceType> found = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<String> badGroupVersions = new ArrayList<>();
        for (ResourceType t : registry.all()) {
            if (!t.namespaced() || !t.verbs().contains("delete")) {
                continue;
            }
            if (t.version().isEmpty() || t.version().contains("/") || t.group().contains("/")) {
                badGroupVersions.add(t.apiVersion());
                continue;
            }
            try {
                client.resources(t.type());
                found.add(t);
            } catch (IllegalArgumentException e) {
                failed.add(t.qualifiedName() + ": " + e.getMessage());
            }
        }
        return new Discovery(found,
                failed.isEmpty() ? null : "Discovery failed for some resources, " + failed.size() + " failing: "
                        + String.join(", ", failed),
                badGroupVersions.isEmpty() ? null : "unparsable group versions: " + String.join(", ", badGroupVersions));
    }

    @SuppressWarnings("unchecked")
    private ResourceClient<HasMetadata> resources(ResourceType t) {
        return (ResourceClient<HasMetadata>) client.resources(t.type());
    }

    @Override
    public List<HasMetadata> list(ResourceType t, String namespace) {
        if (noList.contains(t.qualifiedName())) {
            return null;
        }
        try {
            return List.copyOf(resources(t).list(namespace, ListOptions.all()).block(TIMEOUT).getItems());
        } catch (ApiStatusException e) {
            if (e.code() == 405 || e instanceof ApiStatusException.NotFound) {
                noList.add(t.qualifiedName());
                return null;
            }
            throw e;
        }
    }

    @Override
    public boolean deleteCollection(ResourceType t, String namespace) {
        if (!t.verbs().contains("deletecollection") || noDeleteCollection.contains(t.qualifiedName())) {
            return false;
        }
        try {
            resources(t).deleteCollection(namespace, ListOptions.all(), BACKGROUND).block(TIMEOUT);
            return true;
        } catch (ApiStatusException e) {
            if (e.code() == 405 || e instanceof ApiStatusException.NotFound) {
                noDeleteCollection.add(t.qualifiedName());
                return false;
            }
            throw e;
        }
    }

    @Override
    public void delete(ResourceType t, String namespace, String name) {
        try {
            resources(t).delete(namespace, name, BACKGROUND).block(TIMEOUT);
        } catch (ApiStatusException e) {
            if (!(e instanceof ApiStatusException.NotFound) && e.code() != 405) {
                throw e;
            }
        }
    }

    @Override
    public Namespace updateStatus(String name, String uid, UnaryOperator<Namespace> mutation) {
        try {
            return client.resources(Namespace.class).updateWithRetry(null, name, current -> {
                if (uid != null && !uid.equals(current.getMetadata().getUid())) {
                    throw new SameNameOtherNamespace();
                }
                return mutation.apply(current);
            }, true).block(TIMEOUT);
        } catch (ApiStatusException.NotFound | SameNameOtherNamespace gone) {
            return null;
        }
    }

    @Override
    public Namespace removeFinalizer(String name, String uid, String finalizer) {
        ResourceClient<Namespace> namespaces = client.resources(Namespace.class);
        for (int attempt = 0; ; attempt++) {
            Namespace current;
            try {
                current = namespaces.get(null, name).block(TIMEOUT);
            } catch (ApiStatusException.NotFound e) {
                return null;
            }
            if (uid != null && !uid.equals(current.getMetadata().getUid())) {
                return null;
            }
            List<String> finalizers = NamespacedResourcesDeleter.specFinalizers(current);
            if (!finalizers.contains(finalizer)) {
                return current;
            }
            current.getSpec().setFinalizers(finalizers.stream().filter(f -> !f.equals(finalizer)).sorted().toList());
            try {
                return client.finalizeNamespace(current).block(TIMEOUT);
            } catch (ApiStatusException.NotFound e) {
                return null;
            } catch (ApiStatusException.Conflict e) {
                if (attempt >= 15) {
                    throw e;
                }
            }
        }
    }

    /** The name now belongs to a namespace created after the one being deleted. */
    private static final class SameNameOtherNamespace extends RuntimeException {
        SameNameOtherNamespace() {
            super(null, null, false, false);
        }
    }
}
