package io.kube4j.client.workqueue;

import java.time.Duration;

/** Decides how long an item waits before its next retry (client-go's {@code workqueue.RateLimiter}). */
public interface RateLimiter<K> {

    /** The delay for the item's next retry; records the attempt. */
    Duration when(K item);

    /** Forgets the item's failures. */
    void forget(K item);

    /** Failures recorded for the item. */
    int numRequeues(K item);
}
