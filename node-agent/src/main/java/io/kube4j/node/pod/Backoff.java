package io.kube4j.node.pod;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

import io.kube4j.client.util.Clock;

/**
 * Per-key exponential backoff as the kubelet keeps it for crash loops and image pulls: the first failure waits
 * {@code initial}, each further one doubles up to {@code max}; a key that has been quiet for {@code resetAfter}
 * starts again from {@code initial}.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final Duration resetAfter;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    private record Entry(Duration delay, Instant lastFailure) {
    }

    public Backoff(Duration initial, Duration max, Duration resetAfter, Clock clock) {
        this.initial = initial;
        this.max = max;
        this.resetAfter = resetAfter;
        this.clock = clock;
    }

    /** Records a failure (a restart, a failed pull) now and returns the delay before the next attempt. */
    public Duration next(String key) {
        Instant now = clock.now();
        Entry e = entries.compute(key, (k, old) -> {
            if (old == null || Duration.between(old.lastFailure, now).compareTo(resetAfter) > 0) {
                return new Entry(initial, now);
            }
            Duration doubled = old.delay.multipliedBy(2);
            return new Entry(doubled.compareTo(max) > 0 ? max : doubled, now);
        });
        return e.delay;
    }

    /** How long the key must still wait (zero when it may go now, or has no entry). */
    public Duration remaining(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.now(), e.lastFailure.plus(e.delay));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** The current delay of the key (zero when none). */
    public Duration current(String key) {
        Entry e = entries.get(key);
        return e == null ? Duration.ZERO : e.delay;
    }

    /** Forgets the key's history when it has been quiet for {@code resetAfter} (a container that ran long). */
    public void resetIfQuiet(String key, Instant since) {
        Entry e = entries.get(key);
        if (e != null && Duration.between(since, clock.now()).compareTo(resetAfter) > 0) {
            entries.remove(key, e);
        }
    }

    public void forget(String key) {
        entries.remove(key);
    }

    /** Drops every key starting with {@code prefix} (a pod's keys when it goes away). */
    public void forgetPrefix(String prefix) {
        entries.keySet().removeIf(k -> k.startsWith(prefix));
    }
}
