package io.kube4j.node.server;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Turns output pushed by a runtime thread into a {@link Flux}, with backpressure: {@link #emit} blocks the
 * runtime's thread until the network side has asked for more, so a slow client slows the container's stream
 * instead of filling the heap. Cancelling the Flux (the client went away) unblocks the producer for good.
 */
final class OutputBridge<T> {

    private final Semaphore demand = new Semaphore(0);
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile FluxSink<T> sink;
    private final Flux<T> flux;

    OutputBridge(Runnable onCancel) {
        this.flux = Flux.create(s -> {
            sink = s;
            s.onRequest(n -> demand.release((int) Math.min(n, Integer.MAX_VALUE / 2)));
            s.onCancel(() -> {
                cancelled.set(true);
                demand.release(Integer.MAX_VALUE / 2);
                onCancel.run();
            });
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    Flux<T> flux() {
        return flux;
    }

    boolean cancelled() {
        return cancelled.get();
    }

    /** Hands one item downstream, waiting for demand; false when the consumer has gone. */
    boolean emit(T item) {
        try {
            while (!demand.tryAcquire(1, TimeUnit.SECONDS)) {
                if (cancelled.get()) {
                    return false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        FluxSink<T> s = sink;
        if (cancelled.get() || s == null) {
            return false;
        }
        s.next(item);
        return true;
    }

    /** Emits without waiting (the last message of a stream). */
    void emitLast(T item) {
        FluxSink<T> s = sink;
        if (s != null && !cancelled.get()) {
            s.next(item);
        }
    }

    void complete() {
        FluxSink<T> s = sink;
        if (s != null) {
            s.complete();
        }
    }

    void error(Throwable t) {
        FluxSink<T> s = sink;
        if (s != null) {
            s.error(t);
        }
    }
}
