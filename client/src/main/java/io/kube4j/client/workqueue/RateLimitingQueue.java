package io.kube4j.client.workqueue;

/** A {@link DelayingQueue} whose retries are spaced by a {@link RateLimiter}. */
public interface RateLimitingQueue<K> extends DelayingQueue<K> {

    /** Adds the item after the delay the rate limiter says (counts as a retry). */
    void addRateLimited(K item);

    /** Ends the item's retry history: the next failure starts again from the base delay. */
    void forget(K item);

    /** How many times the item has been rate-limited since it was last forgotten. */
    int numRequeues(K item);
}
