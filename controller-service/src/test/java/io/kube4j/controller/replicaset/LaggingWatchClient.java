package io.kube4j.controller.replicaset;

import java.time.Duration;
import java.util.function.UnaryOperator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ListOptions;
import io.kube4j.client.PatchType;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.watch.WatchEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A real {@link ResourceClient} whose watches deliver every event {@code lag} late (order and spacing kept): an
 * informer built on it trails the apiserver the way a loaded cluster's informers do, so a controller reading it sees
 * its own recent writes late — the window in which a controller without expectations would act twice.
 */
final class LaggingWatchClient<T extends HasMetadata> implements ResourceClient<T> {

    private final ResourceClient<T> delegate;
    private final Duration lag;

    LaggingWatchClient(ResourceClient<T> delegate, Duration lag) {
        this.delegate = delegate;
        this.lag = lag;
    }

    @Override
    public Flux<WatchEvent<T>> watch(String namespace, ListOptions options, String fromResourceVersion) {
        return delegate.watch(namespace, options, fromResourceVersion).delaySequence(lag);
    }

    @Override
    public Mono<T> get(String namespace, String name) {
        return delegate.get(namespace, name);
    }

    @Override
    public Mono<KubernetesResourceList<T>> list(String namespace, ListOptions options) {
        return delegate.list(namespace, options);
    }

    @Override
    public Mono<T> create(T object) {
        return delegate.create(object);
    }

    @Override
    public Mono<T> update(T object) {
        return delegate.update(object);
    }

    @Override
    public Mono<T> updateStatus(T object) {
        return delegate.updateStatus(object);
    }

    @Override
    public Mono<T> patch(String namespace, String name, PatchType type, String patch) {
        return delegate.patch(namespace, name, type, patch);
    }

    @Override
    public Mono<T> delete(String namespace, String name, DeleteOptions options) {
        return delegate.delete(namespace, name, options);
    }

    @Override
    public Mono<T> updateWithRetry(String namespace, String name, UnaryOperator<T> mutation, boolean status) {
        return delegate.updateWithRetry(namespace, name, mutation, status);
    }
}
