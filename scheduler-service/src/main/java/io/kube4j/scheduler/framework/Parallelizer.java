package io.kube4j.scheduler.framework;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
     */
    public int until(int n, IntConsumer body, BooleanSupplier stop) {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Runnable worker = () -> {
            while (failure.get() == null && !stop.getAsBoolean()) {
                int i = next.getAndIncrement();
                if (i >= n) {
                    return;
                }
                try {
                    body.accept(i);
                    done.incrementAndGet();
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }
        };
        int helpers = pool == null || n < MIN_PARALLEL_ITEMS ? 0 : Math.min(parallelism - 1, n / MIN_PARALLEL_ITEMS);
        CountDownLatch latch = new CountDownLatch(helpers);
        for (int h = 0; h < helpers; h++) {
            pool.execute(() -> {
                try {
                    worker.run();
                } finally {
                    latch.countDown();
                }
            });
        }
        worker.run();
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for parallel work", e);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return done.get();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
