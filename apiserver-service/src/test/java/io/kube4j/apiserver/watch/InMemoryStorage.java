package io.kube4j.apiserver.watch;

import io.kube4j.apiserver.storage.CompactedException;
import io.kube4j.apiserver.storage.ListPage;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageEvent;
import io.kube4j.apiserver.storage.StorageUnavailableException;
import io.kube4j.apiserver.storage.StoredObject;
import io.kube4j.apiserver.storage.WriteResult;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A revisioned in-memory store for unit tests of the watch cache's logic only (integration tests use etcd).
 * Watches can be held back and then broken, to make a watcher fall behind a compaction deterministically.
 */
final class InMemoryStorage implements Storage {

    private final TreeMap<String, StoredObject> data = new TreeMap<>();
    private final List<StorageEvent> history = new ArrayList<>();
    private final List<Sub> subs = new CopyOnWriteArrayList<>();
    private long revision = 1;
    private long compacted;
    private boolean held;

    private record Sub(String prefix, FluxSink<StorageEvent> sink) {
    }

    synchronized void put(String key, String value) {
        revision++;
        StoredObject prev = data.get(key);
        StoredObject o = new StoredObject(key, value.getBytes(), prev == null ? revision : prev.createRevision(), revision);
        data.put(key, o);
        emit(new StorageEvent(StorageEvent.Type.PUT, o, prev, revision));
    }

    synchronized void remove(String key) {
        StoredObject prev = data.remove(key);
        if (prev == null) {
            return;
        }
        revision++;
        emit(new StorageEvent(StorageEvent.Type.DELETE,
                new StoredObject(key, prev.value(), prev.createRevision(), revision), prev, revision));
    }

    private void emit(StorageEvent e) {
        history.add(e);
        if (!held) {
            subs.forEach(s -> {
                if (e.object().key().startsWith(s.prefix())) {
                    s.sink().next(e);
                }
            });
        }
    }

    /** From now on live watches receive nothing until {@link #compactAndBreakWatches()}. */
    synchronized void holdWatches() {
        held = true;
    }

    /** Compacts at the current revision and breaks every watch, as a lost etcd connection would. */
    synchronized void compactAndBreakWatches() {
        compacted = revision;
        held = false;
        history.removeIf(e -> e.revision() <= compacted);
        subs.forEach(s -> s.sink().error(new StorageUnavailableException("connection lost", null)));
        subs.clear();
    }

    synchronized long revisionNow() {
        return revision;
    }

    @Override
    public synchronized Mono<WriteResult> create(String key, byte[] value, Duration ttl) {
        if (data.containsKey(key)) {
            return Mono.just(new WriteResult(false, data.get(key), revision));
        }
        put(key, new String(value));
        return Mono.just(new WriteResult(true, data.get(key), revision));
    }

    @Override
    public synchronized Mono<StoredObject> get(String key) {
        return Mono.justOrEmpty(data.get(key));
    }

    @Override
    public synchronized Mono<ListPage> list(String prefix, String startKey, long limit, long rev) {
        if (rev > 0 && rev < compacted) {
            return Mono.error(new CompactedException(rev, compacted));
        }
        // state at `rev`: replaying is enough for these tests, which list at the latest or an uncompacted revision
        TreeMap<String, StoredObject> at = rev == 0 || rev == revision ? data : stateAt(rev);
        List<StoredObject> items = new ArrayList<>();
        for (Map.Entry<String, StoredObject> e : at.tailMap(startKey == null ? prefix : startKey, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            items.add(e.getValue());
        }
        long total = items.size();
        if (limit > 0 && items.size() > limit) {
            items = new ArrayList<>(items.subList(0, (int) limit));
        }
        return Mono.just(new ListPage(items, rev == 0 ? revision : rev, items.size() < total, total - items.size()));
    }

    private TreeMap<String, StoredObject> stateAt(long rev) {
        TreeMap<String, StoredObject> s = new TreeMap<>(data);
        for (int i = history.size() - 1; i >= 0 && history.get(i).revision() > rev; i--) {
            StorageEvent e = history.get(i);
            if (e.previous() == null) {
                s.remove(e.object().key());
            } else {
                s.put(e.object().key(), e.previous());
            }
        }
        return s;
    }

    @Override
    public synchronized Mono<WriteResult> update(String key, byte[] value, long expected, Duration ttl) {
        StoredObject cur = data.get(key);
        if (cur == null || cur.modRevision() != expected) {
            return Mono.just(new WriteResult(false, cur, revision));
        }
        put(key, new String(value));
        return Mono.just(new WriteResult(true, data.get(key), revision));
    }

    @Override
    public synchronized Mono<WriteResult> delete(String key, long expected) {
        StoredObject cur = data.get(key);
        if (cur == null || (expected != 0 && cur.modRevision() != expected)) {
            return Mono.just(new WriteResult(false, cur, revision));
        }
        remove(key);
        return Mono.just(new WriteResult(true, cur, revision));
    }

    @Override
    public Flux<StorageEvent> watch(String prefix, long afterRevision) {
        return Flux.create(sink -> {
            synchronized (this) {
                if (afterRevision + 1 <= compacted) {
                    sink.error(new CompactedException(afterRevision + 1, compacted));
                    return;
                }
                for (StorageEvent e : history) {
                    if (e.revision() > afterRevision && e.object().key().startsWith(prefix)) {
                        sink.next(e);
                    }
                }
                subs.add(new Sub(prefix, sink));
            }
        });
    }

    @Override
    public synchronized Mono<Long> currentRevision() {
        return Mono.just(revision);
    }

    @Override
    public Mono<Void> compact(long rev) {
        return Mono.empty();
    }

    @Override
    public void close() {
    }
}
