package io.kube4j.client.workqueue;

import java.time.Duration;
import java.util.List;

/** The longest delay of several limiters; requeues as the most pessimistic of them counts. */
public final class MaxOfRateLimiter<K> implements RateLimiter<K> {

    private final List<RateLimiter<K>> limiters;

    @SafeVarargs
    public MaxOfRateLimiter(RateLimiter<K>... limiters) {
        this.limiters = List.of(limiters);
    }

    @Override
    public Duration when(K item) {
        Duration max = Duration.ZERO;
        for (RateLimiter<K> limiter : limiters) {
            Duration d = limiter.when(item);
            if (d.compareTo(max) > 0) {
                max = d;
            }
        }
        return max;
    }

    @Override
    public void forget(K item) {
        limiters.forEach(l -> l.forget(item));
    }

    @Override
    public int numRequeues(K item) {
        return limiters.stream().mapToInt(l -> l.numRequeues(item)).max().orElse(0);
    }
}
