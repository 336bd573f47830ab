package io.kube4j.node.pod;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a pod's syncs one at a time, on a shared executor (so a fleet of hollow nodes shares threads): a sync asked
 * for while one runs is coalesced into one more run after it. Delayed syncs (backoffs, periodic resyncs) keep only
 * the earliest pending time per pod.
 */
public final class PodWorkers {

    private static final Logger log = LoggerFactory.getLogger(PodWorkers.class);

    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final Consumer<String> sync;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    private static final class State {
        boolean running;
        boolean pending;
        ScheduledFuture<?> delayed;
        long delayedAtNanos;
    }

    public PodWorkers(Executor executor, ScheduledExecutorService scheduler, Consumer<String> sync) {
        this.executor = executor;
        this.scheduler = scheduler;
        this.sync = sync;
    }

    /** Syncs the pod as soon as possible. */
    public void enqueue(String podUid) {
        if (stopped) {
            return;
        }
        State s = states.computeIfAbsent(podUid, k -> new State());
        synchronized (s) {
            if (s.running) {
                s.pending = true;
                return;
            }
            if (s.pending) {
                return; // already submitted
            }
            s.pending = true;
        }
        submit(podUid, s);
    }

    /** Syncs the pod after {@code delay} (unless an earlier sync is already planned). */
    public void enqueueAfter(String podUid, Duration delay) {
        if (stopped) {
            return;
        }
        if (delay.isZero() || delay.isNegative()) {
            enqueue(podUid);
            return;
        }
        State s = states.computeIfAbsent(podUid, k -> new State());
        long at = System.nanoTime() + delay.toNanos();
        synchronized (s) {
            if (s.delayed != null && !s.delayed.isDone() && s.delayedAtNanos <= at) {
                return;
            }
            if (s.delayed != null) {
                s.delayed.cancel(false);
            }
            s.delayedAtNanos = at;
            s.delayed = scheduler.schedule(() -> enqueue(podUid), delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Forgets a pod whose work is over (pending delayed syncs are cancelled). */
    public void forget(String podUid) {
        State s = states.get(podUid);
        if (s == null) {
            return;
        }
        synchronized (s) {
            if (s.delayed != null) {
                s.delayed.cancel(false);
            }
            if (!s.running && !s.pending) {
                states.remove(podUid, s);
            }
        }
    }

    public int size() {
        return states.size();
    }

    public void stop() {
        stopped = true;
        states.values().forEach(s -> {
            synchronized (s) {
                if (s.delayed != null) {
                    s.delayed.cancel(false);
                }
            }
        });
    }

    private void submit(String podUid, State s) {
        try {
            executor.execute(() -> run(podUid, s));
        } catch (RuntimeException e) { // executor shut down
            log.debug("pod worker for {} not submitted: {}", podUid, e.toString());
            synchronized (s) {
                s.pending = false;
            }
        }
    }

    private void run(String podUid, State s) {
        synchronized (s) {
            s.pending = false;
            s.running = true;
        }
        try {
            if (!stopped) {
                sync.accept(podUid);
            }
        } catch (RuntimeException | Error e) {
            log.error("sync of pod {} failed", podUid, e);
            enqueueAfter(podUid, Duration.ofSeconds(2));
        } finally {
            boolean again;
            synchronized (s) {
                s.running = false;
                again = s.pending;
            }
            if (again && !stopped) {
                submit(podUid, s);
            }
        }
    }
}
