package io.kube4j.controller.common;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import io.kube4j.client.util.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many creates and deletes each controller (by key) still waits to see in its informer, as Kubernetes'
 * {@code ControllerExpectations}: a controller sets expectations before it writes, the informer's handlers lower
 * them as the pods appear or vanish, and the controller acts on its (possibly stale) cache again only once they are
 * satisfied — met, or older than {@link #EXPIRY} (a lost watch event must not wedge it). This is what keeps a
 * controller from creating a second batch of pods for a shortfall its first batch already covers.
 */
public class ControllerExpectations {

    private static final Logger log = LoggerFactory.getLogger(ControllerExpectations.class);

    /** Kubernetes' {@code ExpectationsTimeout}. */
    public static final Duration EXPIRY = Duration.ofMinutes(5);

    private final ConcurrentMap<String, Expectation> store = new ConcurrentHashMap<>();
    private final Clock clock;

    public ControllerExpectations(Clock clock) {
        this.clock = clock;
    }

    /** One controller's outstanding adds and deletes, and when they were set. */
    public static final class Expectation {
        private final AtomicLong add;
        private final AtomicLong del;
        private final Instant timestamp;

        Expectation(long add, long del, Instant timestamp) {
            this.add = new AtomicLong(add);
            this.del = new AtomicLong(del);
            this.timestamp = timestamp;
        }

        public long add() {
            return add.get();
        }

        public long del() {
            return del.get();
        }

        public Instant timestamp() {
            return timestamp;
        }

        /** Every expected create and delete was observed. */
        public boolean fulfilled() {
            return add.get() <= 0 && del.get() <= 0;
        }
    }

    /** The expectation of {@code key}, or null. */
    public Expectation get(String key) {
        return store.get(key);
    }

    /**
     * Whether the controller may sync {@code key} from its cache: no expectations (new, or deleted), fulfilled, or
     * expired.
     */
    public boolean satisfied(String key) {
        Expectation e = store.get(key);
        if (e == null) {
            return true;
        }
        if (e.fulfilled()) {
            return true;
        }
        if (Duration.between(e.timestamp, clock.now()).compareTo(EXPIRY) > 0) {
            log.info("expectations of {} expired (add {}, del {}, set at {})", key, e.add(), e.del(), e.timestamp);
            return true;
        }
        return false;
    }

    /** Replaces {@code key}'s expectations. */
    public void set(String key, long add, long del) {
        store.put(key, new Expectation(add, del, clock.now()));
    }

    public void expectCreations(String key, long adds) {
        set(key, adds, 0);
    }

    public void expectDeletions(String key, long dels) {
        set(key, 0, dels);
    }

    /** Lowers the expectations of {@code key}, if it has any. */
    public void lower(String key, long add, long del) {
        Expectation e = store.get(key);
        if (e != null) {
            e.add.addAndGet(-add);
            e.del.addAndGet(-del);
        }
    }

    /** Raises the expectations of {@code key}, if it has any. */
    public void raise(String key, long add, long del) {
        Expectation e = store.get(key);
        if (e != null) {
            e.add.addAndGet(add);
            e.del.addAndGet(del);
        }
    }

    /** A create of {@code key}'s was seen (or will never happen). */
    public void creationObserved(String key) {
        lower(key, 1, 0);
    }

    /** A delete of {@code key}'s was seen (or will never happen). */
    public void deletionObserved(String key) {
        lower(key, 0, 1);
    }

    /** Forgets {@code key} (its controller was deleted). */
    public void delete(String key) {
        store.remove(key);
    }
}
