package io.kube4j.apiserver.admission;

import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.registry.ObjectCodec;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StoredObject;
import io.kube4j.apiserver.watch.CachedObject;
import io.kube4j.apiserver.watch.WatchCacheManager;
import io.kube4j.apiserver.watch.WatchFilter;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link PriorityClassLookup} over the apiserver's own watch cache, falling back to storage for a name the cache
 * does not have yet (so a pod created right after its class is not refused). Decoded classes are kept per
 * resourceVersion: pod creates, the hot path, decode nothing once the classes are known.
 */
public final class WatchCachePriorityClassLookup implements PriorityClassLookup {

    private record Decoded(long resourceVersion, PriorityClass pc) {
    }

    private final WatchCacheManager caches;
    private final Storage storage;
    private final ResourceType type;
    private final Map<String, Decoded> decoded = new ConcurrentHashMap<>();

    public WatchCachePriorityClassLookup(WatchCacheManager caches, Storage storage, ResourceType type) {
        this.caches = caches;
        this.storage = storage;
        this.type = type;
    }

    @Override
    public Mono<PriorityClass> get(String name) {
        CachedObject o = caches.cache(type).get(type.key(null, name));
        if (o != null) {
            return Mono.just(decode(o));
        }
        return storage.get(type.key(null, name)).map(this::decode);
    }

    @Override
    public List<PriorityClass> cached() {
        List<CachedObject> items = caches.cache(type).snapshot(WatchFilter.everything()).items();
        List<PriorityClass> out = new ArrayList<>(items.size());
        for (CachedObject o : items) {
            out.add(decode(o));
        }
        if (decoded.size() > 2 * items.size() + 16) {
            decoded.keySet().retainAll(items.stream().map(CachedObject::key).toList());
        }
        return out;
    }

    @Override
    public Mono<List<PriorityClass>> current() {
        return storage.list(type.keyPrefix(), null, 0, 0)
                .map(page -> page.items().stream().map(this::decode).toList());
    }

    private PriorityClass decode(CachedObject o) {
        Decoded d = decoded.get(o.key());
        if (d == null || d.resourceVersion() != o.resourceVersion()) {
            d = new Decoded(o.resourceVersion(), Codecs.json().readValue(o.json(), PriorityClass.class));
            decoded.put(o.key(), d);
        }
        return d.pc();
    }

    private PriorityClass decode(StoredObject o) {
        return (PriorityClass) ObjectCodec.decode(type, o.value(), o.modRevision());
    }
}
