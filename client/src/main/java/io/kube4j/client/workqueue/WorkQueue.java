package io.kube4j.client.workqueue;

import java.time.Duration;

/**
 * A deduplicating FIFO of keys with client-go semantics: an item is queued at most once; an item being processed
 * (handed out by {@link #get} and not yet {@link #done}) that is added again is queued only after {@code done}, so
 * no two workers ever hold the same key.
 */
public interface WorkQueue<K> {

    /** Queues the item unless it is already queued; dropped after shutdown. */
    void add(K item);

    /**
     * Blocks until an item is available and marks it processing; null once the queue is shut down and empty.
     */
    K get() throws InterruptedException;

    /** Like {@link #get} but waits at most {@code timeout}; null when nothing came (or the queue is shut down). */
    K poll(Duration timeout) throws InterruptedException;

    /** Marks the item processed; queues it again if it was added while processing. */
    void done(K item);

    /** Items queued (not counting those being processed). */
    int len();

    /** Stops accepting items and wakes blocked getters; queued items are still handed out. */
    void shutDown();

    /** {@link #shutDown} and then waits until every item being processed is {@link #done}. */
    void shutDownWithDrain() throws InterruptedException;

    boolean isShuttingDown();
}
