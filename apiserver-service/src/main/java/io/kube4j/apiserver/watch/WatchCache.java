package io.kube4j.apiserver.watch;

import io.kube4j.api.registry.ResourceType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * The current state of one resource plus a window of its recent changes. Fed, in revision order, by
 * {@link WatchCacheManager} from the store's watch; serves lists and every client watch. All state changes
 * and watcher registrations happen under this object's lock, which is what makes each watcher see every
 * change after its starting revision exactly once and in order.
 */
public final class WatchCache {

    /** A consistent copy of the state at one revision. */
    public record Snapshot(List<CachedObject> items, long revision) {
    }

    private final ResourceType type;
    private final int windowSize;
    private final LongSupplier globalRevision;
    private final NavigableMap<String, CachedObject> store = new TreeMap<>();
    private final ArrayDeque<CacheEvent> window = new ArrayDeque<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    /** Every change with a revision above this one is in the window. */
    private long windowStart;
    /** The newest revision this cache has applied (the manager's global revision may still lag behind it). */
    private long appliedRevision;
    /** Set when the manager stops: nothing will be applied any more, so a watch registered now would never end. */
    private boolean stopped;

    WatchCache(ResourceType type, int windowSize, LongSupplier globalRevision) {
        this.type = type;
        this.windowSize = windowSize;
        this.globalRevision = globalRevision;
    }

    public ResourceType type() {
        return type;
    }

    synchronized void reset(Map<String, CachedObject> state, long revision) {
        store.clear();
        store.putAll(state);
        window.clear();
        windowStart = revision;
        appliedRevision = revision;
    }

    /** Applies one change; {@code object} is null for a delete. */
    synchronized void apply(String key, CachedObject object, long revision, boolean deleted) {
        appliedRevision = Math.max(appliedRevision, revision);
        CachedObject prev = store.get(key);
        CacheEvent e;
        if (deleted) {
            if (prev == null) {
                return;
            }
            store.remove(key);
            CachedObject last = object != null ? object : prev;
            e = new CacheEvent(WatchEventType.DELETED, last, prev, revision);
        } else {
            store.put(key, object);
            e = new CacheEvent(prev == null ? WatchEventType.ADDED : WatchEventType.MODIFIED, object, prev, revision);
        }
        window.addLast(e);
        while (window.size() > windowSize) {
            windowStart = window.removeFirst().revision();
        }
        for (Watcher w : watchers) {
            w.offer(e);
        }
    }

    /** Drops the window: watches resuming from before {@code revision} get 410 Gone and relist. */
    synchronized void truncateWindow(long revision) {
        window.clear();
        windowStart = Math.max(windowStart, revision);
    }

    public synchronized Snapshot snapshot(WatchFilter filter) {
        List<CachedObject> out = new ArrayList<>();
        Iterable<CachedObject> source = filter.namespace() != null && type.namespaced()
                ? store.subMap(type.keyPrefix(filter.namespace()), true, type.keyPrefix(filter.namespace()) + '\uffff', false).values()
                : store.values();
        for (CachedObject o : source) {
            if (filter.matches(o)) {
                out.add(o);
            }
        }
        return new Snapshot(out, currentRevision());
    }

    /**
     * The revision this cache is current at. The manager advances the global revision only after applying an
     * event, so right after {@link #apply} it can lag behind what watchers have already been sent; a bookmark,
     * list or initial state labelled with the lagging revision would make clients go backwards (and a watch
     * resumed from it would repeat the event). Every change up to the larger of the two has been applied here.
     */
    private long currentRevision() {
        return Math.max(globalRevision.getAsLong(), appliedRevision);
    }

    public synchronized CachedObject get(String key) {
        return store.get(key);
    }

    public synchronized int size() {
        return store.size();
    }

    /** The oldest revision a watch can resume from. */
    public synchronized long oldestResumableRevision() {
        return windowStart;
    }

    /**
     * Registers a watch. {@code fromRevision < 0}: start with an ADDED event for every matching object, then
     * changes. Otherwise: every change after {@code fromRevision}.
     *
     * @throws TooOldResourceVersionException when changes after {@code fromRevision} have left the window
     */
    public synchronized Watcher watch(WatchFilter filter, long fromRevision, boolean bookmarks, int bufferSize) {
        Watcher w = new Watcher(filter, bookmarks, bufferSize, fromRevision);
        if (stopped) {
            // The request passed the readiness check just before the manager stopped: end it at once, as the
            // watches registered before were ended, so that its client resumes elsewhere instead of hanging.
            w.complete();
            return w;
        }
        if (fromRevision < 0) {
            long rev = currentRevision();
            for (CachedObject o : store.values()) {
                w.offerInitial(o, rev);
            }
        } else {
            if (fromRevision < windowStart) {
                throw new TooOldResourceVersionException(fromRevision, windowStart);
            }
            Iterator<CacheEvent> it = window.descendingIterator();
            ArrayDeque<CacheEvent> replay = new ArrayDeque<>();
            while (it.hasNext()) {
                CacheEvent e = it.next();
                if (e.revision() <= fromRevision) {
                    break;
                }
                replay.addFirst(e);
            }
            for (CacheEvent e : replay) {
                w.offer(e);
            }
        }
        watchers.add(w);
        w.onClose(() -> watchers.remove(w));
        return w;
    }

    /** Sends a BOOKMARK carrying the current revision to the watchers that asked for bookmarks. */
    synchronized void bookmark(LongFunction<CachedObject> marker) {
        if (watchers.isEmpty()) {
            return;
        }
        long rev = currentRevision();
        CacheEvent e = new CacheEvent(WatchEventType.BOOKMARK, marker.apply(rev), null, rev);
        for (Watcher w : watchers) {
            if (w.wantsBookmarks()) {
                w.offer(e);
            }
        }
    }

    public int watcherCount() {
        return watchers.size();
    }

    synchronized void completeWatchers() {
        stopped = true;
        for (Watcher w : watchers) {
            w.complete();
        }
    }

    /** A watch asked to resume from a revision older than the window. */
    public static final class TooOldResourceVersionException extends RuntimeException {
        public TooOldResourceVersionException(long requested, long oldest) {
            super("too old resource version: " + requested + " (" + oldest + ")");
        }
    }
}
