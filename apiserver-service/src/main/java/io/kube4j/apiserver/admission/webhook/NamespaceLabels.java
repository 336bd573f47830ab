package io.kube4j.apiserver.admission.webhook;

import io.fabric8.kubernetes.api.model.Namespace;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.registry.ObjectCodec;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.watch.CachedObject;
import io.kube4j.apiserver.watch.WatchCacheManager;
import reactor.core.publisher.Mono;

import java.util.Map;

/** The labels of a namespace, for namespace selectors; empty when there is no such namespace. */
@FunctionalInterface
public interface NamespaceLabels {

    Mono<Map<String, String>> labels(String namespace);

    /** From the watch cache, falling back to storage for a namespace the cache has not seen yet. */
    static NamespaceLabels watchCache(WatchCacheManager caches, Storage storage, ResourceRegistry registry) {
        ResourceType type = registry.byType(Namespace.class).orElseThrow();
        return ns -> {
            CachedObject o = caches.cache(type).get(type.key(null, ns));
            if (o != null) {
                return Mono.just(o.labels() == null ? Map.of() : o.labels());
            }
            return storage.get(type.key(null, ns)).map(s -> {
                var meta = ObjectCodec.decode(type, s.value(), s.modRevision()).getMetadata();
                return meta.getLabels() == null ? Map.<String, String>of() : meta.getLabels();
            });
        };
    }
}
