package io.kube4j.client.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Status;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ListOptions;
import io.kube4j.client.PatchOptions;
import io.kube4j.client.PatchType;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.watch.WatchEvent;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/** {@link ResourceClient} over the apiserver's REST API for any resource of the registry. */
public final class HttpResourceClient<T extends HasMetadata> implements ResourceClient<T> {

    /** Attempts of {@link #updateWithRetry}: enough for a handful of concurrent writers of one object. */
    public static final int UPDATE_ATTEMPTS = 16;
    static final Duration WATCH_MIN_BACKOFF = Duration.ofMillis(100);
    static final Duration WATCH_MAX_BACKOFF = Duration.ofSeconds(5);

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE =
            new ParameterizedTypeReference<>() {
            };

    private static final Logger log = LoggerFactory.getLogger(HttpResourceClient.class);

    private final Transport transport;
    private final WebClient web;
    private final ResourceType rt;
    private final Class<T> type;
    private final String basePath;

    public HttpResourceClient(Transport transport, ResourceType rt, Class<T> type) {
        this.transport = transport;
        this.web = transport.web();
        this.rt = rt;
        this.type = type;
        this.basePath = rt.group().isEmpty() ? "/api/" + rt.version() : "/apis/" + rt.group() + "/" + rt.version();
    }

    public ResourceType resourceType() {
        return rt;
    }

    // ---- paths

    /** {@code namespace} null: across namespaces (for lists and watches). */
    String collectionPath(String namespace) {
        StringBuilder p = new StringBuilder(basePath);
        if (rt.namespaced() && namespace != null) {
            p.append("/namespaces/").append(segment(namespace));
        }
        return p.append('/').append(rt.plural()).toString();
    }

    String objectPath(String namespace, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(rt.kind() + ": a name is required");
        }
        return collectionPath(rt.namespaced() ? namespaceOrDefault(namespace) : null) + "/" + segment(name);
    }

    private String namespaceOrDefault(String namespace) {
        return namespace == null || namespace.isEmpty() ? transport.config().namespace() : namespace;
    }

    private String namespaceOf(T object) {
        return object.getMetadata() == null ? null : object.getMetadata().getNamespace();
    }

    private String nameOf(T object) {
        return object.getMetadata() == null ? null : object.getMetadata().getName();
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private URI uri(String path, Map<String, String> query) {
        StringBuilder b = new StringBuilder(transport.config().server()).append(path);
        char sep = '?';
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            b.append(sep).append(segment(e.getKey())).append('=').append(segment(e.getValue()));
            sep = '&';
        }
        return URI.create(b.toString());
    }

    static Map<String, String> listQuery(ListOptions o) {
        Map<String, String> q = new LinkedHashMap<>();
        if (o == null) {
            return q;
        }
        q.put("labelSelector", blankToNull(o.labelSelector()));
        q.put("fieldSelector", blankToNull(o.fieldSelector()));
        if (o.limit() > 0) {
            q.put("limit", Long.toString(o.limit()));
        }
        q.put("continue", blankToNull(o.continueToken()));
        q.put("resourceVersion", blankToNull(o.resourceVersion()));
        if (o.timeoutSeconds() != null) {
            q.put("timeoutSeconds", o.timeoutSeconds().toString());
        }
        return q;
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    // ---- verbs

    @Override
    public Mono<T> get(String namespace, String name) {
        return get(namespace, name, Map.of());
    }

    @Override
    public Mono<T> getCached(String namespace, String name) {
        return get(namespace, name, Map.of("resourceVersion", "0"));
    }

    private Mono<T> get(String namespace, String name, Map<String, String> query) {
        return Mono.defer(() -> request(HttpMethod.GET, uri(objectPath(namespace, name), query), null, null))
                .map(this::decode);
    }

    @Override
    public Mono<KubernetesResourceList<T>> list(String namespace, ListOptions options) {
        return Mono.defer(() -> request(HttpMethod.GET, uri(collectionPath(namespace), listQuery(options)), null, null))
                .map(this::decodeList);
    }

    @Override
    public Mono<T> create(T object) {
        return Mono.defer(() -> {
            String ns = rt.namespaced() ? namespaceOrDefault(namespaceOf(object)) : null;
            return request(HttpMethod.POST, uri(collectionPath(ns), Map.of()), MediaType.APPLICATION_JSON,
                    Codecs.toJson(object));
        }).map(this::decode);
    }

    @Override
    public Mono<T> update(T object) {
        return Mono.defer(() -> request(HttpMethod.PUT, uri(objectPath(namespaceOf(object), nameOf(object)), Map.of()),
                MediaType.APPLICATION_JSON, Codecs.toJson(object))).map(this::decode);
    }

    @Override
    public Mono<T> updateStatus(T object) {
        return Mono.defer(() -> request(HttpMethod.PUT,
                uri(objectPath(namespaceOf(object), nameOf(object)) + "/status", Map.of()),
                MediaType.APPLICATION_JSON, Codecs.toJson(object))).map(this::decode);
    }

    @Override
    public Mono<T> patch(String namespace, String name, PatchType patchType, String patch) {
        return patch(namespace, name, patchType, patch, PatchOptions.none());
    }

    @Override
    public Mono<T> patch(String namespace, String name, PatchType patchType, String patch, PatchOptions options) {
        Map<String, String> query = options == null ? Map.of() : options.query();
        return Mono.defer(() -> request(HttpMethod.PATCH, uri(objectPath(namespace, name), query),
                MediaType.parseMediaType(patchType.mediaType()), patch.getBytes(StandardCharsets.UTF_8)))
                .map(this::decode);
    }

    /**
     * Kubernetes answers a delete with the object (deleted, or pending with a deletionTimestamp); should the server
     * answer with a success Status instead, the Mono completes empty.
     */
    @Override
    public Mono<T> delete(String namespace, String name, DeleteOptions options) {
        return Mono.defer(() -> request(HttpMethod.DELETE, uri(objectPath(namespace, name), Map.of()),
                MediaType.APPLICATION_JSON, deleteBody(options == null ? DeleteOptions.defaults() : options)))
                .flatMap(b -> {
                    JsonNode tree = Codecs.json().readTree(b);
                    if ("Status".equals(tree.path("kind").asString("")) && !rt.kind().equals("Status")) {
                        return Mono.empty();
                    }
                    return Mono.just(Codecs.json().treeToValue(tree, type));
                });
    }

    /** One DELETE to the collection URL with the list's selectors as query and the options as body. */
    @Override
    public Mono<List<T>> deleteCollection(String namespace, ListOptions options, DeleteOptions deleteOptions) {
        return Mono.defer(() -> {
                    Map<String, String> q = listQuery(options == null ? ListOptions.all() : options);
                    q.remove("limit"); // deletecollection acts on everything selected, not on one page
                    q.remove("continue");
                    return request(HttpMethod.DELETE, uri(collectionPath(namespace), q), MediaType.APPLICATION_JSON,
                            deleteBody(deleteOptions == null ? DeleteOptions.defaults() : deleteOptions));
                })
                .map(b -> decodeList(b).getItems());
    }

    static byte[] deleteBody(DeleteOptions o) {
        ObjectNode n = Codecs.json().createObjectNode();
        n.put("kind", "DeleteOptions");
        n.put("apiVersion", "v1");
        if (o.gracePeriodSeconds() != null) {
            n.put("gracePeriodSeconds", o.gracePeriodSeconds());
        }
        if (o.propagationPolicy() != null) {
            n.put("propagationPolicy", o.propagationPolicy());
        }
        if (o.preconditionUid() != null || o.preconditionResourceVersion() != null) {
            ObjectNode p = n.putObject("preconditions");
            if (o.preconditionUid() != null) {
                p.put("uid", o.preconditionUid());
            }
            if (o.preconditionResourceVersion() != null) {
                p.put("resourceVersion", o.preconditionResourceVersion());
            }
        }
        return Codecs.json().writeValueAsBytes(n);
    }

    @Override
    public Mono<T> updateWithRetry(String namespace, String name, UnaryOperator<T> mutation, boolean status) {
        return Mono.defer(() -> get(namespace, name).flatMap(current -> {
                    T changed = mutation.apply(current);
                    if (changed == null) {
                        return Mono.just(current); // the mutation decided there is nothing to write
                    }
                    return status ? updateStatus(changed) : update(changed);
                }))
                .retryWhen(Retry.backoff(UPDATE_ATTEMPTS - 1, Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(500))
                        .jitter(0.75)
                        .filter(e -> e instanceof ApiStatusException.Conflict)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    /** POSTs {@code body} (JSON) to the subresource {@code sub} of one object, e.g. {@code pods/x/binding}. */
    public Mono<byte[]> postSubresource(String namespace, String name, String sub, byte[] body) {
        return Mono.defer(() -> request(HttpMethod.POST, uri(objectPath(namespace, name) + "/" + sub, Map.of()),
                MediaType.APPLICATION_JSON, body));
    }

    /** PUTs {@code body} (JSON) to the subresource {@code sub} of one object, e.g. {@code namespaces/x/finalize}. */
    public Mono<byte[]> putSubresource(String namespace, String name, String sub, byte[] body) {
        return Mono.defer(() -> request(HttpMethod.PUT, uri(objectPath(namespace, name) + "/" + sub, Map.of()),
                MediaType.APPLICATION_JSON, body));
    }

    // ---- HTTP

    /** The body of a 2xx answer; an {@link ApiStatusException} otherwise. */
    /** How often a request answered with 429 Too Many Requests is sent again (after the server's Retry-After). */
    public static final int TOO_MANY_REQUESTS_RETRIES = 3;
    /** The longest Retry-After the client waits for before giving the 429 to the caller. */
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(10);

    private Mono<byte[]> request(HttpMethod method, URI uri, MediaType contentType, byte[] body) {
        return Mono.defer(() -> send(method, uri, contentType, body))
                .retryWhen(Retry.from(signals -> signals.concatMap(rs -> {
                    // The apiserver refused the request before doing anything with it: waiting as it asks and sending
                    // it again is safe for every verb (client-go does the same).
                    if (rs.failure() instanceof ApiStatusException.TooManyRequests tmr
                            && rs.totalRetries() < TOO_MANY_REQUESTS_RETRIES
                            && Duration.ofSeconds(tmr.retryAfterSeconds()).compareTo(MAX_RETRY_AFTER) <= 0) {
                        return Mono.delay(Duration.ofSeconds(Math.max(0, tmr.retryAfterSeconds())));
                    }
                    return Mono.error(rs.failure());
                })));
    }

    private Mono<byte[]> send(HttpMethod method, URI uri, MediaType contentType, byte[] body) {
        WebClient.RequestBodySpec spec = web.method(method).uri(uri).accept(MediaType.APPLICATION_JSON);
        WebClient.RequestHeadersSpec<?> ready = body == null ? spec : spec.contentType(contentType).bodyValue(body);
        return ready.exchangeToMono(resp -> resp.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(b -> {
                    if (resp.statusCode().is2xxSuccessful()) {
                        return Mono.just(b);
                    }
                    return Mono.error(toException(resp, b, method + " " + uri.getRawPath()));
                }))
                .timeout(transport.config().requestTimeout(), Mono.error(() -> new ApiStatusException(504, null,
                        method + " " + uri.getRawPath() + ": no answer within " + transport.config().requestTimeout())));
    }

    /** The exception of a non-2xx answer: the server's Status when the body is one, its text otherwise. */
    public static ApiStatusException toException(ClientResponse resp, byte[] body, String what) {
        int code = resp.statusCode().value();
        Status status = null;
        String message = null;
        if (body.length > 0) {
            try {
                JsonNode tree = Codecs.json().readTree(body);
                if ("Status".equals(tree.path("kind").asString(""))) {
                    status = Codecs.json().treeToValue(tree, Status.class);
                    message = status.getMessage();
                }
            } catch (RuntimeException notJson) {
                // not a Status: keep the text as the message
            }
            if (message == null) {
                String text = new String(body, StandardCharsets.UTF_8);
                message = text.length() > 500 ? text.substring(0, 500) + "..." : text;
            }
        }
        if (message == null || message.isBlank()) {
            message = what + ": HTTP " + code;
        }
        ApiStatusException e = ApiStatusException.of(code, status, message);
        if (e instanceof ApiStatusException.TooManyRequests tmr) {
            String ra = resp.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER);
            if (ra != null) {
                try {
                    tmr.withRetryAfter(Integer.parseInt(ra.trim()));
                } catch (NumberFormatException ignored) {
                    // an HTTP date: keep the Status's (or the default) delay
                }
            }
        }
        return e;
    }

    T decode(byte[] json) {
        return Codecs.fromJson(json, type);
    }

    KubernetesResourceList<T> decodeList(byte[] json) {
        JsonNode tree = Codecs.json().readTree(json);
        ListMeta meta = tree.has("metadata") ? Codecs.json().treeToValue(tree.get("metadata"), ListMeta.class)
                : new ListMeta();
        List<T> items = new ArrayList<>();
        for (JsonNode item : tree.path("items")) {
            items.add(Codecs.json().treeToValue(item, type));
        }
        return new ResourceList<>(meta, List.copyOf(items));
    }

    // ---- watch

    /**
     * Without a resourceVersion (null or "0") the initial state comes from a LIST, emitted as ADDED events carrying
     * the list's resourceVersion, and the watch starts at that resourceVersion. (The server's own initial state gives
     * every ADDED the same id, so a stream broken in its middle could not be resumed without loss or repeats.)
     */
    @Override
    public Flux<WatchEvent<T>> watch(String namespace, ListOptions options, String fromResourceVersion) {
        ListOptions o = options == null ? ListOptions.all() : options;
        String from = fromResourceVersion != null ? fromResourceVersion : blankToNull(o.resourceVersion());
        AtomicReference<String> lastId = new AtomicReference<>(from);
        Flux<WatchEvent<T>> initial = Flux.empty();
        if (from == null || from.equals("0")) {
            ListOptions listOptions = new ListOptions(o.labelSelector(), o.fieldSelector(), 0, null, from, null, false);
            initial = Flux.defer(() -> list(namespace, listOptions))
                    .retryWhen(watchRetry())
                    .flatMapIterable(l -> {
                        String rv = l.getMetadata().getResourceVersion();
                        lastId.set(rv);
                        return l.getItems().stream().map(i -> new WatchEvent<>(WatchEvent.Type.ADDED, i, rv)).toList();
                    });
        }
        Flux<WatchEvent<T>> resuming = Flux.defer(() -> connect(namespace, o, lastId.get()))
                .doOnNext(e -> {
                    if (e.resourceVersion() != null) {
                        lastId.set(e.resourceVersion());
                    }
                })
                .retryWhen(watchRetry())
                // The server ends every stream after timeoutSeconds (or when it stops): resume where we are.
                .repeatWhen(ends -> ends.concatMap(x -> Mono.delay(
                        Duration.ofMillis(20 + ThreadLocalRandom.current().nextLong(80)))));
        return Flux.concat(initial, resuming)
                .onErrorMap(TerminalWatchError.class, TerminalWatchError::exception)
                // Closing the KubeClient ends its watches (normally) instead of leaving them retrying.
                .takeUntilOther(transport.closed());
    }

    private Retry watchRetry() {
        return Retry.backoff(Long.MAX_VALUE, WATCH_MIN_BACKOFF).maxBackoff(WATCH_MAX_BACKOFF).jitter(0.5)
                .transientErrors(true)
                .filter(HttpResourceClient::retryable)
                .doBeforeRetry(s -> log.debug("watch of {} broke ({}); reconnecting, attempt {}", rt.qualifiedName(),
                        s.failure().toString(), s.totalRetriesInARow() + 1));
    }

    private Flux<WatchEvent<T>> connect(String namespace, ListOptions o, String resumeFrom) {
        Map<String, String> q = listQuery(new ListOptions(o.labelSelector(), o.fieldSelector(), 0, null,
                resumeFrom, o.timeoutSeconds(), o.bookmarks()));
        q.put("watch", "true");
        if (o.bookmarks()) {
            q.put("allowWatchBookmarks", "true");
        }
        URI uri = uri(collectionPath(namespace), q);
        WebClient.RequestHeadersSpec<?> spec = web.get().uri(uri).accept(MediaType.TEXT_EVENT_STREAM);
        if (resumeFrom != null) {
            spec = spec.header("Last-Event-ID", resumeFrom);
        }
        return spec.exchangeToFlux(resp -> {
            if (!resp.statusCode().is2xxSuccessful()) {
                return resp.bodyToMono(byte[].class).defaultIfEmpty(new byte[0])
                        .flatMapMany(b -> Flux.error(toException(resp, b, "watch " + uri.getRawPath())));
            }
            return resp.bodyToFlux(SSE).concatMap(this::toEvent);
        });
    }

    private Mono<WatchEvent<T>> toEvent(ServerSentEvent<String> sse) {
        String data = sse.data();
        if (data == null || data.isEmpty()) {
            return Mono.empty(); // a comment (": watching ...") or keep-alive
        }
        String kind = sse.event() == null ? "MESSAGE" : sse.event();
        if (kind.equals("ERROR")) {
            Status status = null;
            try {
                status = Codecs.json().readValue(data, Status.class);
            } catch (RuntimeException ignored) {
                // not a Status
            }
            int code = status != null && status.getCode() != null ? status.getCode() : 500;
            String message = status != null && status.getMessage() != null ? status.getMessage() : data;
            return Mono.error(new TerminalWatchError(ApiStatusException.of(code, status, message)));
        }
        WatchEvent.Type t;
        try {
            t = WatchEvent.Type.valueOf(kind);
        } catch (IllegalArgumentException unknown) {
            return Mono.error(new TerminalWatchError(new ApiStatusException(500, null,
                    "unknown watch event type " + kind)));
        }
        T object = t == WatchEvent.Type.BOOKMARK ? bookmarkObject(data) : Codecs.json().readValue(data, type);
        String rv = sse.id();
        if (rv == null || rv.isEmpty()) {
            rv = object.getMetadata() == null ? null : object.getMetadata().getResourceVersion();
        }
        return Mono.just(new WatchEvent<>(t, object, rv));
    }

    private T bookmarkObject(String data) {
        try {
            return Codecs.json().readValue(data, type);
        } catch (RuntimeException e) {
            JsonNode tree = Codecs.json().readTree(data);
            try {
                T o = type.getDeclaredConstructor().newInstance();
                o.setMetadata(new ObjectMeta());
                o.getMetadata().setResourceVersion(tree.path("metadata").path("resourceVersion").asString(null));
                return o;
            } catch (ReflectiveOperationException r) {
                throw Exceptions.propagate(r);
            }
        }
    }

    /** A dropped connection, a timeout or a server-side 5xx/429 is retried; anything else ends the watch. */
    static boolean retryable(Throwable e) {
        if (e instanceof TerminalWatchError) {
            return false;
        }
        if (e instanceof ApiStatusException a) {
            return a.code() >= 500 || a.code() == 429 || a.code() == 408;
        }
        if (e instanceof WebClientRequestException || e instanceof TimeoutException) {
            return true;
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** Carries an exception that must end the watch (not be retried) through the retry operator. */
    static final class TerminalWatchError extends RuntimeException {
        private final ApiStatusException exception;

        TerminalWatchError(ApiStatusException exception) {
            super(exception.getMessage(), exception, false, false);
            this.exception = exception;
        }

        ApiStatusException exception() {
            return exception;
        }
    }
}
