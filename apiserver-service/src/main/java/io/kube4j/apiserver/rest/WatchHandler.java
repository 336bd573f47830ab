package io.kube4j.apiserver.rest;

import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.config.ApiServerProperties;
import io.kube4j.apiserver.registry.ListOptions;
import io.kube4j.apiserver.watch.CacheEvent;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.apiserver.watch.WatchCacheManager;
import io.kube4j.apiserver.watch.WatchEventType;
import io.kube4j.apiserver.watch.WatchFilter;
import io.kube4j.apiserver.watch.Watcher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Serves watches from the watch cache in two encodings of the same stream: Server-Sent Events
 * ({@code Accept: text/event-stream}; {@code id:} is the resourceVersion, {@code Last-Event-ID} resumes) and
 * the Kubernetes watch stream (one {@code {"type","object"}} JSON document per line, or per WebSocket message when
 * the client upgrades, as fabric8 does). Each event's bytes are
 * encoded once and shared by every watcher.
 */
public final class WatchHandler {

    private final WatchCacheManager caches;
    private final ApiServerProperties props;
    private final MeterRegistry meters;
    private final Map<ResourceType, Counter> eventCounters = new ConcurrentHashMap<>();
    private final HandshakeWebSocketService handshakes = new HandshakeWebSocketService();

    public WatchHandler(WatchCacheManager caches, ApiServerProperties props, MeterRegistry meters) {
        this.caches = caches;
        this.props = props;
        this.meters = meters;
    }

    Mono<ServerResponse> watch(ServerRequest request, ResourceType t, String namespace, ListOptions opts) {
        return watch(request, t, namespace, opts, OutputTransform.NONE);
    }

    /**
     * A watch whose events' objects are converted as {@code as} says: Tables (column definitions only in the first
     * event, as Kubernetes' watch encoder sends them, so that kubectl prints one header) or PartialObjectMetadata.
     * Converted events are encoded per watcher; unconverted ones share the cache's frames.
     */
    Mono<ServerResponse> watch(ServerRequest request, ResourceType t, String namespace, ListOptions opts,
                               OutputTransform as) {
        return watch(request, t, namespace, opts, as, null);
    }

    /**
     * A watch made in {@code served}'s version (null: the storage version {@code t}): each event's object is
     * converted to it and encoded per watcher, since the cache's shared frames hold the storage version. Tables are
     * printed from the stored objects, as Kubernetes prints them from its internal version.
     */
    Mono<ServerResponse> watch(ServerRequest request, ResourceType t, String namespace, ListOptions opts,
                               OutputTransform as, io.kube4j.api.registry.ServedVersion served) {
        if ("PartialObjectMetadataList".equals(as.as())) {
            return Mono.error(ApiException.notAcceptable("you requested PartialObjectMetadataList, but a watch "
                    + "sends single objects: use as=PartialObjectMetadata"));
        }
        boolean webSocket = request.headers().header("Upgrade").stream().anyMatch(u -> u.equalsIgnoreCase("websocket"));
        boolean sse = !webSocket && request.headers().accept().stream()
                .anyMatch(m -> m.isCompatibleWith(MediaType.TEXT_EVENT_STREAM) && !m.isWildcardType());
        String rv = opts.resourceVersion();
        if (sse) {
            List<String> lastEventId = request.headers().header("Last-Event-ID");
            if (!lastEventId.isEmpty() && !lastEventId.get(0).isBlank()) {
                rv = lastEventId.get(0).trim();
            }
        }
        long from;
        if (rv == null || rv.isEmpty() || rv.equals("0")) {
            from = -1;
        } else {
            try {
                from = Long.parseLong(rv);
            } catch (NumberFormatException e) {
                return Mono.error(ApiException.badRequest("invalid resourceVersion: " + rv));
            }
        }
        boolean bookmarks = QueryFlags.isTrue(request.queryParam("allowWatchBookmarks").orElse(null));
        Duration timeout = request.queryParam("timeoutSeconds").filter(s -> !s.isBlank())
                .map(s -> {
                    try {
                        return Duration.ofSeconds(Math.max(0, Long.parseLong(s)));
                    } catch (NumberFormatException e) {
                        throw ApiException.badRequest("invalid timeoutSeconds: " + s);
                    }
                })
                .orElseGet(() -> Duration.ofSeconds(1800 + ThreadLocalRandom.current().nextInt(1800)));
        if (!caches.isReady()) {
            return Mono.error(ApiException.unavailable("the watch cache is not ready yet"));
        }
        WatchCache cache = caches.cache(t);
        WatchFilter filter = new WatchFilter(t.namespaced() ? namespace : null, opts.labels(), opts.fields());
        Counter counter = eventCounters.computeIfAbsent(t, k -> Counter.builder("apiserver_watch_events_total")
                .tag("group", k.group()).tag("version", k.version()).tag("kind", k.kind())
                .description("Number of events sent in watch clients").register(meters));
        MediaType contentType = sse ? MediaType.TEXT_EVENT_STREAM : MediaType.APPLICATION_JSON;
        Flux<byte[]> frames;
        try {
            Watcher w = cache.watch(filter, from, bookmarks, props.watchCache().watcherBufferSize());
            java.util.function.Function<Watcher.Delivery, byte[]> encode = served != null && (sse || as.none())
                    ? d -> servedFrame(served, d, sse)
                    : sse || as.none()
                    ? d -> sse ? d.event().sseFrame(d.type()) : d.event().jsonFrame(d.type())
                    : new ConvertedFrames(t, as)::frame;
            frames = w.events()
                    .map(d -> {
                        counter.increment();
                        return encode.apply(d);
                    })
                    .onErrorResume(Watcher.SlowWatcherException.class, e -> Flux.empty())
                    .take(timeout);
        } catch (WatchCache.TooOldResourceVersionException e) {
            frames = Flux.just(errorFrame(sse, e.getMessage()));
        }
        if (webSocket) {
            return webSocket(request, frames);
        }
        // The first (empty, or comment) chunk commits the response headers before any event exists.
        byte[] opening = sse ? (": watching " + t.qualifiedName() + "\n\n").getBytes(StandardCharsets.UTF_8) : new byte[0];
        Flux<byte[]> body = Flux.concat(Flux.just(opening), frames);
        return ServerResponse.ok().contentType(contentType)
                .header("Cache-Control", "no-cache, private")
                .header("X-Accel-Buffering", "no")
                .body((out, ctx) -> {
                    DataBufferFactory f = out.bufferFactory();
                    Flux<Mono<DataBuffer>> chunks = body.map(b -> Mono.just(f.wrap(b)));
                    return out.writeAndFlushWith(chunks);
                });
    }

    /**
     * The same watch over a WebSocket, as kube-apiserver serves it to clients that ask for one (fabric8 does by
     * default): each event is one text message holding its {@code {"type","object"}} JSON document. The watch ends
     * when the client closes the socket (its watcher is cancelled) or at the timeout (the server closes the socket).
     */
    private Mono<ServerResponse> webSocket(ServerRequest request, Flux<byte[]> frames) {
        WebSocketHandler handler = session -> {
            Mono<Void> send = session.send(frames.map(b -> session.textMessage(
                    new String(b, StandardCharsets.UTF_8).stripTrailing())));
            Mono<Void> closedByClient = session.receive().then();
            // At the timeout the send completes and reactor-netty closes the socket with a close frame of its own
            // (no status code: the client sees 1005), as the end of a watch; the client then watches again.
            return Mono.firstWithSignal(send, closedByClient);
        };
        return handshakes.handleRequest(request.exchange(), handler).then(Mono.empty());
    }

    /** An event's frame with its object in the served version (a bookmark's object too: it names its kind). */
    private static byte[] servedFrame(io.kube4j.api.registry.ServedVersion served, Watcher.Delivery d, boolean sse) {
        tools.jackson.databind.JsonNode object = Codecs.json().readTree(d.event().object().json());
        byte[] json = object instanceof tools.jackson.databind.node.ObjectNode o
                ? Codecs.json().writeValueAsBytes(ServedConversion.toServed(served, o)) : d.event().object().json();
        String s = new String(json, StandardCharsets.UTF_8);
        String frame = sse ? "id: " + d.event().revision() + "\nevent: " + d.type().name() + "\ndata: " + s + "\n\n"
                : "{\"type\":\"" + d.type().name() + "\",\"object\":" + s + "}\n";
        return frame.getBytes(StandardCharsets.UTF_8);
    }

    /** The ERROR event of a watch that cannot start: a 410 Expired Status, as Kubernetes sends it. */
    private static byte[] errorFrame(boolean sse, String message) {
        ApiException gone = ApiException.gone(message);
        byte[] status = Codecs.json().writeValueAsBytes(gone.toStatus());
        String s = new String(status, StandardCharsets.UTF_8);
        String frame = sse ? "event: " + WatchEventType.ERROR + "\ndata: " + s + "\n\n"
                : "{\"type\":\"ERROR\",\"object\":" + s + "}\n";
        return frame.getBytes(StandardCharsets.UTF_8);
    }

    /** One watcher's converted frames; remembers whether the Table column definitions went out already. */
    private static final class ConvertedFrames {

        private final ResourceType type;
        private final OutputTransform as;
        private final java.time.Clock clock = java.time.Clock.systemUTC();
        private boolean columnsSent;

        ConvertedFrames(ResourceType type, OutputTransform as) {
            this.type = type;
            this.as = as;
        }

        byte[] frame(Watcher.Delivery d) {
            tools.jackson.databind.JsonNode object = Codecs.json().readTree(d.event().object().json());
            tools.jackson.databind.node.ObjectNode converted;
            if (!as.table()) {
                converted = io.kube4j.api.printing.TableGenerator.partialObjectMetadata(object, as.version());
            } else if (d.type() == WatchEventType.BOOKMARK) {
                // A bookmark carries only a resourceVersion: an empty Table with it, and the columns still to come.
                converted = io.kube4j.api.printing.TableGenerator.table(type.group(), type.kind(), List.of(),
                        as.version(), as.include(), false, clock.instant());
                converted.withObject("metadata").put("resourceVersion",
                        object.path("metadata").path("resourceVersion").asString(""));
            } else {
                converted = io.kube4j.api.printing.TableGenerator.table(type.group(), type.kind(), List.of(object),
                        as.version(), as.include(), !columnsSent, clock.instant());
                columnsSent = true;
            }
            tools.jackson.databind.node.ObjectNode event = tools.jackson.databind.node.JsonNodeFactory.instance
                    .objectNode();
            event.put("type", d.type().name());
            event.set("object", converted);
            byte[] json = Codecs.json().writeValueAsBytes(event);
            byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
            line[json.length] = '\n';
            return line;
        }
    }
}
