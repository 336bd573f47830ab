package io.kube4j.controller.nodelifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.kube4j.client.util.Clock;
import io.kube4j.client.workqueue.BucketRateLimiter;

/**
 * One zone's queue of nodes waiting for a NoExecute taint (Kubernetes' {@code RateLimitedTimedQueue} over a
 * {@code UniqueQueue}): a node is queued once; {@link #tryProcess} hands out queued nodes in order as long as the
 * zone's token bucket allows (rate 0: none) and asks the action to retry later when it fails. A node that has been
 * processed stays remembered so it is not queued again until {@link #remove} (the node became reachable).
 */
final class RateLimitedTimedQueue {

    /** What {@link #tryProcess} hands to its action. */
    record TimedValue(String value, String uid, Instant addedAt, Instant processAt) {
    }

    /** The outcome of one attempt: done, or retry after {@code retryAfter}. */
    record Outcome(boolean done, Duration retryAfter) {
        static final Outcome DONE = new Outcome(true, Duration.ZERO);

        static Outcome retryAfter(Duration d) {
            return new Outcome(false, d);
        }
    }

    interface Action {
        Outcome apply(TimedValue value);
    }

    /** Kubernetes' {@code EvictionRateLimiterBurst}. */
    static final int BURST = 1;

    private final Clock clock;
    /** Queued values by name, in insertion order; {@link #tryProcess} takes the one due first. */
    private final Map<String, TimedValue> queue = new LinkedHashMap<>();
    /** Every value queued or processed and not yet removed. */
    private final Set<String> set = new HashSet<>();
    private double qps;
    /** Null while {@link #qps} is 0: nothing is processed. */
    private BucketRateLimiter<String> limiter;

    RateLimitedTimedQueue(double qps, Clock clock) {
        this.clock = clock;
        swapLimiter(qps);
    }

    /** Queues {@code value} unless it is queued or was processed and not removed since; true when added. */
    synchronized boolean add(String value, String uid) {
        if (!set.add(value)) {
            return false;
        }
        Instant now = clock.now();
        queue.put(value, new TimedValue(value, uid, now, now));
        return true;
    }

    /** Forgets {@code value} (queued or processed); true when it was known. */
    synchronized boolean remove(String value) {
        queue.remove(value);
        return set.remove(value);
    }

    synchronized boolean contains(String value) {
        return set.contains(value);
    }

    synchronized int queued() {
        return queue.size();
    }

    /** Replaces the token bucket with one of {@code qps} (0: reject everything), as Kubernetes' {@code SwapLimiter}. */
    synchronized void swapLimiter(double qps) {
        if (limiter != null && this.qps == qps) {
            return;
        }
        this.qps = qps;
        limiter = qps > 0 ? new BucketRateLimiter<>(qps, BURST, clock) : null;
    }

    synchronized double qps() {
        return qps;
    }

    /**
     * Kubernetes' {@code Try}: while the head is due and the limiter grants a token, applies {@code action}; a value
     * done leaves the queue (but stays known), a failed one is retried after the delay it asks for.
     */
    synchronized void tryProcess(Action action) {
        while (true) {
            TimedValue head = head();
            if (head == null || limiter == null || !limiter.tryAccept()) {
                return;
            }
            Instant now = clock.now();
            if (now.isBefore(head.processAt())) {
                return;
            }
            Outcome outcome = action.apply(head);
            queue.remove(head.value());
            if (!outcome.done()) {
                // re-queued at the back with its new time: the next due value goes first
                queue.put(head.value(), new TimedValue(head.value(), head.uid(), head.addedAt(),
                        now.plus(outcome.retryAfter()).plusNanos(1)));
            }
        }
    }

    /** The queued value due first (ties: the one queued first). */
    private TimedValue head() {
        TimedValue best = null;
        for (Iterator<TimedValue> it = queue.values().iterator(); it.hasNext(); ) {
            TimedValue v = it.next();
            if (best == null || v.processAt().isBefore(best.processAt())) {
                best = v;
            }
        }
        return best;
    }
}
