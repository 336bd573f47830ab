package io.kube4j.gateway.openapi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The apiserver's OpenAPI v3 index ({@code GET /openapi/v3}: one document per group-version, each with its
 * {@code serverRelativeURL}), read from the first apiserver that answers when Swagger UI asks for it, and again
 * when it is asked for and older than the refresh interval; the last good list is kept while no apiserver answers.
 * Not at start nor on a timer: the index is the apiserver's OpenAPI documents, which the apiserver generates on the
 * first request (1.5-3 s of CPU), and an idle cluster should not pay for a UI nobody opened.
 */
public final class OpenApiIndex {

    /** One group-version's document: {@code api/v1} → {@code /openapi/v3/api/v1?hash=...}. */
    public record Entry(String name, String url) {
    }

    private static final Logger log = LoggerFactory.getLogger(OpenApiIndex.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebClient upstream;
    private final List<String> servers;
    private final Map<String, String> identityHeaders;
    private final Duration refreshInterval;
    private volatile List<Entry> entries = List.of();
    private volatile long fetchedAtNanos;
    private volatile String lastError;

    /**
     * @param upstream        a client with the gateway's upstream TLS (cluster CA, front-proxy client certificate)
     * @param servers         the apiservers, tried in order
     * @param identityHeaders the front-proxy headers naming the gateway's own identity
     * @param refreshInterval how old the list may be before {@link #current()} fetches it again
     */
    public OpenApiIndex(WebClient upstream, List<String> servers, Map<String, String> identityHeaders,
                        Duration refreshInterval) {
        this.upstream = upstream;
        this.refreshInterval = refreshInterval;
        this.servers = List.copyOf(servers);
        this.identityHeaders = Map.copyOf(identityHeaders);
    }

    /** The group-versions, core ({@code api/...}) first, then by name. */
    public List<Entry> entries() {
        return entries;
    }

    /** The entries, fetched now if there are none yet or they are older than the refresh interval. */
    public Mono<List<Entry>> current() {
        List<Entry> known = entries;
        boolean fresh = !known.isEmpty() && System.nanoTime() - fetchedAtNanos < refreshInterval.toNanos();
        return fresh ? Mono.just(known) : refresh().defaultIfEmpty(known);
    }

    /** Fetches the index once from the first apiserver that answers. */
    public Mono<List<Entry>> refresh() {
        return Flux.fromIterable(servers)
                .concatMap(server -> fetch(server)
                        .onErrorResume(e -> {
                            lastError = server + ": " + e;
                            log.debug("OpenAPI index from {} failed: {}", server, e.toString());
                            return Mono.empty();
                        }), 1)
                .next()
                .doOnNext(list -> {
                    if (!list.equals(entries)) {
                        log.info("OpenAPI index: {} group-versions", list.size());
                    }
                    entries = list;
                    fetchedAtNanos = System.nanoTime();
                })
                .switchIfEmpty(Mono.fromRunnable(() -> log.warn("OpenAPI index: no apiserver of {} answered (last: {})",
                        servers, lastError)));
    }

    private Mono<List<Entry>> fetch(String server) {
        return upstream.get().uri(server + "/openapi/v3")
                .accept(MediaType.APPLICATION_JSON)
                .headers(h -> identityHeaders.forEach(h::set))
                .retrieve()
                .bodyToMono(String.class)
                .timeout(Duration.ofSeconds(10))
                .map(OpenApiIndex::parse);
    }

    static List<Entry> parse(String json) {
        JsonNode paths = JSON.readTree(json).path("paths");
        List<Entry> list = new ArrayList<>();
        for (Map.Entry<String, JsonNode> p : paths.properties()) {
            String url = p.getValue().path("serverRelativeURL").asString("");
            if (url.startsWith("/")) {
                list.add(new Entry(p.getKey(), url));
            }
        }
        list.sort(Comparator.comparing((Entry e) -> !e.name().startsWith("api/")).thenComparing(Entry::name));
        return List.copyOf(list);
    }
}
