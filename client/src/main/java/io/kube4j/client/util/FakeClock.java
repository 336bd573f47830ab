package io.kube4j.client.util;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A clock that moves only when told to; {@link #advance} notifies waiting loops synchronously. */
public final class FakeClock implements Clock {

    private volatile Instant now;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public FakeClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    public FakeClock(Instant start) {
        this.now = start;
    }

    @Override
    public Instant now() {
        return now;
    }

    /** Moves time forward and runs the advance listeners before returning. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time does not go backwards: " + duration);
        }
        synchronized (this) {
            now = now.plus(duration);
        }
        listeners.forEach(Runnable::run);
    }

    @Override
    public void onAdvance(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public void removeOnAdvance(Runnable listener) {
        listeners.remove(listener);
    }
}
