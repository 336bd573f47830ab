package io.kube4j.apiserver.auth.authz;

import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.watch.CachedObject;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.apiserver.watch.WatchCacheManager;
import io.kube4j.apiserver.watch.WatchEventType;
import io.kube4j.apiserver.watch.WatchFilter;
import io.kube4j.apiserver.watch.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an in-memory index of one resource in step with the apiserver's watch cache: once the cache is loaded, a
 * snapshot then every change, delivered synchronously as the cache applies it (so an index is current as soon as
 * the write that changed it is visible to reads). A watch that ends (server stop, watcher dropped) is started
 * again, from a fresh snapshot, on the next {@link #ensureStarted()}.
 */
public final class CacheFeed {

    /** What the feed tells the index. */
    public interface Handler {
        /** Forget everything: a snapshot follows. */
        void reset();

        void upsert(CachedObject o);

        void delete(CachedObject o);
    }

    private static final Logger log = LoggerFactory.getLogger(CacheFeed.class);
    private static final int BUFFER = 4096;

    private final WatchCacheManager caches;
    private final ResourceType type;
    private final Handler handler;
    private volatile boolean started;

    public CacheFeed(WatchCacheManager caches, ResourceType type, Handler handler) {
        this.caches = caches;
        this.type = type;
        this.handler = handler;
    }

    /** True when the index is loaded; starts the feed when the watch cache has become ready. */
    public boolean ensureStarted() {
        if (started) {
            return true;
        }
        if (!caches.isReady()) {
            return false;
        }
        synchronized (this) {
            if (!started) {
                start();
            }
        }
        return started;
    }

    private void start() {
        WatchCache cache = caches.cache(type);
        for (int attempt = 0; attempt < 10; attempt++) {
            WatchCache.Snapshot s = cache.snapshot(WatchFilter.everything());
            Watcher w;
            try {
                w = cache.watch(WatchFilter.everything(), s.revision(), false, BUFFER);
            } catch (WatchCache.TooOldResourceVersionException e) {
                continue;
            }
            handler.reset();
            s.items().forEach(this::upsertSafely);
            started = true;
            w.events().subscribe(this::onDelivery,
                    e -> stopped("failed: " + e),
                    () -> stopped("ended"));
            return;
        }
        log.warn("could not start the {} feed; will retry", type.plural());
    }

    private void onDelivery(Watcher.Delivery d) {
        if (d.type() == WatchEventType.DELETED) {
            try {
                handler.delete(d.event().object());
            } catch (RuntimeException e) {
                log.error("{} index: cannot remove {}: {}", type.plural(), d.event().object().key(), e.toString());
            }
        } else if (d.type() == WatchEventType.ADDED || d.type() == WatchEventType.MODIFIED) {
            upsertSafely(d.event().object());
        }
    }

    private void upsertSafely(CachedObject o) {
        try {
            handler.upsert(o);
        } catch (RuntimeException e) {
            // one undecodable object must not take the whole index down
            log.error("{} index: cannot index {}: {}", type.plural(), o.key(), e.toString());
        }
    }

    private void stopped(String why) {
        log.debug("{} feed {}", type.plural(), why);
        started = false;
    }
}
