package io.kube4j.node.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ListOptions;
import io.kube4j.client.PatchType;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.watch.WatchEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** An Event client that keeps what an {@code EventRecorder} creates, for asserting on recorded events. */
public final class RecordingEventClient implements ResourceClient<Event> {

    private final List<Event> created = new CopyOnWriteArrayList<>();

    public List<Event> created() {
        return created;
    }

    /** The messages of the created events with this reason. */
    public List<String> messages(String reason) {
        return created.stream().filter(e -> reason.equals(e.getReason())).map(Event::getMessage).toList();
    }

    @Override
    public Mono<Event> create(Event object) {
        created.add(object);
        return Mono.just(object);
    }

    @Override
    public Mono<Event> patch(String namespace, String name, PatchType type, String patch) {
        return created.stream().filter(e -> e.getMetadata().getName().equals(name)).findFirst().map(Mono::just)
                .orElse(Mono.empty());
    }

    @Override
    public Mono<Event> get(String namespace, String name) {
        return Mono.error(new UnsupportedOperationException());
    }

    @Override
    public Mono<KubernetesResourceList<Event>> list(String namespace, ListOptions options) {
        return Mono.error(new UnsupportedOperationException());
    }

    @Override
    public Mono<Event> update(Event object) {
        return Mono.error(new UnsupportedOperationException());
    }

    @Override
    public Mono<Event> updateStatus(Event object) {
        return Mono.error(new UnsupportedOperationException());
    }

    @Override
    public Mono<Event> delete(String namespace, String name, DeleteOptions options) {
        return Mono.error(new UnsupportedOperationException());
    }

    @Override
    public Flux<WatchEvent<Event>> watch(String namespace, ListOptions options, String fromResourceVersion) {
        return Flux.error(new UnsupportedOperationException());
    }

    @Override
    public Mono<Event> updateWithRetry(String namespace, String name, UnaryOperator<Event> mutation, boolean status) {
        return Mono.error(new UnsupportedOperationException());
    }
}
