package io.kube4j.e2e.load;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token bucket: a scheduled tick adds one token every {@code 1/qps} (at most {@code burst} saved up); each
 * operation of a phase takes one token, then runs on one of a few workers. A phase has a bounded list of
 * operations and ends by itself once all have run.
 */
final class Pacer implements AutoCloseable {

    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "pacer"));
    private final ExecutorService workers;
    private final int workerCount;

    Pacer(int workers) {
        this.workerCount = workers;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(workers, r -> daemon(r, "load-worker-" + n.incrementAndGet()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Runs {@code ops} spread evenly over {@code over} (rate {@code ops/over}, burst 2), returns when all have run or
     * fails after {@code over} + {@code slack}.
     */
    void run(String phase, List<Runnable> ops, Duration over, Duration slack) throws InterruptedException {
        if (ops.isEmpty()) {
            return;
        }
        long periodMicros = Math.max(1_000, over.toNanos() / 1_000 / ops.size());
        Semaphore tokens = new Semaphore(0);
        var tick = ticker.scheduleAtFixedRate(() -> {
            if (tokens.availablePermits() < 2) {
                tokens.release();
            }
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
        Semaphore done = new Semaphore(0);
        AtomicInteger next = new AtomicInteger();
        try {
            for (int w = 0; w < workerCount; w++) {
                workers.execute(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < ops.size()) {
                        try {
                            tokens.acquire();
                            ops.get(i).run();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        } catch (RuntimeException e) {
                            System.err.println("[LoadIT] " + phase + " op " + i + ": " + e);
                        } finally {
                            done.release();
                        }
                    }
                });
            }
            if (!done.tryAcquire(ops.size(), over.plus(slack).toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(phase + ": " + done.availablePermits() + " of " + ops.size()
                        + " operations ran within " + over.plus(slack));
            }
        } finally {
            tick.cancel(false);
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        workers.shutdownNow();
    }
}
