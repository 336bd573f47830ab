package io.kube4j.apiserver.resourcemetrics;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.api.selector.FieldSelector;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.apiserver.registry.ListOptions;
import io.kube4j.apiserver.registry.ResourceStore;
import io.kube4j.apiserver.resourcemetrics.MetricsPoint.Usage;
import io.kube4j.apiserver.resourcemetrics.MetricsStorage.PodUsage;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.rest.QueryFlags;
import io.kube4j.apiserver.rest.Selectors;
import io.kube4j.apiserver.rest.RequestInfo;
import io.kube4j.apiserver.rest.ResourceExtension;
import io.kube4j.apiserver.rest.Responses;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code metrics.k8s.io/v1beta1} {@code nodes} and {@code pods} (NodeMetrics, PodMetrics), get and list, as
 * metrics-server serves them: the objects are the nodes and pods of the watch cache (so label selectors select
 * by their labels, which the metrics objects carry) that have usage in {@link MetricsStorage}; a node or pod
 * without usage yet is left out of lists and is a 404 on get. Field selectors take {@code metadata.name} (and
 * {@code metadata.namespace} for pods). Authorization already happened on {@code metrics.k8s.io} nodes/pods.
 */
public final class ResourceMetricsExtension implements ResourceExtension {

    static final String GROUP = "metrics.k8s.io";

    private final ResourceStore store;
    private final ResourceType nodes;
    private final ResourceType pods;
    private final MetricsStorage storage;
    private final StatsScraper scraper;

    public ResourceMetricsExtension(ResourceStore store, MetricsStorage storage, StatsScraper scraper) {
        this.store = store;
        this.nodes = store.registry().byPath("", "v1", "nodes").orElseThrow();
        this.pods = store.registry().byPath("", "v1", "pods").orElseThrow();
        this.storage = storage;
        this.scraper = scraper;
    }

    @Override
    public boolean serves(ResourceType type, String subresource) {
        return type.group().equals(GROUP);
    }

    @Override
    public Mono<ServerResponse> handle(ServerRequest request, RequestInfo info) {
        boolean watch = QueryFlags.isTrue(request.queryParam("watch").orElse(null));
        if (request.method() != HttpMethod.GET || info.subresource() != null || watch) {
            return Mono.error(ApiException.methodNotAllowed("the server does not allow this method on the requested "
                    + "resource (" + info.type().qualifiedName() + " supports get and list)"));
        }
        boolean nodeMetrics = !info.type().namespaced();
        ResourceType source = nodeMetrics ? nodes : pods;
        if (info.name() != null) {
            return scraper.warm().then(Mono.defer(() -> get(request, info, source)));
        }
        ListOptions options = listOptions(request, source);
        return scraper.warm().then(Mono.defer(() -> store.list(source, info.namespace(), options)))
                .flatMap(r -> {
                    ObjectNode list = Codecs.json().createObjectNode();
                    list.put("kind", info.type().listKind());
                    list.put("apiVersion", info.type().apiVersion());
                    list.putObject("metadata");
                    ArrayNode items = list.putArray("items");
                    String now = now();
                    for (byte[] b : r.items()) {
                        Class<? extends HasMetadata> cls = nodeMetrics ? Node.class : Pod.class;
                        HasMetadata o = Codecs.json().readValue(b, cls);
                        metrics(info.type(), o, now).ifPresent(items::add);
                    }
                    return Responses.object(request, 200, list);
                });
    }

    private Mono<ServerResponse> get(ServerRequest request, RequestInfo info, ResourceType source) {
        String name = info.name();
        ApiException notFound = notFound(info);
        return store.get(source, info.namespace(), name)
                .onErrorMap(e -> e instanceof ApiException a && a.code() == 404, e -> notFound)
                .flatMap(o -> metrics(info.type(), o, now()).map(m -> Responses.object(request, 200, m))
                        .orElseGet(() -> Mono.error(notFound)));
    }

    /** metrics-server's NotFound: {@code podmetrics.metrics.k8s.io "ns/name" not found}. */
    private static ApiException notFound(RequestInfo info) {
        boolean node = !info.type().namespaced();
        String resource = node ? "nodemetrics" : "podmetrics";
        String name = node ? info.name() : info.namespace() + "/" + info.name();
        return new ApiException(404, "NotFound", resource + "." + GROUP + " \"" + name + "\" not found", name, GROUP,
                resource, List.of(), null);
    }

    /** The metrics object of {@code o}, or empty when it has no usage yet. */
    private Optional<ObjectNode> metrics(ResourceType type, HasMetadata o, String now) {
        String name = o.getMetadata().getName();
        if (!type.namespaced()) {
            return storage.node(name).map(u -> {
                ObjectNode m = object(type, o, now, u);
                m.set("usage", usage(u));
                return m;
            });
        }
        Optional<PodUsage> usage = storage.pod(o.getMetadata().getNamespace(), name);
        return usage.map(pu -> {
            ObjectNode m = object(type, o, now, pu.window());
            ArrayNode containers = m.putArray("containers");
            pu.containers().forEach((c, u) -> {
                ObjectNode co = containers.addObject();
                co.put("name", c);
                co.set("usage", usage(u));
            });
            return m;
        });
    }

    private static ObjectNode object(ResourceType type, HasMetadata o, String now, Usage window) {
        ObjectNode m = Codecs.json().createObjectNode();
        m.put("kind", type.kind());
        m.put("apiVersion", type.apiVersion());
        ObjectNode meta = m.putObject("metadata");
        meta.put("name", o.getMetadata().getName());
        if (type.namespaced()) {
            meta.put("namespace", o.getMetadata().getNamespace());
        }
        // as metrics-server: the object is made now, and carries its node's or pod's labels
        meta.put("creationTimestamp", now);
        Map<String, String> labels = o.getMetadata().getLabels();
        if (labels != null && !labels.isEmpty()) {
            ObjectNode l = meta.putObject("labels");
            labels.forEach(l::put);
        }
        m.put("timestamp", window.timestamp().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("window", MetricQuantities.goDuration(window.window()));
        return m;
    }

    private static ObjectNode usage(Usage u) {
        ObjectNode n = Codecs.json().createObjectNode();
        n.put("cpu", MetricQuantities.cpu(u.nanoCores()));
        n.put("memory", MetricQuantities.memory(u.memoryBytes()));
        return n;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The label and field selectors of a list, checked; served from the watch cache. */
    static ListOptions listOptions(ServerRequest request, ResourceType source) {
        Set<String> supported = source.namespaced() ? Set.of("metadata.name", "metadata.namespace")
                : Set.of("metadata.name");
        Selectors selectors = Selectors.of(request, supported);
        return new ListOptions(selectors.labels(), selectors.fields(), "0", null, 0, null);
    }
}
