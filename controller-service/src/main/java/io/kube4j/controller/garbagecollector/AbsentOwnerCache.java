package io.kube4j.controller.garbagecollector;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded LRU set of owners the apiserver said are gone (Kubernetes' {@code ReferenceCache}, 500 entries), so the
 * dependents of one deleted owner do not each cost a GET. Uids are never reused, so an entry never goes stale.
 */
final class AbsentOwnerCache {

    private final Map<ObjectReference, Boolean> entries;

    AbsentOwnerCache(int capacity) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ObjectReference, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized void add(ObjectReference ref) {
        entries.put(ref, Boolean.TRUE);
    }

    synchronized boolean has(ObjectReference ref) {
        return entries.get(ref) != null;
    }
}
