package io.kube4j.apiserver.storage;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * Hands out etcd leases for keys with a TTL, reusing one lease per TTL for a short window so a burst of
 * writes (events) does not grant one lease per key. Same scheme as the Kubernetes apiserver's
 * {@code leaseManager}: a lease for TTL {@code t} is granted for {@code t + r} seconds and handed out for
 * {@code r} seconds after the grant was requested, so every key lives at least {@code t} and at most
 * {@code t + r} seconds. {@code r} is 5% of the TTL, at least 1 s and at most 60 s.
 */
final class EtcdLeaseManager {

    static final long MAX_REUSE_SECONDS = 60;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final LongFunction<CompletableFuture<Long>> grant;
    private final LongSupplier nanoClock;
    private final ConcurrentMap<Long, Entry> leases = new ConcurrentHashMap<>();

    /**
     * @param grant     grants a lease of the given number of seconds, completing with its id
     * @param nanoClock monotonic clock ({@code System::nanoTime} outside tests)
     */
    EtcdLeaseManager(LongFunction<CompletableFuture<Long>> grant, LongSupplier nanoClock) {
        this.grant = grant;
        this.nanoClock = nanoClock;
    }

    /** A lease id that keeps a key alive for at least {@code ttl} (rounded up to whole seconds). */
    CompletableFuture<Long> leaseFor(Duration ttl) {
        long ttlSeconds = ttlSeconds(ttl);
        long now = nanoClock.getAsLong();
        Entry fresh = new Entry(new CompletableFuture<>(), now + reuseSeconds(ttlSeconds) * NANOS_PER_SECOND);
        Entry chosen = leases.compute(ttlSeconds, (k, old) -> old != null && old.usable(now) ? old : fresh);
        if (chosen == fresh) {
            // Only the caller that installed the entry asks etcd; everyone else waits on the same future.
            grant.apply(ttlSeconds + reuseSeconds(ttlSeconds)).whenComplete((id, error) -> {
                if (error != null) {
                    leases.remove(ttlSeconds, fresh);
                    fresh.lease.completeExceptionally(error);
                } else {
                    fresh.lease.complete(id);
                }
            });
        }
        return chosen.lease;
    }

    /** Forgets {@code leaseId} (etcd said it does not exist, e.g. revoked), so the next caller grants anew. */
    void invalidate(long leaseId) {
        leases.values().removeIf(e -> e.lease.isDone() && !e.lease.isCompletedExceptionally()
                && e.lease.join() == leaseId);
    }

    static long ttlSeconds(Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
        long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    static long reuseSeconds(long ttlSeconds) {
        return Math.min(MAX_REUSE_SECONDS, Math.max(1, ttlSeconds / 20));
    }

    private record Entry(CompletableFuture<Long> lease, long reuseUntilNanos) {
        boolean usable(long now) {
            return now - reuseUntilNanos < 0 && !lease.isCompletedExceptionally();
        }
    }
}
