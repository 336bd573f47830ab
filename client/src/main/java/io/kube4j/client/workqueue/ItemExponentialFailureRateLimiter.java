package io.kube4j.client.workqueue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Per-item exponential backoff: {@code base * 2^failures}, capped at {@code max}. */
public final class ItemExponentialFailureRateLimiter<K> implements RateLimiter<K> {

    private final Duration base;
    private final Duration max;
    private final Map<K, Integer> failures = new HashMap<>();

    public ItemExponentialFailureRateLimiter(Duration base, Duration max) {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 < base <= max, got base=" + base + " max=" + max);
        }
        this.base = base;
        this.max = max;
    }

    @Override
    public synchronized Duration when(K item) {
        int exp = failures.merge(item, 1, Integer::sum) - 1;
        // 2^62 ns is far beyond any sane max, so stop doubling there rather than overflow.
        if (exp >= 62) {
            return max;
        }
        double nanos = base.toNanos() * Math.pow(2, exp);
        return nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
    }

    @Override
    public synchronized void forget(K item) {
        failures.remove(item);
    }

    @Override
    public synchronized int numRequeues(K item) {
        return failures.getOrDefault(item, 0);
    }
}
