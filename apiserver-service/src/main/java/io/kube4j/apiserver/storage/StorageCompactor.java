package io.kube4j.apiserver.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * Compacts the store's history periodically, as kube-apiserver's {@code --etcd-compaction-interval} compactor does:
 * every interval it compacts to the store revision it saw one interval earlier, so watchers and paged lists get at
 * least one interval to finish. Several apiservers on one store coordinate through {@link #KEY}: each tick is a
 * compare-and-swap on that key against the modRevision this apiserver last saw; only the winner compacts, the others
 * learn the key's new revision and try again next interval (Kubernetes' {@code compact_rev_key}).
 */
public final class StorageCompactor implements AutoCloseable {

    /** The coordination key, outside {@code /registry/} so no watch cache or encryption sees it. */
    public static final String KEY = "/kube4j/compact_rev_key";

    private static final Logger log = LoggerFactory.getLogger(StorageCompactor.class);
    private static final byte[] EMPTY = new byte[0];

    private final Storage storage;
    private final Duration interval;
    /** The key's modRevision as this apiserver last saw it (0: not seen). Only touched by ticks, one at a time. */
    private long keyRevision;
    /** The store revision observed at the previous tick: what the next winning tick compacts to (0: nothing yet). */
    private long observedRevision;
    private Disposable ticks;

    public StorageCompactor(Storage storage, Duration interval) {
        this.storage = storage;
        this.interval = interval;
    }

    public void start() {
        if (interval.isZero()) {
            log.info("storage compaction disabled (kube4j.apiserver.compaction-interval=0)");
            return;
        }
        log.info("storage compaction every {}", interval);
        ticks = Flux.interval(interval, interval)
                .onBackpressureDrop()
                .concatMap(t -> tick().onErrorResume(e -> {
                    log.warn("storage compaction failed (next attempt in {}): {}", interval, e.toString());
                    return Mono.empty();
                }), 1)
                .subscribe();
    }

    /**
     * One interval: claims it with a compare-and-swap on {@link #KEY} and, when this apiserver wins, compacts to the
     * revision seen at the previous tick. Emits the compacted revision, or nothing when another apiserver won or this
     * is the first tick.
     */
    Mono<Long> tick() {
        Mono<WriteResult> claim = keyRevision == 0
                ? storage.create(KEY, EMPTY, null)
                : storage.update(KEY, EMPTY, keyRevision, null);
        return claim.flatMap(r -> {
            if (!r.succeeded()) {
                // another apiserver claimed the interval (or this one has not seen the key yet): follow it
                keyRevision = r.object() == null ? 0 : r.object().modRevision();
                observedRevision = r.revision();
                return Mono.empty();
            }
            long target = observedRevision;
            keyRevision = r.object().modRevision();
            observedRevision = r.revision();
            if (target == 0) {
                return Mono.empty();
            }
            return storage.compact(target)
                    .then(Mono.fromSupplier(() -> {
                        log.info("compacted the store at revision {}", target);
                        return target;
                    }))
                    // compacted already (by hand, or an apiserver that lost track of the key): nothing to do
                    .onErrorResume(CompactedException.class, e -> Mono.empty());
        });
    }

    @Override
    public void close() {
        if (ticks != null) {
            ticks.dispose();
        }
    }
}
