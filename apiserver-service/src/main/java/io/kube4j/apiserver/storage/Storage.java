package io.kube4j.apiserver.storage;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * The revisioned key-value store behind the apiserver (etcd, or the embedded store in local mode).
 * Every write is a compare-and-swap; revisions grow monotonically across the whole store; a watch
 * delivers every change after a revision, in order, exactly once. Only the apiserver uses this.
 */
public interface Storage extends AutoCloseable {

    /** Creates {@code key} if it does not exist. Fails (not throws) with the existing object otherwise. */
    Mono<WriteResult> create(String key, byte[] value, Duration ttl);

    /** The current value of {@code key}, or empty. */
    Mono<StoredObject> get(String key);

    /**
     * Lists keys under {@code prefix}, in key order, starting at {@code startKey} inclusive (null: from the
     * beginning), at most {@code limit} items (0: all), at {@code revision} (0: the latest).
     * Emits {@link CompactedException} when {@code revision} has been compacted.
     */
    Mono<ListPage> list(String prefix, String startKey, long limit, long revision);

    /**
     * Replaces {@code key} if its modRevision is {@code expectedModRevision}. Fails with the current object
     * (null when the key is missing) otherwise.
     */
    Mono<WriteResult> update(String key, byte[] value, long expectedModRevision, Duration ttl);

    /**
     * Deletes {@code key} if its modRevision is {@code expectedModRevision} (0: whatever it is). Fails with the
     * current object (null when the key is missing) otherwise.
     */
    Mono<WriteResult> delete(String key, long expectedModRevision);

    /**
     * Every change under {@code prefix} with a revision greater than {@code afterRevision}, in revision order,
     * then live changes, until cancelled. Terminates with {@link CompactedException} when
     * {@code afterRevision + 1} has been compacted.
     */
    Flux<StorageEvent> watch(String prefix, long afterRevision);

    /** The store's current revision. */
    Mono<Long> currentRevision();

    /** Discards history before {@code revision}. */
    Mono<Void> compact(long revision);

    @Override
    void close();
}
