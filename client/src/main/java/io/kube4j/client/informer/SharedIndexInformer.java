package io.kube4j.client.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.watch.WatchEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A cache of one resource (optionally one namespace, label- and field-selected) kept current by list-then-watch, that
 * fans changes out to any number of {@link ResourceEventHandler}s (client-go's {@code SharedIndexInformer}).
 *
 * <p>Lists in pages of {@value #PAGE_SIZE}, then watches from the list's resourceVersion with bookmarks; a watch that
 * ends with 410 Gone triggers a relist whose difference to the cache is delivered (deletes found that way carry
 * {@code finalStateUnknown=true}). Events not newer than what the cache holds are dropped, so a replayed or duplicate
 * event never reaches a handler.
 */
public final class SharedIndexInformer<T extends HasMetadata> {

    static final long PAGE_SIZE = 500;
    private static final Logger log = LoggerFactory.getLogger(SharedIndexInformer.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    private final ResourceClient<T> client;
    private final String namespace;
    private final ListOptions options;
    private final Duration resyncPeriod;
    private final Indexer<T> indexer;
    private final Lister<T> lister;
    private final String name;
    private final Duration errorBackoff;

    /** Guards the cache, the last resourceVersion and the handler list together, so every handler sees every change once. */
    private final Object lock = new Object();
    private final List<HandlerDispatcher<T>> dispatchers = new CopyOnWriteArrayList<>();
    private volatile String lastResourceVersion;
    private volatile boolean synced;
    /** Whether the current watch has delivered anything since the last failure (which resets the backoff). */
    private volatile boolean watchDelivered;
    private volatile boolean started;
    private volatile boolean stopped;
    private final Sinks.Empty<Void> stopSignal = Sinks.empty();
    private Thread loop;
    private ScheduledExecutorService resync;

    public SharedIndexInformer(ResourceClient<T> client, String namespace, ListOptions options, Duration resyncPeriod,
                               Map<String, Function<T, List<String>>> indexers) {
        this(client, namespace, options, resyncPeriod, indexers, Duration.ofSeconds(1));
    }

    SharedIndexInformer(ResourceClient<T> client, String namespace, ListOptions options, Duration resyncPeriod,
                        Map<String, Function<T, List<String>>> indexers, Duration errorBackoff) {
        this.client = Objects.requireNonNull(client);
        this.namespace = namespace;
        this.options = options == null ? ListOptions.all() : options;
        this.resyncPeriod = resyncPeriod == null ? Duration.ZERO : resyncPeriod;
        this.indexer = new Indexer<>(indexers);
        this.lister = new Lister<>(indexer);
        this.errorBackoff = errorBackoff;
        this.name = "informer-" + IDS.incrementAndGet();
    }

    public SharedIndexInformer(ResourceClient<T> client, String namespace, ListOptions options, Duration resyncPeriod) {
        this(client, namespace, options, resyncPeriod, Indexers.defaults());
    }

    public Indexer<T> getIndexer() {
        return indexer;
    }

    public Lister<T> lister() {
        return lister;
    }

    /** True once the first list is in the cache and has been queued to every handler registered so far. */
    public boolean hasSynced() {
        return synced;
    }

    /** The newest resourceVersion seen: from the last list, watch event or bookmark. */
    public String lastSyncResourceVersion() {
        return lastResourceVersion;
    }

    public boolean isRunning() {
        return started && !stopped;
    }

    /**
     * Registers a handler. When the cache is already synced it first receives {@code onAdd} for every cached object,
     * then every later change, on a thread of its own.
     */
    public void addEventHandler(ResourceEventHandler<T> handler) {
        HandlerDispatcher<T> d = new HandlerDispatcher<>(handler, name + "-handler-" + dispatchers.size());
        synchronized (lock) {
            if (stopped) {
                throw new IllegalStateException("informer is stopped");
            }
            if (synced) {
                for (T obj : indexer.list()) {
                    d.add(obj);
                }
            }
            dispatchers.add(d);
        }
    }

    /** Starts listing and watching on a thread of its own; a second call does nothing. */
    public synchronized void start() {
        if (started) {
            return;
        }
        if (stopped) {
            throw new IllegalStateException("informer is stopped");
        }
        started = true;
        loop = new Thread(this::run, name);
        loop.setDaemon(true);
        loop.start();
        if (!resyncPeriod.isZero() && !resyncPeriod.isNegative()) {
            resync = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, name + "-resync");
                t.setDaemon(true);
                return t;
            });
            long ms = resyncPeriod.toMillis();
            resync.scheduleAtFixedRate(this::resync, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        stopSignal.tryEmitEmpty();
        if (resync != null) {
            resync.shutdownNow();
        }
        if (loop != null) {
            loop.interrupt();
        }
        for (HandlerDispatcher<T> d : dispatchers) {
            d.stop();
        }
    }

    private void run() {
        boolean needList = true;
        Duration backoff = errorBackoff;
        while (!stopped) {
            try {
                if (needList) {
                    relist();
                    needList = false;
                    // a list that worked ends a run of failures: the next one starts again from the shortest wait
                    backoff = errorBackoff;
                }
                String from = lastResourceVersion;
                client.watch(namespace, watchOptions(), from)
                        .takeUntilOther(stopSignal.asMono())
                        .doOnNext(e -> {
                            onEvent(e);
                            watchDelivered = true;
                        })
                        .blockLast();
                // The stream ended without an error: resume from the newest version seen. The client's watch resumes
                // by itself after a server timeout, so it ends normally only when its client was closed: one that
                // delivered nothing is retried after the backoff, never in a loop that would spin a core for as
                // long as the process lives.
                if (watchDelivered) {
                    watchDelivered = false;
                    backoff = errorBackoff;
                } else if (!stopped) {
                    log.debug("{}: the watch ended without an event, watching again in {}", name, backoff);
                    if (!sleep(backoff)) {
                        return;
                    }
                    backoff = longer(backoff);
                }
            } catch (RuntimeException e) {
                if (watchDelivered) {
                    // The client's watch reconnects by itself, so the stream rarely ends normally: a watch that
                    // delivered events was a success, and the failure after it is the first of a new run.
                    backoff = errorBackoff;
                    watchDelivered = false;
                }
                if (stopped) {
                    return;
                }
                Throwable cause = Exceptions.unwrap(e);
                if (cause instanceof ApiStatusException.Gone) {
                    log.info("{}: resourceVersion {} is too old, relisting", name, lastResourceVersion);
                    needList = true;
                    continue;
                }
                log.warn("{}: list/watch failed ({}), retrying in {}", name, cause.toString(), backoff);
                if (!sleep(backoff)) {
                    return;
                }
                backoff = longer(backoff);
            }
        }
    }

    private static Duration longer(Duration backoff) {
        return backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0
                ? Duration.ofSeconds(30) : backoff.multipliedBy(2);
    }

    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private ListOptions watchOptions() {
        return options.withLimit(0, null).withResourceVersion(null).withBookmarks(true);
    }

    /** Lists every page (limit + continue) and replaces the cache with the result. */
    private void relist() {
        List<T> items = new ArrayList<>();
        String continueToken = null;
        String rv = null;
        do {
            KubernetesResourceList<T> page = client.list(namespace,
                            options.withLimit(PAGE_SIZE, continueToken).withResourceVersion(null))
                    .takeUntilOther(stopSignal.asMono())
                    .block();
            if (page == null) {
                if (stopped) {
                    throw new IllegalStateException("stopped");
                }
                throw new IllegalStateException("empty list answer");
            }
            if (page.getItems() != null) {
                items.addAll(page.getItems());
            }
            if (page.getMetadata() != null) {
                if (rv == null) {
                    // every page of one list is served at the first page's revision
                    rv = page.getMetadata().getResourceVersion();
                }
                continueToken = page.getMetadata().getContinue();
            } else {
                continueToken = null;
            }
        } while (continueToken != null && !continueToken.isEmpty());
        synchronized (lock) {
            if (stopped) {
                return;
            }
            Indexer.Diff<T> diff = indexer.replace(items, rv);
            for (HandlerDispatcher<T> d : dispatchers) {
                diff.added().forEach(d::add);
                diff.updated().forEach(u -> d.update(u.oldObj(), u.newObj()));
                diff.deleted().forEach(o -> d.delete(o, true));
            }
            lastResourceVersion = rv;
            synced = true;
        }
        log.debug("{}: listed {} objects at resourceVersion {}", name, items.size(), rv);
    }

    private void onEvent(WatchEvent<T> event) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            T obj = event.object();
            String eventRv = event.resourceVersion() != null ? event.resourceVersion() : ResourceVersions.of(obj);
            if (event.type() == WatchEvent.Type.BOOKMARK) {
                lastResourceVersion = ResourceVersions.max(lastResourceVersion, eventRv);
                return;
            }
            // A watch delivers in revision order: anything at or below the newest version seen is a replay.
            if (lastResourceVersion != null && eventRv != null
                    && !ResourceVersions.isNewer(eventRv, lastResourceVersion)) {
                return;
            }
            lastResourceVersion = eventRv;
            String key = Indexer.keyOf(obj);
            T old = indexer.get(key);
            // The event's version (for a delete: the deletion's revision, which the object may not carry).
            if (old != null && !ResourceVersions.isNewer(eventRv, ResourceVersions.of(old))) {
                return;
            }
            switch (event.type()) {
                case ADDED, MODIFIED -> {
                    indexer.update(obj);
                    for (HandlerDispatcher<T> d : dispatchers) {
                        if (old == null) {
                            d.add(obj);
                        } else {
                            d.update(old, obj);
                        }
                    }
                }
                case DELETED -> {
                    if (old == null) {
                        return;
                    }
                    indexer.deleteKey(key);
                    for (HandlerDispatcher<T> d : dispatchers) {
                        d.delete(obj, false);
                    }
                }
                default -> {
                }
            }
        }
    }

    /** Re-delivers every cached object as {@code onUpdate(obj, obj)}, so handlers can re-check what they own. */
    void resync() {
        synchronized (lock) {
            if (!synced || stopped) {
                return;
            }
            List<T> all = indexer.list();
            for (HandlerDispatcher<T> d : dispatchers) {
                for (T obj : all) {
                    d.update(obj, obj);
                }
            }
        }
    }

    @Override
    public String toString() {
        return name + "[namespace=" + namespace + ", labels=" + options.labelSelector() + ", fields="
                + options.fieldSelector() + "]";
    }
}
