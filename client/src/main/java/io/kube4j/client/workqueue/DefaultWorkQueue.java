package io.kube4j.client.workqueue;

import io.kube4j.client.util.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The plain {@link WorkQueue}: queue + dirty set + processing set under one lock, as in client-go. */
public class DefaultWorkQueue<K> implements WorkQueue<K> {

    protected final ReentrantLock lock = new ReentrantLock();
    /** Signalled when an item is queued, a deadline may have passed, or the queue shuts down. */
    protected final Condition changed = lock.newCondition();
    private final Condition drained = lock.newCondition();
    protected final Clock clock;
    protected final QueueMetrics metrics;
    protected final String name;

    private final ArrayDeque<K> queue = new ArrayDeque<>();
    private final Set<K> dirty = new HashSet<>();
    private final Set<K> processing = new HashSet<>();
    private final Map<K, Instant> queuedAt = new HashMap<>();
    private final Map<K, Instant> startedAt = new HashMap<>();
    private boolean shuttingDown;

    public DefaultWorkQueue(String name, Clock clock, MeterRegistry registry) {
        this.name = name;
        this.clock = clock;
        this.metrics = new QueueMetrics(registry == null ? new SimpleMeterRegistry() : registry, name, this::len);
    }

    public DefaultWorkQueue(String name) {
        this(name, Clock.system(), null);
    }

    @Override
    public void add(K item) {
        lock.lock();
        try {
            addLocked(item);
        } finally {
            lock.unlock();
        }
    }

    /** Adds with the lock held. */
    protected void addLocked(K item) {
        if (shuttingDown || !dirty.add(item)) {
            return;
        }
        metrics.added();
        queuedAt.putIfAbsent(item, clock.now());
        if (processing.contains(item)) {
            return; // queued again by done()
        }
        queue.addLast(item);
        changed.signal();
    }

    @Override
    public K get() throws InterruptedException {
        return take(-1);
    }

    @Override
    public K poll(Duration timeout) throws InterruptedException {
        return take(Math.max(0, timeout.toNanos()));
    }

    /** Waits up to {@code timeoutNanos} (forever when negative) for an item. */
    private K take(long timeoutNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long remaining = timeoutNanos;
            while (true) {
                long untilDue = promoteDueLocked();
                if (!queue.isEmpty()) {
                    break;
                }
                if (shuttingDown) {
                    return null; // items still waiting for a deadline are dropped, as in client-go
                }
                if (timeoutNanos >= 0 && remaining <= 0) {
                    return null;
                }
                long wait = timeoutNanos < 0 ? untilDue : Math.min(untilDue, remaining);
                long before = System.nanoTime();
                if (wait == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.awaitNanos(wait);
                }
                remaining -= System.nanoTime() - before;
            }
            K item = queue.pollFirst();
            Instant now = clock.now();
            Instant at = queuedAt.remove(item);
            if (at != null) {
                metrics.waited(Duration.between(at, now));
            }
            startedAt.put(item, now);
            processing.add(item);
            dirty.remove(item);
            return item;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves items whose deadline passed onto the queue; answers the nanoseconds until the next deadline
     * ({@link Long#MAX_VALUE} when nothing waits). The plain queue has no deadlines.
     */
    protected long promoteDueLocked() {
        return Long.MAX_VALUE;
    }

    @Override
    public void done(K item) {
        lock.lock();
        try {
            if (!processing.remove(item)) {
                return;
            }
            Instant started = startedAt.remove(item);
            if (started != null) {
                metrics.worked(Duration.between(started, clock.now()));
            }
            if (dirty.contains(item)) {
                queue.addLast(item);
                changed.signal();
            }
            if (processing.isEmpty()) {
                drained.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int len() {
        lock.lock();
        try {
            promoteDueLocked();
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutDown() {
        lock.lock();
        try {
            shuttingDown = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutDownWithDrain() throws InterruptedException {
        lock.lock();
        try {
            shuttingDown = true;
            changed.signalAll();
            while (!processing.isEmpty()) {
                drained.await(100, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isShuttingDown() {
        lock.lock();
        try {
            return shuttingDown;
        } finally {
            lock.unlock();
        }
    }

    public String name() {
        return name;
    }
}
