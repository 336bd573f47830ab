package io.kube4j.apiserver.watch;

import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.config.ApiServerProperties;
import io.kube4j.apiserver.registry.ObjectCodec;
import io.kube4j.apiserver.storage.CompactedException;
import io.kube4j.apiserver.storage.ListPage;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageEvent;
import io.kube4j.apiserver.storage.StoredObject;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps one {@link WatchCache} per resource, fed by a single store watch on {@code /registry/}. One watch for
 * all resources (rather than one per resource) means the manager knows exactly which store revision every
 * cache is current at, which is what lets a list without a resourceVersion be served consistently from the
 * cache: read etcd's revision, wait until the cache has reached it.
 *
 * <p>At start it lists the store at an older revision and replays the history since then into the windows,
 * so clients can resume watches across an apiserver restart. A broken store watch is resumed from the last
 * revision seen; a compacted one is replaced by a relist whose differences are delivered as events.
 */
public final class WatchCacheManager implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WatchCacheManager.class);
    private static final String ROOT = "/registry/";
    private static final int PAGE = 1000;

    private final Storage storage;
    private final ApiServerProperties.WatchCache config;
    private final Map<String, WatchCache> byPlural = new LinkedHashMap<>();
    private final Map<ResourceType, WatchCache> byType = new LinkedHashMap<>();
    private final AtomicLong revision = new AtomicLong();
    private final java.util.TreeMap<Long, List<Sinks.Empty<Void>>> waiters = new java.util.TreeMap<>();
    private final Scheduler scheduler = Schedulers.newSingle("watch-cache-init", true);
    private volatile long readyAt = Long.MAX_VALUE;
    private volatile boolean running;
    private volatile Disposable watch;
    private volatile Disposable bookmarks;

    public WatchCacheManager(Storage storage, ResourceRegistry registry, ApiServerProperties.WatchCache config,
                             MeterRegistry meters) {
        this.storage = storage;
        this.config = config;
        for (ResourceType t : registry.all()) {
            if (!t.stored()) {
                continue;
            }
            WatchCache c = new WatchCache(t, config.windowSize(), revision::get);
            byPlural.put(t.plural(), c);
            byType.put(t, c);
            Gauge.builder("apiserver_registered_watchers", c, WatchCache::watcherCount)
                    .tag("group", t.group()).tag("version", t.version()).tag("kind", t.kind())
                    .description("Number of currently registered watchers for a given resource")
                    .register(meters);
        }
    }

    public WatchCache cache(ResourceType type) {
        return byType.get(type);
    }

    /** The store revision every cache is current at. */
    public long revision() {
        return revision.get();
    }

    public boolean isReady() {
        return revision.get() >= readyAt;
    }

    /** Completes once every cache has seen the store up to {@code rev}; errors after {@code timeout}. */
    public Mono<Void> waitForRevision(long rev, Duration timeout) {
        if (revision.get() >= rev) {
            return Mono.empty();
        }
        Sinks.Empty<Void> s = Sinks.empty();
        synchronized (waiters) {
            if (revision.get() >= rev) {
                return Mono.empty();
            }
            waiters.computeIfAbsent(rev, k -> new ArrayList<>()).add(s);
        }
        return s.asMono().timeout(timeout);
    }

    @Override
    public void start() {
        running = true;
        initialize().subscribeOn(scheduler).subscribe(
                r -> { },
                e -> log.error("watch cache failed to initialise", e));
        bookmarks = Flux.interval(config.bookmarkInterval(), config.bookmarkInterval())
                .subscribe(t -> sendBookmarks());
    }

    /** Lists at an older revision and replays from there, so the windows reach back across a restart. */
    private Mono<Void> initialize() {
        return storage.currentRevision().flatMap(current -> {
            long from = Math.max(1, current - config.startupReplay());
            return listAll(from)
                    .onErrorResume(CompactedException.class, e -> listAll(Math.max(e.compactRevision(), 1)))
                    .onErrorResume(CompactedException.class, e -> listAll(0))
                    .map(state -> {
                        resetAll(state.items(), state.revision());
                        readyAt = current;
                        log.info("watch cache loaded {} objects at revision {}, replaying to {}",
                                state.items().size(), state.revision(), current);
                        startWatch(state.revision());
                        return state;
                    });
        }).retryWhen(reactor.util.retry.Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
                .maxBackoff(Duration.ofSeconds(5))
                .filter(e -> running)
                .doBeforeRetry(s -> log.warn("watch cache initialisation failed, retrying: {}", s.failure().toString())))
                .then();
    }

    private record State(List<StoredObject> items, long revision) {
    }

    private Mono<State> listAll(long atRevision) {
        List<StoredObject> all = new ArrayList<>();
        return storage.list(ROOT, null, PAGE, atRevision)
                .expand(page -> {
                    if (!page.more() || page.items().isEmpty()) {
                        return Mono.empty();
                    }
                    String last = page.items().get(page.items().size() - 1).key();
                    return storage.list(ROOT, last + '\0', PAGE, page.revision());
                })
                .doOnNext(p -> all.addAll(p.items()))
                .reduce((a, b) -> b)
                .map(last -> new State(all, last.revision()));
    }

    private void resetAll(List<StoredObject> items, long rev) {
        Map<WatchCache, Map<String, CachedObject>> state = new HashMap<>();
        byType.values().forEach(c -> state.put(c, new HashMap<>()));
        for (StoredObject o : items) {
            WatchCache c = cacheFor(o.key());
            if (c != null) {
                CachedObject co = decode(c, o);
                if (co != null) {
                    state.get(c).put(o.key(), co);
                }
            }
        }
        revision.set(rev);
        state.forEach((c, s) -> c.reset(s, rev));
    }

    private void startWatch(long fromRevision) {
        if (!running) {
            return;
        }
        watch = storage.watch(ROOT, fromRevision).subscribe(
                this::onEvent,
                this::onWatchError,
                () -> onWatchError(new IllegalStateException("store watch ended")));
    }

    private void onWatchError(Throwable e) {
        if (!running) {
            return;
        }
        long last = revision.get();
        if (e instanceof CompactedException) {
            log.warn("store watch compacted at {}; relisting", last);
            listAll(0).subscribeOn(scheduler)
                    .retryWhen(reactor.util.retry.Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
                            .maxBackoff(Duration.ofSeconds(5)).filter(x -> running))
                    .subscribe(this::relisted);
        } else {
            log.warn("store watch broke at revision {} ({}); resuming", last, e.toString());
            Mono.delay(Duration.ofMillis(200)).subscribe(t -> startWatch(revision.get()));
        }
    }

    /** After a compaction: deliver the differences between the cache and the store as events, in order. */
    private synchronized void relisted(State state) {
        record Change(WatchCache cache, String key, CachedObject object, long rev, boolean deleted) {
        }
        List<Change> changes = new ArrayList<>();
        Map<String, StoredObject> now = new HashMap<>();
        for (StoredObject o : state.items()) {
            now.put(o.key(), o);
        }
        for (WatchCache c : byType.values()) {
            for (CachedObject old : c.snapshot(WatchFilter.everything()).items()) {
                if (!now.containsKey(old.key())) {
                    changes.add(new Change(c, old.key(), null, state.revision(), true));
                }
            }
        }
        for (StoredObject o : state.items()) {
            WatchCache c = cacheFor(o.key());
            if (c == null) {
                continue;
            }
            CachedObject old = c.get(o.key());
            if (old == null || old.resourceVersion() != o.modRevision()) {
                CachedObject co = decode(c, o);
                if (co != null) {
                    changes.add(new Change(c, o.key(), co, o.modRevision(), false));
                }
            }
        }
        changes.sort(Comparator.comparingLong(Change::rev));
        for (Change ch : changes) {
            ch.cache().apply(ch.key(), ch.object(), ch.rev(), ch.deleted());
        }
        byType.values().forEach(c -> c.truncateWindow(state.revision()));
        advance(state.revision());
        startWatch(state.revision());
    }

    private void onEvent(StorageEvent e) {
        WatchCache c = cacheFor(e.object().key());
        if (c != null) {
            if (e.type() == StorageEvent.Type.DELETE) {
                CachedObject last = e.object().value().length == 0 ? null : decode(c, e.object());
                c.apply(e.object().key(), last, e.revision(), true);
            } else {
                CachedObject co = decode(c, e.object());
                if (co != null) {
                    c.apply(e.object().key(), co, e.revision(), false);
                }
            }
        }
        advance(e.revision());
    }

    private void advance(long rev) {
        if (rev > revision.get()) {
            revision.set(rev);
        }
        releaseWaiters(rev);
    }

    private void releaseWaiters(long rev) {
        List<Sinks.Empty<Void>> ready = new ArrayList<>();
        synchronized (waiters) {
            Map<Long, List<Sinks.Empty<Void>>> head = waiters.headMap(rev, true);
            head.values().forEach(ready::addAll);
            head.clear();
        }
        ready.forEach(Sinks.Empty::tryEmitEmpty);
    }

    private CachedObject decode(WatchCache c, StoredObject o) {
        try {
            return ObjectCodec.toCached(c.type(), o.key(), o.value(), o.modRevision());
        } catch (RuntimeException ex) {
            log.error("cannot decode {} at revision {}: {}", o.key(), o.modRevision(), ex.toString());
            return null;
        }
    }

    private WatchCache cacheFor(String key) {
        if (!key.startsWith(ROOT)) {
            return null;
        }
        int slash = key.indexOf('/', ROOT.length());
        return slash < 0 ? null : byPlural.get(key.substring(ROOT.length(), slash));
    }

    private void sendBookmarks() {
        for (WatchCache c : byType.values()) {
            c.bookmark(rev -> ObjectCodec.bookmark(c.type(), rev));
        }
    }

    @Override
    public void stop() {
        running = false;
        readyAt = Long.MAX_VALUE;
        if (watch != null) {
            watch.dispose();
        }
        if (bookmarks != null) {
            bookmarks.dispose();
        }
        byType.values().forEach(WatchCache::completeWatchers);
        scheduler.dispose();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
