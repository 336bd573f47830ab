package io.kube4j.apiserver.storage.encryption;

import io.kube4j.apiserver.storage.ListPage;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageEvent;
import io.kube4j.apiserver.storage.StoredObject;
import io.kube4j.apiserver.storage.WriteResult;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * Encryption at rest: a {@link Storage} that encrypts the values of the configured resources on every write and
 * decrypts them on every read (get, list, the results of writes, watch events and their previous values), so
 * everything above it, the watch cache included, sees plain values and etcd holds only ciphertext.
 */
public final class EncryptingStorage implements Storage {

    private final Storage delegate;
    private final EncryptionConfiguration config;

    public EncryptingStorage(Storage delegate, EncryptionConfiguration config) {
        this.delegate = delegate;
        this.config = config;
    }

    @Override
    public Mono<WriteResult> create(String key, byte[] value, Duration ttl) {
        return delegate.create(key, encrypt(key, value), ttl).map(r -> written(r, value));
    }

    @Override
    public Mono<StoredObject> get(String key) {
        return delegate.get(key).map(this::decrypt);
    }

    @Override
    public Mono<ListPage> list(String prefix, String startKey, long limit, long revision) {
        return delegate.list(prefix, startKey, limit, revision).map(p -> new ListPage(
                p.items().stream().map(this::decrypt).toList(), p.revision(), p.more(), p.remaining()));
    }

    @Override
    public Mono<WriteResult> update(String key, byte[] value, long expectedModRevision, Duration ttl) {
        return delegate.update(key, encrypt(key, value), expectedModRevision, ttl).map(r -> written(r, value));
    }

    @Override
    public Mono<WriteResult> delete(String key, long expectedModRevision) {
        return delegate.delete(key, expectedModRevision)
                .map(r -> new WriteResult(r.succeeded(), decrypt(r.object()), r.revision()));
    }

    @Override
    public Flux<StorageEvent> watch(String prefix, long afterRevision) {
        return delegate.watch(prefix, afterRevision)
                .map(e -> new StorageEvent(e.type(), decrypt(e.object()), decrypt(e.previous()), e.revision()));
    }

    @Override
    public Mono<Long> currentRevision() {
        return delegate.currentRevision();
    }

    @Override
    public Mono<Void> compact(long revision) {
        return delegate.compact(revision);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private byte[] encrypt(String key, byte[] value) {
        ValueTransformer t = config.transformerFor(key);
        return t == null ? value : t.toStorage(value, key);
    }

    private StoredObject decrypt(StoredObject o) {
        if (o == null || o.value() == null) {
            return o;
        }
        ValueTransformer t = config.transformerFor(o.key());
        return t == null ? o : new StoredObject(o.key(), t.fromStorage(o.value(), o.key()), o.createRevision(),
                o.modRevision(), t.isStale(o.value()));
    }

    /** A successful write returns the value as the caller gave it; a failed one the current value, decrypted. */
    private WriteResult written(WriteResult r, byte[] plain) {
        if (r.succeeded() && r.object() != null) {
            StoredObject o = r.object();
            return new WriteResult(true, new StoredObject(o.key(), plain, o.createRevision(), o.modRevision()), r.revision());
        }
        return new WriteResult(r.succeeded(), decrypt(r.object()), r.revision());
    }
}
