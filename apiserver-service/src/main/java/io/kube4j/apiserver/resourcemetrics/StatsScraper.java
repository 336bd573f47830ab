package io.kube4j.apiserver.resourcemetrics;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.api.selector.FieldSelector;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.apiserver.proxy.KubeletProxy;
import io.kube4j.apiserver.registry.ListOptions;
import io.kube4j.apiserver.registry.ResourceStore;
import io.kube4j.apiserver.resourcemetrics.MetricsBatch.PodRef;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * metrics-server's scrape loop inside the apiserver: every {@code scrape-interval} it reads {@code /stats/summary}
 * from every Ready node's agent at once (at most {@code scrape-concurrency} in flight, each bounded by
 * {@code scrape-timeout}) and hands the whole batch to {@link MetricsStorage}; a node that fails or is slow is
 * left out of that batch. The first scrape runs at start; a request that finds no scrape with a node in it yet
 * (the apiserver just started, or the first node just registered) triggers one at once, at most once a second,
 * instead of waiting for the next tick. With no Ready node a scrape is only a look at the watch cache: no
 * request, no log. Each apiserver replica scrapes for itself (they share nothing but etcd).
 */
public final class StatsScraper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StatsScraper.class);
    private static final Duration ON_DEMAND_MIN_INTERVAL = Duration.ofSeconds(1);

    private final ResourceStore store;
    private final ResourceType nodes;
    private final KubeletProxy kubelets;
    private final MetricsStorage storage;
    private final ResourceMetricsProperties props;
    private final Timer requestDuration;
    private final Counter requestsOk;
    private final Counter requestsFailed;
    private final Timer tickDuration;
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    private Disposable loop;
    private Mono<Void> inFlight;
    private Disposable inFlightRun;
    private volatile boolean scrapedANode;
    private volatile long lastOnDemandNanos = System.nanoTime() - ON_DEMAND_MIN_INTERVAL.toNanos();

    public StatsScraper(ResourceStore store, KubeletProxy kubelets, MetricsStorage storage,
                        ResourceMetricsProperties props, MeterRegistry meters) {
        this.store = store;
        this.nodes = store.registry().byPath("", "v1", "nodes").orElseThrow();
        this.kubelets = kubelets;
        this.storage = storage;
        this.props = props;
        this.requestDuration = Timer.builder("metrics_server_kubelet_request_duration_seconds")
                .description("Duration of the /stats/summary requests to the node agents").register(meters);
        this.requestsOk = Counter.builder("metrics_server_kubelet_request_total").tag("success", "true")
                .description("Requests to the node agents' /stats/summary by success").register(meters);
        this.requestsFailed = Counter.builder("metrics_server_kubelet_request_total").tag("success", "false")
                .description("Requests to the node agents' /stats/summary by success").register(meters);
        this.tickDuration = Timer.builder("metrics_server_manager_tick_duration_seconds")
                .description("Duration of a whole scrape of every Ready node").register(meters);
        Gauge.builder("metrics_server_storage_points", storage, MetricsStorage::nodePoints).tag("type", "node")
                .description("Points for which usage can be served").register(meters);
        Gauge.builder("metrics_server_storage_points", storage, MetricsStorage::containerPoints).tag("type", "container")
                .description("Points for which usage can be served").register(meters);
    }

    @Override
    public synchronized void start() {
        if (loop != null) {
            return;
        }
        // a tick that comes while a scrape still runs is dropped rather than queued
        loop = Flux.interval(Duration.ZERO, props.scrapeInterval(), Schedulers.parallel())
                .onBackpressureDrop()
                .concatMap(t -> scrape().onErrorResume(e -> {
                    log.warn("resource metrics scrape failed: {}", e.toString());
                    return Mono.empty();
                }), 1)
                .subscribe();
        log.info("resource metrics API: scraping the Ready nodes' /stats/summary every {} (timeout {}, {} at once)",
                props.scrapeInterval(), props.scrapeTimeout(), props.scrapeConcurrency());
    }

    @Override
    public synchronized void stop() {
        if (loop != null) {
            loop.dispose();
            loop = null;
        }
        if (inFlightRun != null) {
            inFlightRun.dispose();
            inFlightRun = null;
            inFlight = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return loop != null;
    }

    /**
     * Completes when the storage may answer: at once normally; after a scrape when none has yet seen a node (a
     * cold cache), so that the first {@code kubectl top} after start-up does not wait for the next tick.
     */
    public Mono<Void> warm() {
        if (scrapedANode) {
            return Mono.empty();
        }
        long now = System.nanoTime();
        if (now - lastOnDemandNanos < ON_DEMAND_MIN_INTERVAL.toNanos()) {
            return Mono.empty();
        }
        lastOnDemandNanos = now;
        return scrape().onErrorResume(e -> Mono.empty());
    }

    /** One scrape of every Ready node, shared by whoever asks while it runs. */
    synchronized Mono<Void> scrape() {
        if (inFlight == null) {
            Mono<Void> run = scrapeOnce().doFinally(s -> clearInFlight()).cache();
            inFlight = run;
            inFlightRun = run.subscribe(v -> { }, e -> { });
            return run;
        }
        return inFlight;
    }

    private synchronized void clearInFlight() {
        inFlight = null;
        inFlightRun = null;
    }

    private Mono<Void> scrapeOnce() {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return readyNodes().flatMapMany(Flux::fromIterable)
                    .flatMap(this::scrapeNode, props.scrapeConcurrency())
                    .collectList()
                    .doOnNext(results -> {
                        Map<String, MetricsPoint> nodePoints = new HashMap<>();
                        Map<PodRef, Map<String, MetricsPoint>> podPoints = new HashMap<>();
                        List<String> newlyFailing = new java.util.ArrayList<>();
                        for (NodeSummary r : results) {
                            if (r.error() != null) {
                                if (failing.add(r.name())) {
                                    newlyFailing.add(r.name() + " (" + r.error() + ")");
                                }
                                continue;
                            }
                            if (failing.remove(r.name())) {
                                log.info("resource metrics: node {} answers /stats/summary again", r.name());
                            }
                            r.node().ifPresent(p -> nodePoints.put(r.name(), p));
                            podPoints.putAll(r.pods());
                        }
                        // one line when nodes start failing, not one per node and scrape
                        if (!newlyFailing.isEmpty()) {
                            log.warn("resource metrics: {} node(s) did not answer /stats/summary, their usage is left "
                                    + "out until they do: {}", newlyFailing.size(), newlyFailing.size() <= 5
                                    ? String.join(", ", newlyFailing)
                                    : String.join(", ", newlyFailing.subList(0, 5)) + ", ...");
                        }
                        storage.store(new MetricsBatch(nodePoints, podPoints));
                        if (results.stream().anyMatch(r -> r.error() == null)) {
                            scrapedANode = true;
                            tickDuration.record(Duration.ofNanos(System.nanoTime() - start));
                        }
                    })
                    .then();
        });
    }

    private record NodeSummary(String name, Optional<MetricsPoint> node, Map<PodRef, Map<String, MetricsPoint>> pods,
                               String error) {
    }

    private Mono<NodeSummary> scrapeNode(Node node) {
        String name = node.getMetadata().getName();
        Timer.Sample sample = Timer.start();
        return kubelets.nodeGet(node, "/stats/summary")
                .timeout(props.scrapeTimeout())
                .map(body -> {
                    JsonNode summary = Codecs.json().readTree(body);
                    return new NodeSummary(name, SummaryDecoder.node(summary), SummaryDecoder.pods(summary), null);
                })
                .doOnNext(s -> {
                    sample.stop(requestDuration);
                    requestsOk.increment();
                })
                .onErrorResume(e -> {
                    sample.stop(requestDuration);
                    requestsFailed.increment();
                    String why = e instanceof java.util.concurrent.TimeoutException
                            ? "no answer within " + props.scrapeTimeout() : e.getMessage();
                    log.debug("resource metrics: cannot read /stats/summary of node {}: {}", name, why);
                    return Mono.just(new NodeSummary(name, Optional.empty(), Map.of(), String.valueOf(why)));
                });
    }

    /** The Ready nodes that advertise a node API, from the watch cache. */
    private Mono<List<Node>> readyNodes() {
        return store.list(nodes, null, new ListOptions(LabelSelector.everything(), FieldSelector.everything(), "0",
                        null, 0, null))
                .map(r -> r.items().stream().map(b -> Codecs.json().readValue(b, Node.class))
                        .filter(n -> ready(n) && servesNodeApi(n)).toList())
                .doOnNext(l -> failing.retainAll(l.stream().map(n -> n.getMetadata().getName()).toList()));
    }

    /**
     * Whether the node advertises its node API ({@code daemonEndpoints.kubeletEndpoint.Port} > 0). Unlike a user's
     * {@code logs} or {@code exec}, which fall back to the kubelet's default port 10250, the scraper only calls agents
     * that say where they listen: hollow nodes and Node objects written by hand (tests, simulations) advertise no
     * port and an address nothing answers at, and the scraper must not send them traffic every interval.
     */
    static boolean servesNodeApi(Node node) {
        return node.getStatus() != null && node.getStatus().getDaemonEndpoints() != null
                && node.getStatus().getDaemonEndpoints().getKubeletEndpoint() != null
                && node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort() != null
                && node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort() > 0;
    }

    static boolean ready(Node node) {
        List<NodeCondition> conditions = node.getStatus() == null || node.getStatus().getConditions() == null
                ? List.of() : node.getStatus().getConditions();
        return conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
