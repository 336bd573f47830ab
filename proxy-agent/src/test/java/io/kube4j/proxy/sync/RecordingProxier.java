package io.kube4j.proxy.sync;

import io.kube4j.proxy.Proxier;
import io.kube4j.proxy.ProxySyncException;
import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.model.ProxyState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Proxier} for runner tests: records every sync, can be told to fail the next ones or to hold a sync until
 * released (to make changes arrive "during" it).
 */
public final class RecordingProxier implements Proxier {

    /** One sync call. */
    public record Call(ProxyState state, boolean full) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger failNext = new AtomicInteger();
    private volatile CountDownLatch entered;
    private volatile CountDownLatch release;
    private final AtomicInteger cleanups = new AtomicInteger();

    @Override
    public String mode() {
        return "recording";
    }

    @Override
    public SyncResult sync(ProxyState state, boolean full) {
        calls.add(new Call(state, full));
        CountDownLatch hold = release;
        if (hold != null) {
            entered.countDown();
            try {
                if (!hold.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test never released the held sync");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProxySyncException("interrupted");
            }
        }
        if (failNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            throw new ProxySyncException("iptables-restore exited 1: line 3 failed");
        }
        return new SyncResult(full, state.services().size() * 2, state.services().size() + 1,
                Duration.ofMillis(1), Duration.ofMillis(2));
    }

    @Override
    public void cleanup() {
        cleanups.incrementAndGet();
    }

    /** The next {@code n} syncs throw {@link ProxySyncException}. */
    public void failNext(int n) {
        failNext.set(n);
    }

    /** The next sync blocks (after being recorded) until {@link #release()}; returns a latch counted down on entry. */
    public CountDownLatch holdNext() {
        entered = new CountDownLatch(1);
        release = new CountDownLatch(1);
        return entered;
    }

    public void release() {
        CountDownLatch r = release;
        release = null;
        if (r != null) {
            r.countDown();
        }
    }

    public List<Call> calls() {
        return new ArrayList<>(calls);
    }

    public int count() {
        return calls.size();
    }

    public Call last() {
        return calls.get(calls.size() - 1);
    }
}
