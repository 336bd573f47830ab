package io.kube4j.controller.endpointslice;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

/**
 * Kubernetes' {@code EndpointSliceTracker}: remembers the slices this controller just wrote (their resourceVersion) or
 * deleted, per service, until the informer cache shows them. A sync planned on a cache that does not yet show the
 * controller's own writes would create duplicate slices, so such a sync is retried instead ({@link #stale}); and the
 * informer events of the controller's own writes do not queue the service again ({@link #observed}).
 */
final class SliceTracker {

    private static final long DELETED = -1;

    /** service key → slice name → expected resourceVersion (or {@link #DELETED}). */
    private final Map<String, Map<String, Long>> expected = new HashMap<>();

    synchronized void written(String service, EndpointSlice slice) {
        expected.computeIfAbsent(service, k -> new HashMap<>()).put(slice.getMetadata().getName(), rv(slice));
    }

    synchronized void deleted(String service, String sliceName) {
        expected.computeIfAbsent(service, k -> new HashMap<>()).put(sliceName, DELETED);
    }

    /** Whether the cache (slice name → cached slice) does not yet show every write of the controller for {@code service}. */
    synchronized boolean stale(String service, Function<String, EndpointSlice> cache) {
        Map<String, Long> m = expected.get(service);
        if (m == null) {
            return false;
        }
        boolean stale = false;
        for (Iterator<Map.Entry<String, Long>> it = m.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Long> e = it.next();
            EndpointSlice cached = cache.apply(e.getKey());
            boolean caughtUp = e.getValue() == DELETED ? cached == null : cached != null && rv(cached) >= e.getValue();
            if (caughtUp) {
                it.remove();
            } else {
                stale = true;
            }
        }
        if (m.isEmpty()) {
            expected.remove(service);
        }
        return stale;
    }

    /**
     * An informer event of a managed slice: true when it is news to the controller (someone else's change), false
     * when it is the controller's own write coming back (or an older version of it).
     */
    synchronized boolean observed(String service, EndpointSlice slice, boolean deletion) {
        Map<String, Long> m = expected.get(service);
        Long exp = m == null ? null : m.get(slice.getMetadata().getName());
        if (exp == null) {
            return true;
        }
        boolean news;
        if (deletion) {
            m.remove(slice.getMetadata().getName());
            news = exp != DELETED; // someone else deleted a slice we had written
        } else if (exp == DELETED) {
            return false; // an older version of a slice we deleted
        } else {
            long rv = rv(slice);
            if (rv < exp) {
                return false;
            }
            m.remove(slice.getMetadata().getName());
            news = rv > exp;
        }
        if (m.isEmpty()) {
            expected.remove(service);
        }
        return news;
    }

    synchronized void forget(String service) {
        expected.remove(service);
    }

    private static long rv(EndpointSlice s) {
        try {
            return Long.parseLong(s.getMetadata().getResourceVersion());
        } catch (NumberFormatException | NullPointerException e) {
            return 0;
        }
    }
}
