package io.kube4j.gateway.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Token buckets by key (Bucket4j's lock-free local buckets), created on first use with the caller's {@link Limit}
 * and forgotten once idle: a bucket unused for longer than both the idle timeout and its own fill time is full
 * again, so dropping it changes nothing for its owner. A key whose limit changed (another rule now applies) gets a
 * new bucket.
 */
public final class TokenBuckets implements AutoCloseable {

    /** The answer to one attempt: allowed, or not with the whole seconds until a token is back (at least 1). */
    public record Decision(boolean allowed, long retryAfterSeconds) {
        static final Decision ALLOWED = new Decision(true, 0);
    }

    private record Entry(Bucket bucket, Limit limit, AtomicLong lastUsed) {
    }

    private final TimeMeter clock;
    private final Duration idleEviction;
    private final ConcurrentHashMap<String, Entry> buckets = new ConcurrentHashMap<>();
    private volatile Disposable sweeper;

    public TokenBuckets(TimeMeter clock, Duration idleEviction) {
        this.clock = clock;
        this.idleEviction = idleEviction;
    }

    /** Takes one token of {@code key}'s bucket. */
    public Decision tryConsume(String key, Limit limit) {
        Entry e = entry(key, limit);
        ConsumptionProbe probe = e.bucket().tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Decision.ALLOWED
                : new Decision(false, retryAfterSeconds(probe.getNanosToWaitForRefill()));
    }

    /**
     * Whether {@code key}'s bucket has a token, without taking it; an unknown key has a full bucket.
     */
    public Decision peek(String key) {
        Entry e = buckets.get(key);
        if (e == null) {
            return Decision.ALLOWED;
        }
        EstimationProbe probe = e.bucket().estimateAbilityToConsume(1);
        return probe.canBeConsumed() ? Decision.ALLOWED
                : new Decision(false, retryAfterSeconds(probe.getNanosToWaitForRefill()));
    }

    /** Drops the buckets idle for long enough to be full again; returns how many. */
    public int evictIdle() {
        long now = clock.currentTimeNanos();
        int[] evicted = {0};
        buckets.forEach((key, e) -> {
            long idle = now - e.lastUsed().get();
            long needed = Math.max(idleEviction.toNanos(), e.limit().fillTime().toNanos());
            if (idle >= needed && buckets.remove(key, e)) {
                evicted[0]++;
            }
        });
        return evicted[0];
    }

    /** Sweeps idle buckets every {@code interval} until {@link #close}d. */
    public TokenBuckets sweepEvery(Duration interval) {
        Disposable previous = sweeper;
        sweeper = Flux.interval(interval, Schedulers.parallel()).subscribe(t -> evictIdle());
        if (previous != null) {
            previous.dispose();
        }
        return this;
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.dispose();
        }
    }

    public int size() {
        return buckets.size();
    }

    private Entry entry(String key, Limit limit) {
        Entry e = buckets.compute(key, (k, old) -> old != null && old.limit().equals(limit) ? old : create(limit));
        e.lastUsed().set(clock.currentTimeNanos());
        return e;
    }

    private Entry create(Limit limit) {
        // refill in whole tokens over a period long enough to express rates below 1 per second exactly
        long period = limit.tokenInterval().toNanos();
        Bucket bucket = Bucket.builder()
                .addLimit(b -> b.capacity(limit.burst()).refillGreedy(1, Duration.ofNanos(period)))
                .withCustomTimePrecision(clock)
                .build();
        return new Entry(bucket, limit, new AtomicLong(clock.currentTimeNanos()));
    }

    static long retryAfterSeconds(long nanos) {
        return Math.max(1, (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
    }
}
