package io.kube4j.client.workqueue;

import io.kube4j.client.util.Clock;
import java.time.Duration;

/** Ready-made limiters. */
public final class RateLimiters {

    private RateLimiters() {
    }

    /**
     * client-go's {@code DefaultControllerRateLimiter}: the max of per-item exponential backoff (5 ms doubling to
     * 1000 s) and an overall token bucket of 10 qps with a burst of 100.
     */
    public static <K> RateLimiter<K> defaultControllerRateLimiter(Clock clock) {
        return new MaxOfRateLimiter<>(
                new ItemExponentialFailureRateLimiter<>(Duration.ofMillis(5), Duration.ofSeconds(1000)),
                new BucketRateLimiter<>(10, 100, clock));
    }
}
