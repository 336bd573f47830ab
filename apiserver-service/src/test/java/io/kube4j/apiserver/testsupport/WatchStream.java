package io.kube4j.apiserver.testsupport;

import io.kube4j.api.codec.Codecs;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client watch on a real apiserver, read as a stream with java.net.http: Server-Sent Events
 * ({@code Accept: text/event-stream}, {@code id:}/{@code event:}/{@code data:} frames) or the Kubernetes JSON
 * watch stream ({@code {"type","object"}} per line). Every event received is kept, across reconnections.
 * With {@code resume} it reconnects whenever the stream ends or breaks, as a client would: SSE with
 * {@code Last-Event-ID}, the JSON stream with {@code resourceVersion=<last seen>}.
 */
public final class WatchStream implements AutoCloseable {

    /** The wire format of a watch. */
    public enum Format { SSE, JSON }

    /**
     * One event as received.
     *
     * @param type            ADDED, MODIFIED, DELETED, BOOKMARK or ERROR
     * @param resourceVersion the object's metadata.resourceVersion (-1 for an ERROR's Status)
     * @param id              the SSE {@code id:} (null for the JSON stream, or an SSE frame without one)
     * @param object          the event's object
     */
    public record Event(String type, long resourceVersion, String id, JsonNode object) {
        public String name() {
            return object.path("metadata").path("name").asString("");
        }

        public boolean isBookmark() {
            return "BOOKMARK".equals(type);
        }
    }

    /** Reads the bodies of every watch stream: a fixed pool, shared by all watches of a JVM. */
    private static final ExecutorService READERS = Executors.newFixedThreadPool(8, daemon("watch-stream-reader"));
    private static final ScheduledExecutorService RECONNECTS = Executors.newSingleThreadScheduledExecutor(
            daemon("watch-stream-reconnect"));
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(READERS).build();
    private static final Duration RECONNECT_BACKOFF = Duration.ofMillis(100);

    private final String base;
    private final String path;
    private final String query;
    private final Format format;
    private final long startRevision;
    private final boolean resume;
    private final List<Event> events = new ArrayList<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> failures = new ArrayList<>();
    /** Counts connections; signals from an older one (after {@link #disconnect()}) are dropped. */
    private int generation;
    private Flow.Subscription subscription;
    private long lastRevision;
    private String lastEventId;
    private boolean closed;

    private WatchStream(String base, String path, String query, Format format, long startRevision, boolean resume) {
        this.base = base;
        this.path = path;
        this.query = query;
        this.format = format;
        this.startRevision = startRevision;
        this.resume = resume;
        this.lastRevision = startRevision;
    }

    /**
     * Starts a watch of {@code path} (e.g. {@code /api/v1/namespaces/x/configmaps}) from {@code resourceVersion}
     * (0: the current state first); {@code query} holds further parameters ({@code labelSelector=...}) or is empty.
     */
    public static WatchStream start(String base, String path, String query, Format format, long resourceVersion,
                                    boolean resume) {
        WatchStream w = new WatchStream(base, path, query, format, resourceVersion, resume);
        w.connect();
        return w;
    }

    private void connect() {
        int gen;
        String rv;
        String eventId;
        synchronized (this) {
            if (closed) {
                return;
            }
            gen = ++generation;
            // SSE keeps its URL and resumes with Last-Event-ID (as EventSource does); JSON moves resourceVersion.
            rv = Long.toString(format == Format.SSE ? startRevision : lastRevision);
            eventId = lastEventId;
        }
        StringBuilder uri = new StringBuilder(base).append(path).append("?watch=true&resourceVersion=").append(rv);
        if (!query.isEmpty()) {
            uri.append('&').append(query);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri.toString())).GET()
                .timeout(Duration.ofSeconds(30))
                .header("Accept", format == Format.SSE ? "text/event-stream" : "application/json");
        if (format == Format.SSE && eventId != null) {
            b.header("Last-Event-ID", eventId);
        }
        HTTP.sendAsync(b.build(), info -> {
            if (info.statusCode() == 200) {
                connections.incrementAndGet();
                return HttpResponse.BodySubscribers.fromLineSubscriber(new Lines(gen));
            }
            return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8),
                    body -> {
                        failed(gen, info.statusCode(), body);
                        return null;
                    });
        }).whenComplete((r, e) -> streamEnded(gen, e));
    }

    private synchronized void failed(int gen, int code, String body) {
        if (gen == generation && code != 503) {
            failures.add(code + " " + body);
        }
    }

    private void streamEnded(int gen, Throwable error) {
        boolean again;
        synchronized (this) {
            if (gen != generation) {
                return;
            }
            subscription = null;
            boolean gone = !events.isEmpty() && "ERROR".equals(events.get(events.size() - 1).type());
            again = resume && !closed && !gone && failures.isEmpty();
        }
        if (again) {
            RECONNECTS.schedule(this::connect, RECONNECT_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
        } else if (error != null) {
            ended.completeExceptionally(error);
        } else {
            ended.complete(null);
        }
    }

    /** Drops the connection now (as a client that goes away); a resuming watch reconnects from the last event. */
    public void disconnect() {
        boolean again;
        synchronized (this) {
            if (subscription != null) {
                subscription.cancel();
                subscription = null;
            }
            generation++;
            again = resume && !closed;
        }
        if (again) {
            RECONNECTS.schedule(this::connect, RECONNECT_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            ended.complete(null);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        disconnect();
    }

    /** A copy of every event received so far, in arrival order. */
    public synchronized List<Event> events() {
        return new ArrayList<>(events);
    }

    /** The events received so far, bookmarks left out. */
    public synchronized List<Event> changes() {
        return events.stream().filter(e -> !e.isBookmark()).toList();
    }

    public synchronized long lastResourceVersion() {
        return lastRevision;
    }

    /** How many times a stream was opened with 200. */
    public int connections() {
        return connections.get();
    }

    /** Answers other than 200 and 503 (the watch then stops). */
    public synchronized List<String> failures() {
        return new ArrayList<>(failures);
    }

    /** Completes when a non-resuming stream ends (by itself, or broken: exceptionally). */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    private synchronized void onEvent(int gen, String type, String id, String data) {
        if (gen != generation) {
            return;
        }
        JsonNode object = Codecs.json().readTree(data);
        if (format == Format.JSON) {
            type = object.path("type").asString();
            object = object.path("object");
        }
        String rvText = object.path("metadata").path("resourceVersion").asString("");
        long rv = rvText.isEmpty() ? -1 : Long.parseLong(rvText);
        events.add(new Event(type, rv, id, object));
        if (rv > 0) {
            lastRevision = rv;
        }
        if (id != null) {
            lastEventId = id;
        }
    }

    private synchronized void subscribed(int gen, Flow.Subscription s) {
        if (gen != generation || closed) {
            s.cancel();
            return;
        }
        subscription = s;
    }

    /** Turns the lines of one connection into events. */
    private final class Lines implements Flow.Subscriber<String> {
        private final int gen;
        private String id;
        private String type;
        private StringBuilder data;

        Lines(int gen) {
            this.gen = gen;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscribed(gen, s);
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (format == Format.JSON) {
                if (!line.isBlank()) {
                    onEvent(gen, null, null, line);
                }
                return;
            }
            if (line.isEmpty()) {
                if (data != null) {
                    onEvent(gen, type, id, data.toString());
                }
                id = null;
                type = null;
                data = null;
            } else if (line.startsWith(":")) {
                // comment (the stream's opening line)
            } else if (line.startsWith("id:")) {
                id = field(line, 3);
            } else if (line.startsWith("event:")) {
                type = field(line, 6);
            } else if (line.startsWith("data:")) {
                if (data == null) {
                    data = new StringBuilder();
                } else {
                    data.append('\n');
                }
                data.append(field(line, 5));
            }
        }

        private static String field(String line, int at) {
            String v = line.substring(at);
            return v.startsWith(" ") ? v.substring(1) : v;
        }

        @Override
        public void onError(Throwable t) {
            // the response future reports it
        }

        @Override
        public void onComplete() {
            // the response future reports it
        }
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
