package io.kube4j.controller.nodelifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.kube4j.client.util.Clock;
import io.kube4j.client.workqueue.DefaultDelayingQueue;

/**
 * The taint manager's timers (Kubernetes' {@code TimedWorkerQueue}): one scheduled eviction per pod key, with the time
 * it was first scheduled (so a later re-evaluation keeps counting from there) and the time it fires; cancelling
 * forgets it. Deadlines wait on a {@link DefaultDelayingQueue} on the controller's clock, so a
 * {@link io.kube4j.client.util.FakeClock} drives them in tests.
 */
final class TimedEvictions {

    /** A scheduled eviction. */
    record Work(String key, Instant createdAt, Instant fireAt) {
    }

    private final Clock clock;
    private final Map<String, Work> scheduled = new HashMap<>();
    private final DefaultDelayingQueue<String> wakeups;

    TimedEvictions(Clock clock) {
        this.clock = clock;
        this.wakeups = new DefaultDelayingQueue<>("taint-eviction-timers", clock, null);
    }

    /** Schedules (or reschedules) {@code key} to fire at {@code fireAt}. */
    synchronized void add(String key, Instant createdAt, Instant fireAt) {
        scheduled.put(key, new Work(key, createdAt, fireAt));
        wakeups.addAfter(key, Duration.between(clock.now(), fireAt));
    }

    /** Forgets {@code key}'s eviction; true when one was scheduled. */
    synchronized boolean cancel(String key) {
        return scheduled.remove(key) != null;
    }

    synchronized Work get(String key) {
        return scheduled.get(key);
    }

    synchronized int size() {
        return scheduled.size();
    }

    /**
     * Waits up to {@code timeout} for a due eviction and returns it (forgotten from the schedule), or null. An early
     * wake-up (the work was rescheduled later) waits again for the rest.
     */
    Work next(Duration timeout) throws InterruptedException {
        String key = wakeups.poll(timeout);
        if (key == null) {
            return null;
        }
        try {
            synchronized (this) {
                Work w = scheduled.get(key);
                if (w == null) {
                    return null;
                }
                Instant now = clock.now();
                if (now.isBefore(w.fireAt())) {
                    wakeups.addAfter(key, Duration.between(now, w.fireAt()));
                    return null;
                }
                scheduled.remove(key);
                return w;
            }
        } finally {
            wakeups.done(key);
        }
    }

    void shutDown() {
        wakeups.shutDown();
    }
}
