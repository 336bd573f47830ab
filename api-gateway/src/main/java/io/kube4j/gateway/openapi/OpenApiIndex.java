package io.kube4j.gateway.openapi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
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
 * {@code serverRelativeURL}), read from the first apiserver that answers at start and then every refresh
 * interval; the last good list is kept while no apiserver answers.
 */
public final class OpenApiIndex implements AutoCloseable {

    /** One group-version's document: {@code api/v1} → {@code /openapi/v3/api/v1?hash=...}. */
    public record Entry(String name, String url) {
    }

    private static final Logger log = LoggerFactory.getLogger(OpenApiIndex.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebClient upstream;
    private final List<String> servers;
    private final Map<String, String> identityHeaders;
    private volatile List<Entry> entries = List.of();
    private volatile String lastError;
    private Disposable refresher;

    /**
     * @param upstream        a client with the gateway's upstream TLS (cluster CA, front-proxy client certificate)
     * @param servers         the apiservers, tried in order
     * @param identityHeaders the front-proxy headers naming the gateway's own identity
     */
    public OpenApiIndex(WebClient upstream, List<String> servers, Map<String, String> identityHeaders) {
        this.upstream = upstream;
        this.servers = List.copyOf(servers);
        this.identityHeaders = Map.copyOf(identityHeaders);
    }

    /** The group-versions, core ({@code api/...}) first, then by name. */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * Fetches now and then every {@code interval}; until a first answer, every 5 s (or {@code interval} if
     * shorter), so that an apiserver still starting is not missed for a whole interval.
     */
    public void start(Duration interval) {
        Duration retry = interval.compareTo(Duration.ofSeconds(5)) < 0 ? interval : Duration.ofSeconds(5);
        refresher = Mono.defer(() -> refresh().onErrorResume(e -> Mono.empty()))
                .then(Mono.defer(() -> Mono.delay(entries.isEmpty() ? retry : interval)))
                .repeat()
                .subscribe();
    }

    /** The entries, fetched now if there are none yet. */
    public Mono<List<Entry>> current() {
        List<Entry> known = entries;
        return known.isEmpty() ? refresh().defaultIfEmpty(List.of()) : Mono.just(known);
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

    @Override
    public void close() {
        if (refresher != null) {
            refresher.dispose();
        }
    }
}
