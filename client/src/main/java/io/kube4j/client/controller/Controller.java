package io.kube4j.client.controller;

import io.kube4j.client.workqueue.RateLimitingQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Reconciler} on worker threads pulling {@link Request}s from a {@link RateLimitingQueue} (the queue
 * keeps one worker per key). Workers start once every {@code hasSynced} answers true; {@link #stop} lets in-flight
 * reconciles finish and stops the workers. Build one with {@link ControllerBuilder}.
 */
public final class Controller implements Startable {

    private static final Logger log = LoggerFactory.getLogger(Controller.class);

    private final String name;
    private final Reconciler reconciler;
    private final RateLimitingQueue<Request> queue;
    private final int workers;
    private final List<BooleanSupplier> readyFuncs;
    private final Duration readyPollInterval;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;
    private Thread starter;

    Controller(String name, Reconciler reconciler, RateLimitingQueue<Request> queue, int workers,
            List<BooleanSupplier> readyFuncs, Duration readyPollInterval) {
        this.name = name;
        this.reconciler = reconciler;
        this.queue = queue;
        this.workers = workers;
        this.readyFuncs = List.copyOf(readyFuncs);
        this.readyPollInterval = readyPollInterval;
    }

    @Override
    public String name() {
        return name;
    }

    /** The queue informer handlers turn events into keys on. */
    public RateLimitingQueue<Request> queue() {
        return queue;
    }

    public void enqueue(Request request) {
        queue.add(request);
    }

    /** Starts without blocking: a starter thread waits for the caches, then starts the workers. */
    @Override
    public synchronized void start() {
        if (starter != null) {
            throw new IllegalStateException("controller " + name + " already started");
        }
        starter = daemon(name + "-starter", this::waitForSyncThenRun);
    }

    private void waitForSyncThenRun() {
        try {
            while (!stopping && !readyFuncs.stream().allMatch(BooleanSupplier::getAsBoolean)) {
                Thread.sleep(readyPollInterval.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (this) {
            if (stopping) {
                return;
            }
            log.info("controller {}: caches synced, starting {} workers", name, workers);
            for (int i = 0; i < workers; i++) {
                threads.add(daemon(name + "-worker-" + i, this::work));
            }
        }
    }

    /** Whether the workers have been started (the caches synced). */
    public synchronized boolean isRunning() {
        return !threads.isEmpty() && !stopping;
    }

    private void work() {
        while (true) {
            Request request;
            try {
                request = queue.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (request == null) {
                return;
            }
            if (stopping) {
                queue.done(request); // queued but not started: leave it for the next leader
                continue;
            }
            try {
                process(request);
            } finally {
                queue.done(request);
            }
        }
    }

    private void process(Request request) {
        try {
            Result result = reconciler.reconcile(request);
            if (!result.requeueAfter().isZero() && !result.requeueAfter().isNegative()) {
                queue.forget(request);
                queue.addAfter(request, result.requeueAfter());
            } else if (result.shouldRequeue()) {
                queue.addRateLimited(request);
            } else {
                queue.forget(request);
            }
        } catch (Exception e) {
            log.warn("controller {}: reconcile of {} failed (retry {}): {}", name, request,
                    queue.numRequeues(request) + 1, e.toString(), e);
            queue.addRateLimited(request);
        }
    }

    /** Stops taking work, waits for in-flight reconciles to finish and the workers to exit. */
    @Override
    public void stop() throws InterruptedException {
        List<Thread> running;
        synchronized (this) {
            stopping = true;
            running = List.copyOf(threads);
        }
        if (starter != null) {
            starter.interrupt();
        }
        queue.shutDownWithDrain();
        for (Thread t : running) {
            t.join();
        }
        log.info("controller {}: stopped", name);
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
