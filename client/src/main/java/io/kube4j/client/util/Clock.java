package io.kube4j.client.util;

import java.time.Instant;

/** The time source every controller-side component reads, so tests can drive time with {@link FakeClock}. */
public interface Clock {

    Instant now();

    /**
     * Registers a callback run whenever time jumps (only {@link FakeClock} does that); waiting loops use it to
     * re-check their deadlines at once instead of sleeping until them.
     */
    default void onAdvance(Runnable listener) {
    }

    /** Removes a callback registered with {@link #onAdvance}. */
    default void removeOnAdvance(Runnable listener) {
    }

    /** The wall clock. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }

    /** The system clock as a singleton. */
    enum SystemClock implements Clock {
        INSTANCE;

        @Override
        public Instant now() {
            return Instant.now();
        }
    }
}
