package io.kube4j.apiserver.storage.embedded;

import io.kube4j.apiserver.storage.CompactedException;
import io.kube4j.apiserver.storage.EtcdStorage;
import io.kube4j.apiserver.storage.ListPage;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageEvent;
import io.kube4j.apiserver.storage.StorageFullException;
import io.kube4j.apiserver.storage.StorageUnavailableException;
import io.kube4j.apiserver.storage.StoredObject;
import io.kube4j.apiserver.storage.WriteResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.RootReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@link Storage} in one local file, for a cluster that runs without etcd (the one-JVM local cluster). Same
 * semantics as {@link EtcdStorage}: one global revision, compare-and-swap writes, reads and paged lists at a
 * revision, watches that replay history then follow live changes exactly once, compaction, TTLs.
 *
 * <p>The engine is H2's MVStore (only the MVStore, no SQL): pure Java, so the store runs wherever the JVM does with
 * no native library to ship or load (SQLite's JDBC driver would need one per platform), and its copy-on-write
 * B-trees give readers consistent snapshots without locks while one thread writes.
 *
 * <p>Layout (kine's model): {@code revs} maps every revision to the record written at it (key, createRevision,
 * the key's previous record's revision, expiry, value or tombstone), so it is both the watch log and the history;
 * {@code latest} maps each key to its newest record (tombstones included until compaction, so a list at an old
 * revision still finds keys deleted since); {@code expiry} orders TTL'd records by deadline; {@code meta} holds the
 * revision and the compaction state. An old revision's state is found by following a key's previous-record chain.
 *
 * <p>Durability: one writer thread applies writes in order and group-commits: each batch is one MVStore commit
 * followed by an fsync, and no write of the batch is acknowledged (nor seen by readers or watches) before that, so
 * an acknowledged write survives {@code kill -9} and power loss. Readers read the last committed B-tree roots.
 *
 * <p>A full disk: MVStore closes itself when a write to its file fails. The writer then fails the batch (with
 * {@link StorageFullException} when the cause is ENOSPC/EDQUOT, the API's 507; else {@link StorageUnavailableException})
 * and reopens the file, which holds exactly the last fully written commit (a batch is one chunk: all of it or none),
 * so reads and watches go on from there and the next write tries again: writes work as soon as space is freed,
 * without a restart. No write of a failed batch was acknowledged; should one have reached the file anyway (the
 * commit written, its fsync failed), the reopened store has it and watchers replay it from the log.
 */
public final class EmbeddedStorage implements Storage {

    /** The store file inside the data directory. */
    public static final String FILE_NAME = "kube4j.mv.db";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedStorage.class);
    private static final int MAX_BATCH = 1024;
    /** Live events held for one watcher that is not reading; beyond this it is replayed from the log instead. */
    private static final int WATCH_QUEUE_LIMIT = 10_000;
    private static final int REPLAY_CHUNK = 1024;
    private static final int COMPACT_CHUNK = 20_000;
    private static final int EXPIRE_CHUNK = 10_000;
    private static final String META_REVISION = "revision";
    private static final String META_COMPACTED = "compacted";
    private static final String META_COMPACTED_UP_TO = "compactedUpTo";

    private final EmbeddedStorageConfig config;
    private final String fileName;
    /** The open store; replaced (by the writer) when a failed write made MVStore close it. Readers use the snapshot's. */
    private volatile Db db;
    // owned by the writer thread: the maps of db
    private MVStore store;
    private MVMap<Long, byte[]> revs;
    private MVMap<String, Long> latest;
    private MVMap<String, String> expiry;
    private MVMap<String, Long> meta;
    private final LongSupplier clock;
    private final MeterRegistry registry;
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

    private final BlockingQueue<Op<?>> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final ScheduledExecutorService expirer;
    private final ExecutorService watchDelivery;
    private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
    private volatile Snapshot snapshot;
    private volatile boolean closed;
    private volatile RuntimeException fatal;

    // owned by the writer thread
    private long revision;
    private long compacted;
    private long compactedUpTo;
    private List<StorageEvent> batchEvents;

    /** The committed state readers use: the B-tree roots and counters of the last fsynced commit. */
    private record Snapshot(Db db, RootReference<String, Long> latest, RootReference<Long, byte[]> revs, long revision,
                            long compacted) {
    }

    /** One opening of the store file and its maps. */
    private record Db(MVStore store, MVMap<Long, byte[]> revs, MVMap<String, Long> latest, MVMap<String, String> expiry,
                      MVMap<String, Long> meta, boolean readOnly) {
    }

    public EmbeddedStorage(EmbeddedStorageConfig config, MeterRegistry registry) {
        this(config, registry, System::currentTimeMillis);
    }

    /** {@code clock} gives wall-clock milliseconds for TTL deadlines (they must survive a restart). */
    public EmbeddedStorage(EmbeddedStorageConfig config, MeterRegistry registry, LongSupplier clock) {
        this(config, registry, clock, "");
    }

    /** {@code filePrefix} goes before the file name: an H2 file system scheme such as {@code "nioMapped:"} (tests). */
    EmbeddedStorage(EmbeddedStorageConfig config, MeterRegistry registry, LongSupplier clock, String filePrefix) {
        this.config = config;
        this.registry = registry;
        this.clock = clock;
        Path file = config.dataDir().resolve(FILE_NAME);
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create the embedded store's data directory " + config.dataDir()
                    + ": " + e.getMessage(), e);
        }
        fileName = filePrefix + file;
        try {
            use(open(false));
        } catch (MVStoreException e) {
            throw new IllegalStateException("cannot open the embedded store " + file + " (is another apiserver using"
                    + " this data directory?): " + e.getMessage(), e);
        }
        publishSnapshot();
        writer = new Thread(this::writeLoop, "embedded-store-writer");
        writer.setDaemon(true);
        writer.start();
        expirer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "embedded-store-expiry"));
        long every = config.expiryInterval().toMillis();
        expirer.scheduleWithFixedDelay(this::expireDue, every, every, TimeUnit.MILLISECONDS);
        watchDelivery = Executors.newFixedThreadPool(2, r -> daemon(r, "embedded-store-watch"));
        if (compactedUpTo < compacted) {
            // a compaction was interrupted by a stop: finish removing its superseded history
            submit(new CompactStep());
        }
        log.info("embedded storage: file={} size={} revision={} compacted={} keys={} retentionTime={}",
                file, store.getFileStore().size(), revision, compacted, latest.sizeAsLong(), config.retentionTime());
    }

    private Db open(boolean readOnly) {
        MVStore.Builder builder = new MVStore.Builder().fileName(fileName).autoCommitDisabled();
        if (readOnly) {
            builder.readOnly();
        }
        MVStore s = builder.open();
        try {
            s.setRetentionTime((int) Math.min(Integer.MAX_VALUE, config.retentionTime().toMillis()));
            // committed versions other than the newest are only read through registered snapshots
            s.setVersionsToKeep(0);
            return new Db(s, s.openMap("revs"), s.openMap("latest"), s.openMap("expiry"), s.openMap("meta"), readOnly);
        } catch (RuntimeException e) {
            s.closeImmediately();
            throw e;
        }
    }

    /** Makes {@code d} the store the writer writes to, with the counters as committed in it (writer thread). */
    private void use(Db d) {
        db = d;
        store = d.store;
        revs = d.revs;
        latest = d.latest;
        expiry = d.expiry;
        meta = d.meta;
        revision = meta.getOrDefault(META_REVISION, 0L);
        compacted = meta.getOrDefault(META_COMPACTED, 0L);
        compactedUpTo = meta.getOrDefault(META_COMPACTED_UP_TO, 0L);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    // ---------------------------------------------------------------- writes

    @Override
    public Mono<WriteResult> create(String key, byte[] value, Duration ttl) {
        return write("create", key, () -> {
            Record current = currentRecord(key);
            if (current != null) {
                return new WriteResult(false, current.stored(), revision);
            }
            Long tombstone = latest.get(key);
            long rev = ++revision;
            Record written = new Record(key, false, rev, rev, tombstone == null ? 0 : tombstone, deadline(ttl), value);
            put(written);
            batchEvents.add(new StorageEvent(StorageEvent.Type.PUT, written.stored(), null, rev));
            return new WriteResult(true, written.stored(), rev);
        });
    }

    @Override
    public Mono<WriteResult> update(String key, byte[] value, long expectedModRevision, Duration ttl) {
        return write("update", key, () -> {
            Record current = currentRecord(key);
            if (current == null || current.revision != expectedModRevision) {
                return new WriteResult(false, current == null ? null : current.stored(), revision);
            }
            long rev = ++revision;
            Record written = new Record(key, false, rev, current.createRevision, current.revision, deadline(ttl), value);
            supersede(current);
            put(written);
            batchEvents.add(new StorageEvent(StorageEvent.Type.PUT, written.stored(), current.stored(), rev));
            return new WriteResult(true, written.stored(), rev);
        });
    }

    @Override
    public Mono<WriteResult> delete(String key, long expectedModRevision) {
        return write("delete", key, () -> {
            Record current = currentRecord(key);
            if (current == null || (expectedModRevision != 0 && current.revision != expectedModRevision)) {
                return new WriteResult(false, current == null ? null : current.stored(), revision);
            }
            StoredObject deleted = deleteRecord(current);
            return new WriteResult(true, deleted, revision);
        });
    }

    /** Writes a tombstone for {@code current} (writer thread); returns the deleted object at the delete's revision. */
    private StoredObject deleteRecord(Record current) {
        long rev = ++revision;
        Record tombstone = new Record(current.key, true, rev, current.createRevision, current.revision, 0, new byte[0]);
        supersede(current);
        put(tombstone);
        StoredObject deleted = new StoredObject(current.key, current.value, current.createRevision, rev);
        batchEvents.add(new StorageEvent(StorageEvent.Type.DELETE, deleted, current.stored(), rev));
        return deleted;
    }

    private long deadline(Duration ttl) {
        return ttl == null || ttl.isZero() || ttl.isNegative() ? 0 : clock.getAsLong() + ttl.toMillis();
    }

    private void put(Record r) {
        revs.put(r.revision, r.encode());
        latest.put(r.key, r.revision);
        if (r.expiresAt != 0) {
            expiry.put(expiryKey(r.expiresAt, r.revision), r.key);
        }
    }

    /** A record replaced by a newer one no longer expires. */
    private void supersede(Record r) {
        if (r.expiresAt != 0) {
            expiry.remove(expiryKey(r.expiresAt, r.revision));
        }
    }

    private static String expiryKey(long expiresAt, long revision) {
        return String.format("%016x%016x", expiresAt, revision);
    }

    /** The live record of {@code key} in the writer's (uncommitted) state, or null. */
    private Record currentRecord(String key) {
        Long rev = latest.get(key);
        if (rev == null) {
            return null;
        }
        Record r = Record.decode(revs.get(rev));
        return r.tombstone ? null : r;
    }

    /** Deletes keys whose TTL has passed, as etcd does when their lease expires (DELETE events included). */
    private void expireDue() {
        if (closed || fatal != null) {
            return;
        }
        submit(new Op<Integer>() {
            @Override
            Integer apply() {
                long now = clock.getAsLong();
                int expired = 0;
                List<String> due = new ArrayList<>();
                Cursor<String, String> c = expiry.cursor(null);
                while (c.hasNext() && due.size() < EXPIRE_CHUNK) {
                    String k = c.next();
                    if (Long.parseUnsignedLong(k.substring(0, 16), 16) > now) {
                        break;
                    }
                    due.add(k);
                }
                for (String k : due) {
                    String key = expiry.remove(k);
                    long rev = Long.parseUnsignedLong(k.substring(16), 16);
                    Long newest = latest.get(key);
                    if (newest != null && newest == rev) {
                        Record current = currentRecord(key);
                        if (current != null) {
                            deleteRecord(current);
                            expired++;
                        }
                    }
                }
                return expired;
            }
        });
    }

    @Override
    public Mono<Void> compact(long target) {
        return write("compact", null, () -> {
            if (target <= compacted) {
                throw new CompactedException(target, compacted);
            }
            if (target > revision) {
                throw new IllegalArgumentException("cannot compact at revision " + target
                        + ": it is newer than the store's revision " + revision);
            }
            compacted = target;
            meta.put(META_COMPACTED, compacted);
            // the revisions are unreadable from now on; the superseded history goes in steps between other writes
            queue.add(new CompactStep());
            return null;
        }).then();
    }

    /**
     * Removes, for records in [compactedUpTo, compacted), the record each one superseded, and tombstones themselves:
     * what remains at or below the compact revision is exactly the state at that revision.
     */
    private final class CompactStep extends Op<Void> {
        @Override
        Void apply() {
            long target = compacted;
            long next = compactedUpTo;
            int done = 0;
            Cursor<Long, byte[]> c = revs.cursor(next);
            while (c.hasNext() && done < COMPACT_CHUNK) {
                long rev = c.next();
                if (rev >= target) {
                    break;
                }
                Record r = Record.decode(c.getValue());
                if (r.previous != 0) {
                    revs.remove(r.previous);
                }
                if (r.tombstone) {
                    revs.remove(rev);
                    latest.remove(r.key, rev);
                }
                next = rev + 1;
                done++;
            }
            boolean finished = done < COMPACT_CHUNK;
            compactedUpTo = finished ? target : next;
            meta.put(META_COMPACTED_UP_TO, compactedUpTo);
            if (finished) {
                // rewrite sparsely filled chunks so freed space is reused instead of the file growing
                store.compact(60, 4 << 20);
            } else {
                queue.add(new CompactStep());
            }
            return null;
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Mono<StoredObject> get(String key) {
        return read("get", key, 0, s -> {
            Long rev = s.db.latest.get(s.latest.root, key);
            Record r = rev == null ? null : visibleAt(s, rev, s.revision);
            return r == null ? null : r.stored();
        });
    }

    @Override
    public Mono<ListPage> list(String prefix, String startKey, long limit, long atRevision) {
        if (startKey != null && !startKey.startsWith(prefix)) {
            return Mono.error(new IllegalArgumentException(
                    "start key " + startKey + " is outside the listed prefix " + prefix));
        }
        if (limit < 0 || atRevision < 0) {
            return Mono.error(new IllegalArgumentException("limit and revision must not be negative"));
        }
        return read("list", prefix, atRevision, s -> {
            if (atRevision > s.revision) {
                throw new StorageUnavailableException("revision " + atRevision
                        + " is newer than the embedded store's current revision " + s.revision, null);
            }
            if (atRevision > 0 && atRevision < s.compacted) {
                throw new CompactedException(atRevision, s.compacted);
            }
            long at = atRevision > 0 ? atRevision : s.revision;
            List<StoredObject> items = new ArrayList<>();
            long remaining = 0;
            Cursor<String, Long> c = s.db.latest.cursor(s.latest, startKey != null ? startKey : prefix, null, false);
            while (c.hasNext()) {
                String key = c.next();
                if (!key.startsWith(prefix)) {
                    break;
                }
                long rev = c.getValue();
                if (limit > 0 && items.size() >= limit) {
                    if (existsAt(s, rev, at)) {
                        remaining++;
                    }
                } else {
                    Record r = visibleAt(s, rev, at);
                    if (r != null) {
                        items.add(r.stored());
                    }
                }
            }
            return new ListPage(List.copyOf(items), at, remaining > 0, remaining);
        });
    }

    /** The record of a key live at revision {@code at}, following the chain back from its newest record {@code rev}. */
    private Record visibleAt(Snapshot s, long rev, long at) {
        while (rev != 0) {
            byte[] bytes = s.db.revs.get(s.revs.root, rev);
            if (bytes == null) {
                return null; // compacted away: a tombstone at or before the compact revision, so absent at 'at'
            }
            if (rev <= at) {
                Record r = Record.decode(bytes);
                return r.tombstone ? null : r;
            }
            rev = Record.previousOf(bytes);
        }
        return null;
    }

    private boolean existsAt(Snapshot s, long rev, long at) {
        while (rev != 0) {
            byte[] bytes = s.db.revs.get(s.revs.root, rev);
            if (bytes == null) {
                return false;
            }
            if (rev <= at) {
                return !Record.isTombstone(bytes);
            }
            rev = Record.previousOf(bytes);
        }
        return false;
    }

    @Override
    public Mono<Long> currentRevision() {
        return read("get", null, 0, Snapshot::revision);
    }

    // ---------------------------------------------------------------- watch

    @Override
    public Flux<StorageEvent> watch(String prefix, long afterRevision) {
        if (afterRevision < 0) {
            return Flux.error(new IllegalArgumentException("afterRevision must not be negative"));
        }
        return Flux.create(sink -> {
            if (closed || fatal != null) {
                sink.error(unavailable("watch " + prefix));
                return;
            }
            Watcher w = new Watcher(prefix, afterRevision, sink);
            // registered before the first snapshot is read, so no committed event can fall between replay and live
            watchers.add(w);
            long compactedNow = snapshot.compacted;
            if (afterRevision + 1 < compactedNow) {
                watchers.remove(w);
                sink.error(new CompactedException(afterRevision + 1, compactedNow));
                return;
            }
            sink.onRequest(n -> w.schedule());
            sink.onDispose(() -> {
                w.cancelled = true;
                watchers.remove(w);
            });
            w.schedule();
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    /**
     * One watch. Committed events arrive from the writer into {@link #live}; the watcher emits only what its
     * subscriber requested. It starts by replaying the log after its revision, and goes back to replaying from the
     * log whenever its live queue overflows, so a slow watcher is delayed, never silently short of events.
     */
    private final class Watcher {
        final String prefix;
        final FluxSink<StorageEvent> sink;
        final AtomicInteger wip = new AtomicInteger();
        final ArrayDeque<StorageEvent> replayed = new ArrayDeque<>();
        /** Guarded by this: events offered by the writer, the replay flag, the newest event dropped by an overflow. */
        final ArrayDeque<StorageEvent> live = new ArrayDeque<>();
        boolean replaying = true;
        long droppedUpTo;
        /** Delivery thread only: every revision up to here has been looked at. */
        long position;
        volatile boolean cancelled;

        Watcher(String prefix, long afterRevision, FluxSink<StorageEvent> sink) {
            this.prefix = prefix;
            this.position = afterRevision;
            this.sink = sink;
        }

        void offer(List<StorageEvent> events) {
            boolean any = false;
            synchronized (this) {
                for (StorageEvent e : events) {
                    if (!e.object().key().startsWith(prefix)) {
                        continue;
                    }
                    any = true;
                    if (live.size() >= WATCH_QUEUE_LIMIT) {
                        // too far behind: drop what is queued and read it again from the log when the watcher reads
                        droppedUpTo = Math.max(droppedUpTo, live.peekLast().revision());
                        live.clear();
                        replaying = true;
                    }
                    live.add(e);
                }
            }
            if (any) {
                schedule();
            }
        }

        /** The store was reopened at {@code revision}: read everything up to it from the log again. */
        void resync(long revision) {
            synchronized (this) {
                droppedUpTo = Math.max(droppedUpTo, revision);
                replaying = true;
            }
            schedule();
        }

        void schedule() {
            if (wip.getAndIncrement() == 0) {
                try {
                    watchDelivery.execute(this::drain);
                } catch (RuntimeException e) {
                    wip.set(0); // delivery pool shut down: the store is closing
                }
            }
        }

        void fail(RuntimeException e) {
            cancelled = true;
            watchers.remove(this);
            sink.error(e);
        }

        private void drain() {
            int missed = 1;
            do {
                try {
                    while (!cancelled && sink.requestedFromDownstream() > 0) {
                        StorageEvent e = next();
                        if (e == null) {
                            break;
                        }
                        sink.next(e);
                    }
                } catch (RuntimeException e) {
                    fail(e);
                    return;
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }

        private StorageEvent next() {
            if (!replayed.isEmpty()) {
                return replayed.poll();
            }
            while (isReplaying()) {
                Snapshot s = readSnapshot();
                try {
                    if (position + 1 < s.compacted) {
                        throw new CompactedException(position + 1, s.compacted);
                    }
                    if (position >= s.revision) {
                        synchronized (this) {
                            if (droppedUpTo <= position) {
                                replaying = false;
                            }
                        }
                        if (isReplaying()) {
                            Thread.onSpinWait(); // the newer snapshot is already published; read it again
                        }
                        continue;
                    }
                    try {
                        Cursor<Long, byte[]> c = s.db.revs.cursor(s.revs, position + 1, s.revision, false);
                        int scanned = 0;
                        while (c.hasNext() && scanned < REPLAY_CHUNK) {
                            long rev = c.next();
                            Record r = Record.decode(c.getValue());
                            if (r.key.startsWith(prefix)) {
                                replayed.add(eventOf(s, r));
                            }
                            position = rev;
                            scanned++;
                        }
                        if (!c.hasNext()) {
                            position = s.revision;
                        }
                    } catch (MVStoreException e) {
                        // the store was closed under this read by a failed write: go on in the reopened one
                        awaitReopen(s.db, e);
                    }
                } finally {
                    release();
                }
                if (!replayed.isEmpty()) {
                    return replayed.poll();
                }
            }
            synchronized (this) {
                StorageEvent e;
                while ((e = live.poll()) != null) {
                    if (e.revision() > position) {
                        position = e.revision();
                        return e;
                    }
                }
            }
            return null;
        }

        private synchronized boolean isReplaying() {
            return replaying;
        }
    }

    /** The event a logged record stands for (replay), with the previous value read from the record it replaced. */
    private StorageEvent eventOf(Snapshot s, Record r) {
        Record previous = null;
        if (r.previous != 0) {
            byte[] bytes = s.db.revs.get(s.revs.root, r.previous);
            previous = bytes == null ? null : Record.decode(bytes);
        }
        if (r.tombstone) {
            byte[] last = previous != null ? previous.value : new byte[0];
            return new StorageEvent(StorageEvent.Type.DELETE,
                    new StoredObject(r.key, last, r.createRevision, r.revision),
                    previous != null ? previous.stored() : null, r.revision);
        }
        StoredObject before = previous != null && !previous.tombstone ? previous.stored() : null;
        return new StorageEvent(StorageEvent.Type.PUT, r.stored(), before, r.revision);
    }

    // ---------------------------------------------------------------- the writer

    private abstract static class Op<T> {
        final CompletableFuture<T> done = new CompletableFuture<>();
        T result;
        RuntimeException failure;

        abstract T apply();
    }

    private <T> void submit(Op<T> op) {
        if (fatal != null || closed) {
            op.done.completeExceptionally(unavailable("write"));
            return;
        }
        queue.add(op);
    }

    private void writeLoop() {
        List<Op<?>> batch = new ArrayList<>();
        try {
            while (!closed || !queue.isEmpty()) {
                Op<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                applyBatch(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            fatal = new StorageUnavailableException("the embedded store failed and stopped: " + e, e);
            log.error("embedded store writer failed; the store is unavailable until restarted", e);
            batch.forEach(op -> op.done.completeExceptionally(fatal));
            Op<?> op;
            while ((op = queue.poll()) != null) {
                op.done.completeExceptionally(fatal);
            }
            watchers.forEach(w -> w.fail(fatal));
        }
    }

    private void applyBatch(List<Op<?>> batch) {
        if (db.readOnly) {
            // the last reopen after a failed write could only open the file for reading: try to write again
            RuntimeException refused = reopen(null);
            if (refused != null) {
                batch.forEach(op -> op.done.completeExceptionally(refused));
                return;
            }
        }
        List<StorageEvent> events = new ArrayList<>();
        batchEvents = events;
        long revisionBefore = revision;
        try {
            for (Op<?> op : batch) {
                try {
                    applyOne(op);
                } catch (MVStoreException e) {
                    throw e;
                } catch (RuntimeException e) {
                    op.failure = e;
                }
            }
            if (store.hasUnsavedChanges()) {
                meta.put(META_REVISION, revision);
                store.commit();
                store.sync();
            }
        } catch (MVStoreException e) {
            RuntimeException failure = writeFailure(e);
            RuntimeException still = reopen(e);
            if (revision != revisionBefore) {
                // the failed commit reached the file after all: nobody was told, but watchers must still see it
                log.warn("embedded store: a failed commit is in the file after all (revision {} -> {})",
                        revisionBefore, revision);
                watchers.forEach(w -> w.resync(revision));
            }
            RuntimeException reported = still != null && !(failure instanceof StorageFullException) ? still : failure;
            batch.forEach(op -> op.done.completeExceptionally(reported));
            return;
        }
        publishSnapshot();
        for (Op<?> op : batch) {
            complete(op);
        }
        if (failing && !events.isEmpty()) {
            failing = false;
            log.info("embedded store: writes succeed again at revision {}", revision);
        }
        if (!events.isEmpty()) {
            for (Watcher w : watchers) {
                w.offer(events);
            }
        }
    }

    /**
     * The API's view of a failed write: {@link StorageFullException} when the disk is full (ENOSPC) or the quota is
     * used up (EDQUOT), else {@link StorageUnavailableException}.
     */
    static StorageUnavailableException writeFailure(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (c instanceof IOException && (m.contains("No space left on device") || m.contains("Disk quota exceeded")
                    || m.contains("ENOSPC") || m.contains("EDQUOT"))) {
                return new StorageFullException("the embedded store's disk is full: " + m, e);
            }
        }
        return new StorageUnavailableException("the embedded store could not write its file: " + e.getMessage(), e);
    }

    private final AtomicInteger reopens = new AtomicInteger();
    private volatile boolean failing;

    /**
     * Closes the store (MVStore has usually closed itself already after a failed write) and opens the file again,
     * read-write if it can, else read-only so reads go on; publishes the reopened state (writer thread). Returns
     * null when writable again, else why not.
     */
    private RuntimeException reopen(Throwable cause) {
        if (cause != null && !failing) {
            failing = true;
            log.error("embedded store: a write to {} failed; failing writes and reopening the store: {}", fileName,
                    String.valueOf(cause.getMessage()));
        }
        reopens.incrementAndGet();
        try {
            db.store.closeImmediately();
        } catch (RuntimeException ignored) {
            // already closed by MVStore itself
        }
        RuntimeException refused = null;
        try {
            use(open(false));
        } catch (MVStoreException e) {
            refused = writeFailure(e);
            try {
                use(open(true));
            } catch (MVStoreException readOnly) {
                // neither: the store is gone; the writer loop turns this into the fatal state
                e.addSuppressed(readOnly);
                throw new IllegalStateException("cannot reopen the embedded store " + fileName + ": " + e.getMessage(), e);
            }
        }
        publishSnapshot();
        if (refused == null && cause == null && failing) {
            failing = false;
            log.info("embedded store: writable again at revision {}", revision);
        }
        return refused;
    }

    /** How many times the store was reopened after a failed write (tests, metrics). */
    int reopenCount() {
        return reopens.get();
    }

    private static <T> void applyOne(Op<T> op) {
        op.result = op.apply();
    }

    private static <T> void complete(Op<T> op) {
        if (op.failure != null) {
            op.done.completeExceptionally(op.failure);
        } else {
            op.done.complete(op.result);
        }
    }

    private void publishSnapshot() {
        snapshot = new Snapshot(db, latest.getRoot(), revs.getRoot(), revision, compacted);
    }

    // ---------------------------------------------------------------- plumbing

    private interface WriterFunction<T> {
        T apply();
    }

    private <T> Mono<T> write(String operation, String key, WriterFunction<T> body) {
        return timed(operation, key, Mono.defer(() -> {
            Op<T> op = new Op<>() {
                @Override
                T apply() {
                    return body.apply();
                }
            };
            submit(op);
            // acknowledged off the writer thread: what the caller does next must not hold up the next batch
            return Mono.fromFuture(op.done).publishOn(Schedulers.parallel());
        }));
    }

    private <T> Mono<T> read(String operation, String key, long requestedRevision,
                             java.util.function.Function<Snapshot, T> body) {
        return timed(operation, key, Mono.fromSupplier(() -> {
            if (closed || fatal != null) {
                throw unavailable(operation + (key != null ? " " + key : ""));
            }
            for (int attempt = 0; ; attempt++) {
                Snapshot s = readSnapshot();
                try {
                    return body.apply(s);
                } catch (MVStoreException e) {
                    if (attempt > 0) {
                        throw new StorageUnavailableException("embedded store read failed (" + operation + "): "
                                + e.getMessage(), e);
                    }
                    // the store was closed under this read by a failed write: read again from the reopened one
                    awaitReopen(s.db, e);
                } finally {
                    release();
                }
            }
        }));
    }

    /** Waits (briefly: the writer reopens right after the failure) until the store {@code old} has been replaced. */
    private void awaitReopen(Db old, MVStoreException cause) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (snapshot.db == old) {
            if (closed || fatal != null || System.nanoTime() > deadline) {
                throw new StorageUnavailableException("embedded store unavailable: " + cause.getMessage(), cause);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private record Usage(MVStore store, MVStore.TxCounter counter) {
    }

    private final ThreadLocal<ArrayDeque<Usage>> usages = ThreadLocal.withInitial(ArrayDeque::new);

    /**
     * The last committed snapshot, with its MVStore version registered as in use so that the file space of pages it
     * reaches is not reused while it is read. Pair with {@link #release()} on the same thread.
     */
    private Snapshot readSnapshot() {
        while (true) {
            Db d = snapshot.db;
            MVStore.TxCounter counter = d.store.registerVersionUsage();
            Snapshot s = snapshot;
            if (s.db == d) {
                usages.get().push(new Usage(d.store, counter));
                return s;
            }
            d.store.deregisterVersionUsage(counter); // reopened meanwhile: register with the new store
        }
    }

    private void release() {
        Usage u = usages.get().pop();
        u.store.deregisterVersionUsage(u.counter);
    }

    private <T> Mono<T> timed(String operation, String key, Mono<T> mono) {
        Timer timer = timers.computeIfAbsent(operation + '\n' + EtcdStorage.resourceOf(key), k -> Timer
                .builder(EtcdStorage.METRIC)
                .description("Duration of store requests by operation and resource type")
                .tag("operation", operation)
                .tag("type", EtcdStorage.resourceOf(key))
                .tag("backend", "embedded")
                .publishPercentileHistogram()
                .register(registry));
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return mono.doFinally(signal -> timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
        });
    }

    private StorageUnavailableException unavailable(String what) {
        RuntimeException f = fatal;
        return f != null ? new StorageUnavailableException("embedded store unavailable for " + what + ": "
                + f.getMessage(), f) : new StorageUnavailableException("embedded store is closed (" + what + ")", null);
    }

    /** Size of the store file in bytes (for benchmarks and the log). */
    public long fileSize() {
        return db.store.getFileStore().size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        expirer.shutdownNow();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // a write that raced with close after the writer's last look at the queue is refused, not left hanging
        Op<?> late;
        while ((late = queue.poll()) != null) {
            late.done.completeExceptionally(unavailable("write"));
        }
        watchers.forEach(w -> w.fail(new StorageUnavailableException("embedded store closed", null)));
        watchDelivery.shutdown();
        MVStore s = db.store;
        if (fatal == null && !s.isClosed() && !db.readOnly) {
            try {
                s.close();
                return;
            } catch (MVStoreException e) {
                log.warn("embedded store: closing {} failed (its last commit stays on disk): {}", fileName, e.getMessage());
            }
        }
        s.closeImmediately();
    }

    // ---------------------------------------------------------------- records

    /**
     * One record of {@code revs}: flags (tombstone), createRevision, previous record of the same key (0: none),
     * expiry deadline in epoch ms (0: none), key, value. The revision is the map key.
     */
    private record Record(String key, boolean tombstone, long revision, long createRevision, long previous,
                          long expiresAt, byte[] value) {

        private static final int PREVIOUS_OFFSET = 1 + 8;

        StoredObject stored() {
            return new StoredObject(key, value, createRevision, revision);
        }

        byte[] encode() {
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(1 + 8 * 4 + 4 + k.length + value.length);
            b.put((byte) (tombstone ? 1 : 0)).putLong(revision).putLong(previous).putLong(createRevision)
                    .putLong(expiresAt).putInt(k.length).put(k).put(value);
            return b.array();
        }

        static Record decode(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            boolean tombstone = b.get() == 1;
            long revision = b.getLong();
            long previous = b.getLong();
            long createRevision = b.getLong();
            long expiresAt = b.getLong();
            byte[] k = new byte[b.getInt()];
            b.get(k);
            byte[] value = new byte[b.remaining()];
            b.get(value);
            return new Record(new String(k, StandardCharsets.UTF_8), tombstone, revision, createRevision, previous,
                    expiresAt, value);
        }

        static long previousOf(byte[] bytes) {
            return ByteBuffer.wrap(bytes).getLong(PREVIOUS_OFFSET);
        }

        static boolean isTombstone(byte[] bytes) {
            return bytes[0] == 1;
        }
    }
}
