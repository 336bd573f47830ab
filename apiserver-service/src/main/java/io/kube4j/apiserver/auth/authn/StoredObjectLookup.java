package io.kube4j.apiserver.auth.authn;

import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.registry.ObjectCodec;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.watch.CachedObject;
import io.kube4j.apiserver.watch.WatchCacheManager;
import io.kube4j.security.authn.ServiceAccountTokens;
import reactor.core.publisher.Mono;

import java.util.Map;

/**
 * {@link ServiceAccountTokens.ObjectLookup} over the apiserver's watch cache, falling back to etcd for a name the
 * cache does not hold (yet), as Kubernetes' token getter falls back to a live lookup.
 */
public final class StoredObjectLookup implements ServiceAccountTokens.ObjectLookup {

    private final WatchCacheManager caches;
    private final Storage storage;
    private final Map<String, ResourceType> types;

    public StoredObjectLookup(WatchCacheManager caches, Storage storage, ResourceRegistry registry) {
        this.caches = caches;
        this.storage = storage;
        this.types = Map.of(
                "ServiceAccount", registry.byPath("", "v1", "serviceaccounts").orElseThrow(),
                "Pod", registry.byPath("", "v1", "pods").orElseThrow(),
                "Secret", registry.byPath("", "v1", "secrets").orElseThrow(),
                "Node", registry.byPath("", "v1", "nodes").orElseThrow());
    }

    @Override
    public Mono<String> uid(String kind, String namespace, String name) {
        ResourceType t = types.get(kind);
        if (t == null) {
            return Mono.error(new IllegalArgumentException("no lookup for kind " + kind));
        }
        String key = t.key(t.namespaced() ? namespace : null, name);
        CachedObject o = caches.cache(t).get(key);
        if (o != null) {
            return Mono.justOrEmpty(Codecs.json().readTree(o.json()).path("metadata").path("uid").asString(null));
        }
        return storage.get(key).mapNotNull(s -> ObjectCodec.decode(t, s.value(), s.modRevision()).getMetadata().getUid());
    }
}
