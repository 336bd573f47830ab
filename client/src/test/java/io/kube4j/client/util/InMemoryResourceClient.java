package io.kube4j.client.util;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.kube4j.api.codec.Codecs;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ListOptions;
import io.kube4j.client.PatchType;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.watch.WatchEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A test fake of {@link ResourceClient}: objects in a map, resourceVersion preconditions (409 Conflict),
 * AlreadyExists/NotFound, merge patches; records every call; {@link #failing} makes every call fail.
 */
public class InMemoryResourceClient<T extends HasMetadata> implements ResourceClient<T> {

    private final Class<T> type;
    private final Map<String, T> objects = new ConcurrentHashMap<>();
    private final AtomicLong revision = new AtomicLong();
    private final AtomicBoolean failing = new AtomicBoolean();
    public final List<String> calls = new CopyOnWriteArrayList<>();

    public InMemoryResourceClient(Class<T> type) {
        this.type = type;
    }

    /** While true, every call fails with a 500. */
    public void failing(boolean fail) {
        failing.set(fail);
    }

    public List<T> objects() {
        return new ArrayList<>(objects.values());
    }

    private static String key(String ns, String name) {
        return ns + "/" + name;
    }

    private T copy(T o) {
        return Codecs.fromJson(Codecs.toJson(o), type);
    }

    private <R> Mono<R> call(String what, java.util.function.Supplier<R> body) {
        return Mono.defer(() -> {
            calls.add(what);
            if (failing.get()) {
                return Mono.error(ApiStatusException.of(500, null, "injected failure"));
            }
            synchronized (this) {
                return Mono.justOrEmpty(body.get());
            }
        });
    }

    @Override
    public Mono<T> get(String namespace, String name) {
        return call("get", () -> {
            T o = objects.get(key(namespace, name));
            if (o == null) {
                throw ApiStatusException.of(404, null, name + " not found");
            }
            return copy(o);
        });
    }

    @Override
    public Mono<KubernetesResourceList<T>> list(String namespace, ListOptions options) {
        return Mono.error(new UnsupportedOperationException("list"));
    }

    @Override
    public Mono<T> create(T object) {
        return call("create", () -> {
            String k = key(object.getMetadata().getNamespace(), object.getMetadata().getName());
            if (objects.containsKey(k)) {
                var status = new io.fabric8.kubernetes.api.model.StatusBuilder().withReason("AlreadyExists").build();
                throw ApiStatusException.of(409, status, k + " already exists");
            }
            T stored = copy(object);
            stored.getMetadata().setResourceVersion(Long.toString(revision.incrementAndGet()));
            objects.put(k, stored);
            return copy(stored);
        });
    }

    @Override
    public Mono<T> update(T object) {
        return call("update", () -> {
            String k = key(object.getMetadata().getNamespace(), object.getMetadata().getName());
            T current = objects.get(k);
            if (current == null) {
                throw ApiStatusException.of(404, null, k + " not found");
            }
            String rv = object.getMetadata().getResourceVersion();
            if (rv != null && !rv.equals(current.getMetadata().getResourceVersion())) {
                throw ApiStatusException.of(409, null, k + ": the object has been modified");
            }
            T stored = copy(object);
            stored.getMetadata().setResourceVersion(Long.toString(revision.incrementAndGet()));
            objects.put(k, stored);
            return copy(stored);
        });
    }

    @Override
    public Mono<T> updateStatus(T object) {
        return update(object);
    }

    @Override
    public Mono<T> patch(String namespace, String name, PatchType patchType, String patch) {
        return call("patch", () -> {
            String k = key(namespace, name);
            T current = objects.get(k);
            if (current == null) {
                throw ApiStatusException.of(404, null, k + " not found");
            }
            ObjectNode tree = (ObjectNode) Codecs.json().valueToTree(current);
            merge(tree, Codecs.json().readTree(patch));
            T stored = Codecs.json().treeToValue(tree, type);
            stored.getMetadata().setResourceVersion(Long.toString(revision.incrementAndGet()));
            objects.put(k, stored);
            return copy(stored);
        });
    }

    private static void merge(ObjectNode target, JsonNode patch) {
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (e.getValue().isNull()) {
                target.remove(e.getKey());
            } else if (e.getValue().isObject() && target.get(e.getKey()) instanceof ObjectNode child) {
                merge(child, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    public Mono<T> delete(String namespace, String name, DeleteOptions options) {
        return call("delete", () -> {
            T removed = objects.remove(key(namespace, name));
            if (removed == null) {
                throw ApiStatusException.of(404, null, name + " not found");
            }
            return removed;
        });
    }

    @Override
    public Flux<WatchEvent<T>> watch(String namespace, ListOptions options, String fromResourceVersion) {
        return Flux.error(new UnsupportedOperationException("watch"));
    }

    @Override
    public Mono<T> updateWithRetry(String namespace, String name, UnaryOperator<T> mutation, boolean status) {
        return get(namespace, name).map(mutation).flatMap(this::update);
    }
}
