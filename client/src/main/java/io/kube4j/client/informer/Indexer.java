package io.kube4j.client.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Thread-safe store of objects keyed by {@code namespace/name} (or {@code name} for cluster-scoped objects), with
 * named index functions (fabric8's / client-go's {@code Indexer}).
 */
public final class Indexer<T extends HasMetadata> {

    /** What a {@link #replace} changed: the informer turns it into handler calls. */
    public record Diff<T>(List<T> added, List<Update<T>> updated, List<T> deleted) {
    }

    /** An object replaced by a newer one. */
    public record Update<T>(T oldObj, T newObj) {
    }

    private final Map<String, Function<T, List<String>>> indexers;
    private final Map<String, T> items = new HashMap<>();
    /** index name → index value → keys. */
    private final Map<String, Map<String, Set<String>>> indices = new HashMap<>();
    private String resourceVersion;

    public Indexer(Map<String, Function<T, List<String>>> indexers) {
        this.indexers = Map.copyOf(indexers);
        for (String name : this.indexers.keySet()) {
            indices.put(name, new HashMap<>());
        }
    }

    public Indexer() {
        this(Indexers.defaults());
    }

    /** The store key of an object: {@code namespace/name}, or {@code name} without a namespace. */
    public static String keyOf(HasMetadata o) {
        String ns = o.getMetadata().getNamespace();
        String name = o.getMetadata().getName();
        return ns == null || ns.isEmpty() ? name : ns + "/" + name;
    }

    public static String key(String namespace, String name) {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    public synchronized T get(String key) {
        return items.get(key);
    }

    public synchronized List<T> list() {
        return new ArrayList<>(items.values());
    }

    public synchronized List<String> keys() {
        return new ArrayList<>(items.keySet());
    }

    public synchronized int size() {
        return items.size();
    }

    public Set<String> indexNames() {
        return indexers.keySet();
    }

    /** The objects whose index function {@code indexName} yields {@code value}. */
    public synchronized List<T> byIndex(String indexName, String value) {
        Map<String, Set<String>> index = indices.get(indexName);
        if (index == null) {
            throw new IllegalArgumentException("no index named \"" + indexName + "\" (have " + indexers.keySet() + ")");
        }
        Set<String> keys = index.getOrDefault(value, Set.of());
        List<T> out = new ArrayList<>(keys.size());
        for (String k : keys) {
            out.add(items.get(k));
        }
        return out;
    }

    /** The resourceVersion of the last {@link #replace} (the informer tracks newer ones itself). */
    public synchronized String resourceVersion() {
        return resourceVersion;
    }

    /** Stores {@code obj}, returning the object it replaced (or null). */
    public synchronized T add(T obj) {
        String key = keyOf(obj);
        T old = items.put(key, obj);
        if (old != null) {
            unindex(key, old);
        }
        index(key, obj);
        return old;
    }

    public T update(T obj) {
        return add(obj);
    }

    /** Removes the object with {@code obj}'s key, returning what was stored (or null). */
    public synchronized T delete(T obj) {
        return deleteKey(keyOf(obj));
    }

    public synchronized T deleteKey(String key) {
        T old = items.remove(key);
        if (old != null) {
            unindex(key, old);
        }
        return old;
    }

    /**
     * Replaces the whole content with {@code all} (a relist) and says what changed. An object counts as updated when
     * its resourceVersion differs from the stored one.
     */
    public synchronized Diff<T> replace(Collection<T> all, String resourceVersion) {
        Map<String, T> next = new LinkedHashMap<>();
        for (T o : all) {
            next.put(keyOf(o), o);
        }
        List<T> added = new ArrayList<>();
        List<Update<T>> updated = new ArrayList<>();
        List<T> deleted = new ArrayList<>();
        for (Map.Entry<String, T> e : items.entrySet()) {
            if (!next.containsKey(e.getKey())) {
                deleted.add(e.getValue());
            }
        }
        for (Map.Entry<String, T> e : next.entrySet()) {
            T old = items.get(e.getKey());
            if (old == null) {
                added.add(e.getValue());
            } else if (!java.util.Objects.equals(ResourceVersions.of(old), ResourceVersions.of(e.getValue()))) {
                updated.add(new Update<>(old, e.getValue()));
            }
        }
        items.clear();
        for (Map<String, Set<String>> index : indices.values()) {
            index.clear();
        }
        for (Map.Entry<String, T> e : next.entrySet()) {
            items.put(e.getKey(), e.getValue());
            index(e.getKey(), e.getValue());
        }
        this.resourceVersion = resourceVersion;
        return new Diff<>(added, updated, deleted);
    }

    private void index(String key, T obj) {
        for (Map.Entry<String, Function<T, List<String>>> ix : indexers.entrySet()) {
            Map<String, Set<String>> index = indices.get(ix.getKey());
            for (String v : values(ix.getValue(), obj)) {
                index.computeIfAbsent(v, x -> new HashSet<>()).add(key);
            }
        }
    }

    private void unindex(String key, T obj) {
        for (Map.Entry<String, Function<T, List<String>>> ix : indexers.entrySet()) {
            Map<String, Set<String>> index = indices.get(ix.getKey());
            for (String v : values(ix.getValue(), obj)) {
                Set<String> keys = index.get(v);
                if (keys != null) {
                    keys.remove(key);
                    if (keys.isEmpty()) {
                        index.remove(v);
                    }
                }
            }
        }
    }

    private static <T> List<String> values(Function<T, List<String>> fn, T obj) {
        List<String> v = fn.apply(obj);
        return v == null ? List.of() : v;
    }
}
