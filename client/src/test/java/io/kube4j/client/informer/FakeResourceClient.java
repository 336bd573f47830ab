package io.kube4j.client.informer;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ListOptions;
import io.kube4j.client.PatchType;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.watch.WatchEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * In-memory ConfigMap server for unit tests of informer logic: a revision counter, a history of events, paginated
 * lists, watches that replay from a revision, and a {@link #compact()} that ends watches with 410 Gone.
 */
final class FakeResourceClient implements ResourceClient<ConfigMap> {

    private long revision = 10;
    private long compactedTo = 0;
    private final TreeMap<String, ConfigMap> objects = new TreeMap<>();
    private final List<WatchEvent<ConfigMap>> history = new ArrayList<>();
    private final List<FluxSink<WatchEvent<ConfigMap>>> watchers = new CopyOnWriteArrayList<>();
    final List<ListOptions> listCalls = new CopyOnWriteArrayList<>();
    final List<ListOptions> watchCalls = new CopyOnWriteArrayList<>();
    final List<String> watchFrom = new CopyOnWriteArrayList<>();
    /** When set, every watch sends a bookmark and then fails with a 500 (a server that drops each stream). */
    volatile boolean watchesFailAfterABookmark;
    /** Every watch ends at once, normally and without an event, as the watches of a closed client do. */
    volatile boolean watchesEndAtOnce;

    static ConfigMap configMap(String ns, String name, String rv, Map<String, String> labels) {
        return new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName(name).withResourceVersion(rv)
                .withLabels(labels).endMetadata().build();
    }

    synchronized ConfigMap put(String name, String value) {
        return put(name, value, Map.of());
    }

    synchronized ConfigMap put(String name, String value, Map<String, String> labels) {
        revision++;
        ConfigMap cm = configMap("ns", name, Long.toString(revision), labels);
        cm.setData(Map.of("v", value));
        boolean existed = objects.put(name, cm) != null;
        emit(new WatchEvent<>(existed ? WatchEvent.Type.MODIFIED : WatchEvent.Type.ADDED, cm, cm.getMetadata()
                .getResourceVersion()));
        return cm;
    }

    synchronized void remove(String name) {
        ConfigMap old = objects.remove(name);
        revision++;
        emit(new WatchEvent<>(WatchEvent.Type.DELETED, old, Long.toString(revision)));
    }

    /** Changes state without any watch event, as if the informer's watch had missed it. */
    synchronized void removeUnseen(String name) {
        objects.remove(name);
        revision++;
    }

    synchronized void putUnseen(String name, String value) {
        revision++;
        ConfigMap cm = configMap("ns", name, Long.toString(revision), Map.of());
        cm.setData(Map.of("v", value));
        objects.put(name, cm);
    }

    /** Forgets history: open watches end with Gone, new watches from older revisions too. */
    synchronized void compact() {
        compactedTo = revision;
        history.clear();
        for (FluxSink<WatchEvent<ConfigMap>> w : watchers) {
            w.error(new ApiStatusException.Gone(410, null, "too old resource version"));
        }
    }

    synchronized void bookmark() {
        revision++;
        ConfigMap marker = configMap(null, null, Long.toString(revision), null);
        for (FluxSink<WatchEvent<ConfigMap>> w : watchers) {
            w.next(new WatchEvent<>(WatchEvent.Type.BOOKMARK, marker, Long.toString(revision)));
        }
    }

    /** Sends an event to open watches as is (a duplicate or out-of-order delivery). */
    synchronized void sendRaw(WatchEvent<ConfigMap> event) {
        for (FluxSink<WatchEvent<ConfigMap>> w : watchers) {
            w.next(event);
        }
    }

    synchronized long revision() {
        return revision;
    }

    int openWatches() {
        return watchers.size();
    }

    private void emit(WatchEvent<ConfigMap> e) {
        history.add(e);
        for (FluxSink<WatchEvent<ConfigMap>> w : watchers) {
            w.next(e);
        }
    }

    @Override
    public synchronized Mono<KubernetesResourceList<ConfigMap>> list(String namespace, ListOptions options) {
        listCalls.add(options);
        List<ConfigMap> items = new ArrayList<>();
        String after = options.continueToken();
        String rv = Long.toString(revision);
        if (after != null) {
            rv = after.substring(0, after.indexOf(':'));
            after = after.substring(after.indexOf(':') + 1);
        }
        var view = after == null ? objects : objects.tailMap(after, false);
        String next = null;
        for (ConfigMap cm : view.values()) {
            if (options.limit() > 0 && items.size() == options.limit()) {
                next = rv + ":" + items.get(items.size() - 1).getMetadata().getName();
                break;
            }
            items.add(cm);
        }
        ConfigMapList list = new ConfigMapList();
        list.setItems(items);
        list.setMetadata(new ListMetaBuilder().withResourceVersion(rv).withContinue(next).build());
        return Mono.just(list);
    }

    @Override
    public Flux<WatchEvent<ConfigMap>> watch(String namespace, ListOptions options, String fromResourceVersion) {
        watchCalls.add(options);
        watchFrom.add(fromResourceVersion);
        if (watchesEndAtOnce) {
            return Flux.empty();
        }
        return Flux.create(sink -> {
            synchronized (this) {
                long from = Long.parseLong(fromResourceVersion);
                if (from < compactedTo) {
                    sink.error(new ApiStatusException.Gone(410, null, "too old resource version"));
                    return;
                }
                for (WatchEvent<ConfigMap> e : history) {
                    if (Long.parseLong(e.resourceVersion()) > from) {
                        sink.next(e);
                    }
                }
                if (watchesFailAfterABookmark) {
                    sink.next(new WatchEvent<>(WatchEvent.Type.BOOKMARK, configMap(null, null, Long.toString(revision),
                            null), Long.toString(revision)));
                    sink.error(new ApiStatusException(500, null, "injected: the stream broke"));
                    return;
                }
                watchers.add(sink);
                sink.onDispose(() -> watchers.remove(sink));
            }
        });
    }

    @Override
    public Mono<ConfigMap> get(String namespace, String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Mono<ConfigMap> create(ConfigMap object) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Mono<ConfigMap> update(ConfigMap object) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Mono<ConfigMap> updateStatus(ConfigMap object) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Mono<ConfigMap> patch(String namespace, String name, PatchType type, String patch) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Mono<ConfigMap> delete(String namespace, String name, DeleteOptions options) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Mono<ConfigMap> updateWithRetry(String namespace, String name, UnaryOperator<ConfigMap> mutation,
                                           boolean status) {
        throw new UnsupportedOperationException();
    }
}
