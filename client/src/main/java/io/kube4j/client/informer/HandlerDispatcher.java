package io.kube4j.client.informer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One handler's queue and thread: calls happen in the order they were queued, off the watch thread, and a slow
 * handler only delays itself. The queue is unbounded, as client-go's {@code processorListener} buffer is.
 */
final class HandlerDispatcher<T> {

    private static final Logger log = LoggerFactory.getLogger(HandlerDispatcher.class);

    private final ResourceEventHandler<T> handler;
    private final ExecutorService executor;

    HandlerDispatcher(ResourceEventHandler<T> handler, String threadName) {
        this.handler = handler;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    ResourceEventHandler<T> handler() {
        return handler;
    }

    void add(T obj) {
        submit(() -> handler.onAdd(obj));
    }

    void update(T oldObj, T newObj) {
        submit(() -> handler.onUpdate(oldObj, newObj));
    }

    void delete(T obj, boolean finalStateUnknown) {
        submit(() -> handler.onDelete(obj, finalStateUnknown));
    }

    private void submit(Runnable call) {
        if (executor.isShutdown()) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    call.run();
                } catch (RuntimeException | Error e) {
                    // A failing handler must not stop the others or later events; it is the handler's bug to fix.
                    log.error("informer event handler {} failed", handler, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopped concurrently: the informer is going away, nothing to deliver to
        }
    }

    void stop() {
        executor.shutdownNow();
    }
}
