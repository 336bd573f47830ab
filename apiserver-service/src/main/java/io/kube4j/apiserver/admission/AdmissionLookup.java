package io.kube4j.apiserver.admission;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.registry.ObjectCodec;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.watch.CachedObject;
import io.kube4j.apiserver.watch.WatchCacheManager;
import io.kube4j.apiserver.watch.WatchFilter;
import io.kube4j.api.selector.FieldSelector;
import io.kube4j.api.selector.LabelSelector;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;

/**
 * How admission plugins read other objects (namespaces, service accounts, limit ranges, quotas): from the
 * apiserver's watch cache, as Kubernetes' plugins read their informers, with a live read from storage where a
 * plugin must not trust a cache that may lag (an object created a moment ago, a quota about to be charged).
 */
public final class AdmissionLookup {

    private final WatchCacheManager caches;
    private final Storage storage;
    private final ResourceRegistry registry;

    public AdmissionLookup(WatchCacheManager caches, Storage storage, ResourceRegistry registry) {
        this.caches = caches;
        this.storage = storage;
        this.registry = registry;
    }

    /** The registered resource {@code group/version/plural} (a wiring error when missing). */
    public ResourceType type(String group, String version, String plural) {
        return registry.byPath(group, version, plural)
                .orElseThrow(() -> new IllegalStateException("resource not registered: " + group + "/" + plural));
    }

    /** Every namespaced resource type the registry serves. */
    public List<ResourceType> namespacedTypes() {
        return registry.all().stream().filter(ResourceType::namespaced).toList();
    }

    public Storage storage() {
        return storage;
    }

    /** The cached entry (no decoding), or null. */
    public CachedObject cached(ResourceType t, String ns, String name) {
        return caches.cache(t).get(t.key(ns, name));
    }

    /** The object from the cache, else from storage; empty when it exists in neither. */
    public <T extends HasMetadata> Mono<T> get(ResourceType t, String ns, String name) {
        CachedObject o = cached(t, ns, name);
        if (o != null) {
            return Mono.just(decode(t, o));
        }
        return getLive(t, ns, name);
    }

    /** The object read from storage, or empty. */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> Mono<T> getLive(ResourceType t, String ns, String name) {
        return storage.get(t.key(ns, name)).map(s -> (T) ObjectCodec.decode(t, s.value(), s.modRevision()));
    }

    /** Every cached object of {@code t} in namespace {@code ns} (null: all), decoded. */
    public <T extends HasMetadata> List<T> listCached(ResourceType t, String ns) {
        List<CachedObject> items = caches.cache(t)
                .snapshot(new WatchFilter(ns, LabelSelector.everything(), FieldSelector.everything())).items();
        List<T> out = new ArrayList<>(items.size());
        for (CachedObject o : items) {
            out.add(decode(t, o));
        }
        return out;
    }

    /** Whether the cache holds any object of {@code t} in {@code ns} (cheap: nothing decoded). */
    public boolean anyCached(ResourceType t, String ns) {
        return !caches.cache(t).snapshot(new WatchFilter(ns, LabelSelector.everything(), FieldSelector.everything()))
                .items().isEmpty();
    }

    /** Every stored object of {@code t} in namespace {@code ns}, read from storage. */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> Mono<List<T>> listLive(ResourceType t, String ns) {
        return storage.list(t.keyPrefix(t.namespaced() ? ns : null), null, 0, 0)
                .map(page -> page.items().stream()
                        .map(s -> (T) ObjectCodec.decode(t, s.value(), s.modRevision())).toList());
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> T decode(ResourceType t, CachedObject o) {
        T v = (T) Codecs.json().readValue(o.json(), t.type());
        v.getMetadata().setResourceVersion(Long.toString(o.resourceVersion()));
        return v;
    }
}
