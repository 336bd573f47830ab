package io.kube4j.client.workqueue;

import io.kube4j.client.util.Clock;
import io.micrometer.core.instrument.MeterRegistry;

/** {@link RateLimitingQueue}: {@code addRateLimited} is {@code addAfter(item, limiter.when(item))}. */
public class DefaultRateLimitingQueue<K> extends DefaultDelayingQueue<K> implements RateLimitingQueue<K> {

    private final RateLimiter<K> limiter;

    public DefaultRateLimitingQueue(String name, RateLimiter<K> limiter, Clock clock, MeterRegistry registry) {
        super(name, clock, registry);
        this.limiter = limiter;
    }

    /** A queue with {@link RateLimiters#defaultControllerRateLimiter}. */
    public DefaultRateLimitingQueue(String name, Clock clock, MeterRegistry registry) {
        this(name, RateLimiters.defaultControllerRateLimiter(clock), clock, registry);
    }

    @Override
    public void addRateLimited(K item) {
        metrics.retried();
        addAfter(item, limiter.when(item));
    }

    @Override
    public void forget(K item) {
        limiter.forget(item);
    }

    @Override
    public int numRequeues(K item) {
        return limiter.numRequeues(item);
    }
}
