package io.kube4j.client.workqueue;

import java.time.Duration;

/** A {@link WorkQueue} that can add an item once a delay, measured by the queue's clock, has passed. */
public interface DelayingQueue<K> extends WorkQueue<K> {

    /**
     * Adds the item when {@code delay} has passed; a non-positive delay adds at once. An item already waiting keeps
     * the earlier of its two deadlines.
     */
    void addAfter(K item, Duration delay);
}
