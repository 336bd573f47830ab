package io.kube4j.client.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.PatchType;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.util.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records core/v1 Events about objects, after client-go's {@code record.EventRecorder} + {@code EventCorrelator}:
 * {@link #event} only enqueues (a bounded queue; dropped with a log line when full, counted by {@link #dropped()})
 * and one writer thread correlates the events and sends the writes, up to {@link #DEFAULT_MAX_IN_FLIGHT} at a time
 * (client-go's broadcaster likewise writes each event to the sink on its own goroutine), so the rate of Events is
 * not capped at one round trip each. A repeat of the same (involved object, type, reason, message, source) within
 * the aggregation window patches {@code count} and {@code lastTimestamp} of the Event already written instead of
 * creating another; the writes for one such key stay in order (each waits for the one before it).
 */
public final class EventRecorder implements AutoCloseable {

    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";
    /** client-go's default aggregation window. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
    /** Event writes in flight at once. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 16;
    private static final int CACHE_SIZE = 4096;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;

    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);

    /** What makes two events the same event. */
    private record Key(String kind, String apiVersion, String namespace, String name, String uid, String type,
            String reason, String message) {
    }

    private record Pending(Key key, ObjectReference involved, Instant at) {
    }

    /**
     * What was written for a key: the Event's name and the count it holds once the writes sent so far are done.
     * {@code count}, {@code lastSeen} and {@code last} (the key's latest write, which the next one waits for)
     * belong to the writer thread.
     */
    private static final class Written {
        final String namespace;
        final String name;
        final Instant first;
        int count;
        Instant lastSeen;
        CompletableFuture<Void> last;

        Written(String namespace, String name, int count, Instant lastSeen) {
            this.namespace = namespace;
            this.name = name;
            this.first = lastSeen;
            this.count = count;
            this.lastSeen = lastSeen;
        }
    }

    private static final Pending STOP = new Pending(null, null, null);

    private final ResourceClient<Event> events;
    private final String component;
    private final String host;
    private final Clock clock;
    private final Duration window;
    private final Duration writeTimeout = Duration.ofSeconds(10);
    private final BlockingQueue<Pending> queue;
    private final Map<Key, Written> written = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Written> eldest) {
            return size() > CACHE_SIZE;
        }
    };
    private final AtomicLong lastNameNanos = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final Thread writer;

    public EventRecorder(ResourceClient<Event> events, String component, String host, Clock clock, int capacity,
            Duration window) {
        this(events, component, host, clock, capacity, window, DEFAULT_MAX_IN_FLIGHT);
    }

    /** As above, with at most {@code maxInFlight} Event writes outstanding at once. */
    public EventRecorder(ResourceClient<Event> events, String component, String host, Clock clock, int capacity,
            Duration window, int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.events = Objects.requireNonNull(events);
        this.component = Objects.requireNonNull(component);
        this.host = host;
        this.clock = Objects.requireNonNull(clock);
        this.window = window;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::writeLoop, "event-recorder-" + component);
        writer.setDaemon(true);
        writer.start();
    }

    /** A recorder with a queue of 1000 events and the 10-minute window. */
    public EventRecorder(ResourceClient<Event> events, String component, String host) {
        this(events, component, host, Clock.system(), 1000, DEFAULT_WINDOW);
    }

    /** Records an event about {@code involved}; never blocks. {@code type} is {@link #NORMAL} or {@link #WARNING}. */
    public void event(HasMetadata involved, String type, String reason, String message) {
        if (!NORMAL.equals(type) && !WARNING.equals(type)) {
            throw new IllegalArgumentException("event type must be Normal or Warning, got " + type);
        }
        var meta = involved.getMetadata();
        ObjectReference ref = new ObjectReferenceBuilder().withKind(involved.getKind())
                .withApiVersion(involved.getApiVersion()).withNamespace(meta.getNamespace())
                .withName(meta.getName()).withUid(meta.getUid()).withResourceVersion(meta.getResourceVersion())
                .build();
        Key key = new Key(ref.getKind(), ref.getApiVersion(), ref.getNamespace(), ref.getName(), ref.getUid(), type,
                reason, message);
        if (!queue.offer(new Pending(key, ref, clock.now()))) {
            dropped.incrementAndGet();
            log.warn("event queue full, dropping event {} {} on {}/{}: {}", type, reason, ref.getNamespace(),
                    ref.getName(), message);
        }
    }

    /** Events dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    private void writeLoop() {
        while (true) {
            Pending p;
            try {
                p = queue.take();
                if (p == STOP) {
                    return;
                }
                inFlight.acquire();
            } catch (InterruptedException e) {
                return;
            }
            CompletableFuture<Void> done;
            try {
                done = write(p);
            } catch (RuntimeException e) {
                done = CompletableFuture.failedFuture(e);
            }
            done.whenComplete((ok, e) -> {
                inFlight.release();
                if (e != null) {
                    log.warn("could not record event {} on {}/{}: {}", p.key.reason(), p.key.namespace(),
                            p.key.name(), e.toString());
                }
            });
        }
    }

    /** Correlates {@code p} with what was written (on the writer thread) and sends its write. */
    private CompletableFuture<Void> write(Pending p) {
        Written w = written.get(p.key);
        if (w != null && !p.at.isAfter(w.lastSeen.plus(window))) {
            int count = w.count + 1;
            w.count = count;
            w.lastSeen = p.at;
            String patch = "{\"count\":" + count + ",\"lastTimestamp\":\"" + time(p.at) + "\"}";
            // After the key's previous write (whatever its outcome), so the patches land in order.
            CompletableFuture<Void> done = w.last.handle((x, e) -> null).thenCompose(x ->
                    events.patch(w.namespace, w.name, PatchType.MERGE, patch).timeout(writeTimeout).toFuture()
                            .handle((ok, e) -> {
                                Throwable cause = unwrap(e);
                                if (cause instanceof ApiStatusException.NotFound) {
                                    // The Event was deleted (or expired by TTL): create it again under its name
                                    // with the correlated count, as client-go's recordEvent does.
                                    return create(w.namespace, w.name, p, w.first, count);
                                }
                                return e == null ? CompletableFuture.<Void>completedFuture(null)
                                        : CompletableFuture.<Void>failedFuture(cause);
                            }).thenCompose(f -> f));
            w.last = done;
            return done;
        }
        String namespace = p.involved.getNamespace() == null ? "default" : p.involved.getNamespace();
        String name = newName(p);
        CompletableFuture<Void> done = create(namespace, name, p, p.at, 1);
        Written nw = new Written(namespace, name, 1, p.at);
        nw.last = done;
        written.put(p.key, nw);
        return done;
    }

    private CompletableFuture<Void> create(String namespace, String name, Pending p, Instant first, int count) {
        Event event = new EventBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withInvolvedObject(p.involved)
                .withType(p.key.type()).withReason(p.key.reason()).withMessage(p.key.message())
                .withNewSource().withComponent(component).withHost(host).endSource()
                .withReportingComponent(component).withReportingInstance(host)
                .withFirstTimestamp(time(first)).withLastTimestamp(time(p.at)).withCount(count)
                .build();
        return events.create(event).timeout(writeTimeout).toFuture().thenApply(x -> null);
    }

    private String newName(Pending p) {
        return p.involved.getName() + "." + Long.toHexString(uniqueNanos(p.at));
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** client-go names Events {@code <object>.<unix nanos in hex>}; keep them unique even when the clock stands still. */
    private long uniqueNanos(Instant at) {
        long nanos = at.getEpochSecond() * 1_000_000_000L + at.getNano();
        return lastNameNanos.accumulateAndGet(nanos, (last, n) -> n > last ? n : last + 1);
    }

    private static String time(Instant at) {
        return TIME.format(at.truncatedTo(ChronoUnit.SECONDS));
    }

    /** Writes what is queued, then stops the writer once the writes in flight are done (waiting at most {@code timeout}). */
    public void close(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!queue.offer(STOP, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            writer.interrupt();
        }
        writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (inFlight.tryAcquire(maxInFlight, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            inFlight.release(maxInFlight);
        }
    }

    @Override
    public void close() throws InterruptedException {
        close(Duration.ofSeconds(10));
    }
}
