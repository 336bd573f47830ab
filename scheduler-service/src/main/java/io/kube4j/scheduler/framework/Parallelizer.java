package io.kube4j.scheduler.framework;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * Runs a loop body over indices on a bounded pool of threads (the caller's included), as Kubernetes'
 * {@code parallelize.Until}; small loops stay on the caller's thread because handing off costs more than it saves.
 */
public final class Parallelizer implements AutoCloseable {

    /** Below this many items a loop runs on the caller's thread. */
    static final int MIN_PARALLEL_ITEMS = 64;

    private final int parallelism;
    private final ExecutorService pool;

    public Parallelizer(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        this.parallelism = parallelism;
        AtomicInteger n = new AtomicInteger();
        this.pool = parallelism == 1 ? null : Executors.newFixedThreadPool(parallelism - 1, r -> {
            Thread t = new Thread(r, "scheduler-parallel-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Calls {@code body} for indices {@code 0..n-1}, each once, until all ran or {@code stop} says so (checked
     * before each index); returns how many indices ran. The first exception thrown by the body is rethrown.
     * <p>
     * The caller works through the indices itself; helper threads join in by claiming indices from the same counter
     * as soon as they get a CPU. The caller never waits for a helper that has not started (on a busy machine it may
     * start only after the work is done, and then finds nothing to claim), only for indices a helper already claimed.
     */
    public int until(int n, IntConsumer body, BooleanSupplier stop) {
        int helpers = pool == null || n < MIN_PARALLEL_ITEMS ? 0 : Math.min(parallelism - 1, n / MIN_PARALLEL_ITEMS);
        Work work = new Work(n, helpers == 0 ? n : chunkSize(n, parallelism), body, stop);
        for (int h = 0; h < helpers; h++) {
            pool.execute(work::run);
        }
        work.run();
        work.awaitClaimed();
        if (work.failure.get() != null) {
            throw work.failure.get();
        }
        return work.done.get();
    }

    /**
     * How many indices a thread claims at a time: the shared counters are touched once per chunk rather than per
     * index (with a body of well under a microsecond, per-index atomics bouncing between cores cost more than the
     * body), small enough that the threads still share the work evenly and a stop is seen within a few indices.
     */
    static int chunkSize(int n, int parallelism) {
        return Math.max(1, Math.min(MAX_CHUNK, n / (parallelism * 4)));
    }

    /** The largest chunk of indices claimed at once. */
    static final int MAX_CHUNK = 16;

    /** One {@link #until} call's shared state. */
    private static final class Work {
        // Set past any index once the caller is done, so late helpers claim nothing.
        private static final int CLOSED = Integer.MAX_VALUE / 2;
        private final int n;
        private final int chunk;
        private final IntConsumer body;
        private final BooleanSupplier stop;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger finished = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

        Work(int n, int chunk, IntConsumer body, BooleanSupplier stop) {
            this.n = n;
            this.chunk = chunk;
            this.body = body;
            this.stop = stop;
        }

        void run() {
            while (failure.get() == null && !stop.getAsBoolean()) {
                int from = next.getAndAdd(chunk);
                if (from >= n) {
                    return;
                }
                int to = Math.min(n, from + chunk);
                int ran = 0;
                try {
                    for (int i = from; i < to; i++) {
                        // stop is checked before each index, as without chunks
                        if (i > from && (failure.get() != null || stop.getAsBoolean())) {
                            break;
                        }
                        body.accept(i);
                        ran++;
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.addAndGet(ran);
                    // the whole claimed chunk is finished: what was not run will not be
                    finished.addAndGet(to - from);
                }
            }
        }

        /** Closes the work to new claims and waits until every claimed index finished. */
        void awaitClaimed() {
            int claimed = Math.min(next.getAndSet(CLOSED), n);
            for (int spins = 0; finished.get() < claimed; spins++) {
                if (spins < 1000) {
                    Thread.onSpinWait();
                } else if (spins < 2000) {
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(50_000);
                }
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
