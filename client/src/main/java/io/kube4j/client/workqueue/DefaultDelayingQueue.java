package io.kube4j.client.workqueue;

import io.kube4j.client.util.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * {@link DelayingQueue} on the queue's {@link Clock}: waiting items sit in a heap by deadline; getters wait until
 * the earliest deadline (or an add), and a {@link io.kube4j.client.util.FakeClock} advance promotes due items before
 * it returns, so tests are deterministic without sleeping.
 */
public class DefaultDelayingQueue<K> extends DefaultWorkQueue<K> implements DelayingQueue<K> {

    private record Waiting<K>(K item, Instant readyAt, long seq) {
    }

    private final PriorityQueue<Waiting<K>> waiting = new PriorityQueue<>((a, b) -> {
        int c = a.readyAt.compareTo(b.readyAt);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    });
    private final Map<K, Waiting<K>> waitingByItem = new HashMap<>();
    private final Runnable onAdvance = this::clockAdvanced;
    private long seq;

    public DefaultDelayingQueue(String name, Clock clock, MeterRegistry registry) {
        super(name, clock, registry);
        clock.onAdvance(onAdvance);
    }

    @Override
    public void addAfter(K item, Duration delay) {
        lock.lock();
        try {
            if (isShuttingDown()) {
                return;
            }
            if (delay.isNegative() || delay.isZero()) {
                addLocked(item);
                return;
            }
            Instant readyAt = clock.now().plus(delay);
            Waiting<K> existing = waitingByItem.get(item);
            if (existing != null) {
                if (!readyAt.isBefore(existing.readyAt)) {
                    return;
                }
                waiting.remove(existing);
            }
            Waiting<K> w = new Waiting<>(item, readyAt, seq++);
            waiting.add(w);
            waitingByItem.put(item, w);
            changed.signalAll(); // getters recompute how long to wait
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected long promoteDueLocked() {
        Instant now = clock.now();
        while (!waiting.isEmpty()) {
            Waiting<K> head = waiting.peek();
            if (head.readyAt.isAfter(now)) {
                return Math.max(1, Duration.between(now, head.readyAt).toNanos());
            }
            waiting.poll();
            waitingByItem.remove(head.item);
            addLocked(head.item);
        }
        return Long.MAX_VALUE;
    }

    /** Items waiting for their deadline. */
    public int waitingLen() {
        lock.lock();
        try {
            promoteDueLocked();
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    private void clockAdvanced() {
        lock.lock();
        try {
            promoteDueLocked();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutDown() {
        clock.removeOnAdvance(onAdvance);
        super.shutDown();
    }

    @Override
    public void shutDownWithDrain() throws InterruptedException {
        clock.removeOnAdvance(onAdvance);
        super.shutDownWithDrain();
    }
}
