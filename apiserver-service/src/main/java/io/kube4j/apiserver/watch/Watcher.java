package io.kube4j.apiserver.watch;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * One client watch registered with a {@link WatchCache}. The cache pushes events under its lock, so a
 * watcher sees them in revision order; selectors are applied here with Kubernetes semantics (an object
 * that stops matching is sent as DELETED, one that starts matching as ADDED). A watcher that falls more
 * than its buffer behind is closed; its client resumes from the last resourceVersion it saw.
 */
public final class Watcher {

    /** An event as this watcher sends it: the cache event and the type it has for this watcher. */
    public record Delivery(CacheEvent event, WatchEventType type) {
    }

    private final WatchFilter filter;
    private final boolean bookmarks;
    /** Nothing at or below this revision is sent: the client has it already. */
    private final long afterRevision;
    private final Sinks.Many<Delivery> sink;
    /**
     * Ends the stream of a watcher that fell too far behind at once, dropping what it buffered: the buffer is full
     * because its consumer stopped taking events, so an error queued behind the buffer would never be seen, and the
     * buffer would be held as long as the connection lives (Kubernetes' cache watcher is terminated the same way).
     */
    private final Sinks.One<Boolean> overflowed = Sinks.one();
    private volatile boolean tooSlow;
    private volatile Runnable onClose = () -> { };
    private volatile boolean closed;

    Watcher(WatchFilter filter, boolean bookmarks, int bufferSize, long afterRevision) {
        this.filter = filter;
        this.bookmarks = bookmarks;
        this.afterRevision = afterRevision;
        Queue<Delivery> queue = new ArrayBlockingQueue<>(Math.max(16, bufferSize));
        this.sink = Sinks.many().unicast().onBackpressureBuffer(queue);
    }

    void onClose(Runnable r) {
        this.onClose = r;
    }

    /** The events for this watch; cancelling it unregisters the watcher. */
    public Flux<Delivery> events() {
        return sink.asFlux()
                .takeUntilOther(overflowed.asMono())
                .concatWith(Flux.defer(() -> tooSlow ? Flux.error(new SlowWatcherException()) : Flux.empty()))
                .doFinally(s -> close());
    }

    boolean wantsBookmarks() {
        return bookmarks;
    }

    /** Called by the cache, under its lock, for every change in order. */
    void offer(CacheEvent e) {
        // A client may resume from a revision it read through another replica whose cache is ahead of this one:
        // changes it has seen are not sent again. A bookmark at exactly its revision is still sent, so an idle watch
        // gets its periodic bookmarks although nothing has changed since it started.
        boolean bookmark = e.type() == WatchEventType.BOOKMARK;
        if (closed || e.revision() < afterRevision || (!bookmark && e.revision() == afterRevision)) {
            return;
        }
        WatchEventType type;
        if (e.type() == WatchEventType.BOOKMARK) {
            type = WatchEventType.BOOKMARK;
        } else {
            boolean now = e.type() != WatchEventType.DELETED && filter.matches(e.object());
            boolean before = e.type() == WatchEventType.DELETED ? filter.matches(e.object())
                    : e.previous() != null && filter.matches(e.previous());
            if (e.type() == WatchEventType.DELETED) {
                type = before ? WatchEventType.DELETED : null;
            } else if (now && before) {
                type = WatchEventType.MODIFIED;
            } else if (now) {
                type = WatchEventType.ADDED;
            } else if (before) {
                type = WatchEventType.DELETED;
            } else {
                type = null;
            }
        }
        if (type != null) {
            emit(new Delivery(e, type));
        }
    }

    /** The initial state of a watch that starts without a resourceVersion: ADDED for each matching object. */
    void offerInitial(CachedObject o, long revision) {
        if (filter.matches(o)) {
            emit(new Delivery(new CacheEvent(WatchEventType.ADDED, o, null, revision), WatchEventType.ADDED));
        }
    }

    private void emit(Delivery d) {
        Sinks.EmitResult r = sink.tryEmitNext(d);
        if (r.isFailure() && r != Sinks.EmitResult.FAIL_CANCELLED && r != Sinks.EmitResult.FAIL_TERMINATED) {
            // Too far behind: end the stream now; the client resumes from the last resourceVersion it saw.
            closed = true;
            tooSlow = true;
            overflowed.tryEmitValue(Boolean.TRUE);
        }
    }

    /** Ends the stream normally (the watch cache was reset, or the server stops). */
    void complete() {
        closed = true;
        sink.tryEmitComplete();
    }

    void close() {
        if (!closed) {
            closed = true;
            sink.tryEmitComplete();
        }
        onClose.run();
    }

    /** The watcher fell too far behind and was closed. */
    public static final class SlowWatcherException extends RuntimeException {
        SlowWatcherException() {
            super("the watcher fell too far behind and was closed; resume from the last resourceVersion seen");
        }
    }
}
