package io.kube4j.client;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.kube4j.client.watch.WatchEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Typed, reactive access to one resource of the apiserver. Errors are {@link ApiStatusException}s
 * ({@link ApiStatusException.NotFound}, {@link ApiStatusException.Conflict}, ...). {@code namespace} is ignored for
 * cluster-scoped resources; null lists across all namespaces.
 */
public interface ResourceClient<T extends HasMetadata> {

    Mono<T> get(String namespace, String name);

    /**
     * The object as the apiserver's watch cache holds it ({@code resourceVersion=0}): no read from the store, possibly
     * a moment stale. For periodic checks that may lag one period, as client-go's {@code FromApiserverCache} (the
     * kubelet reads its Node this way before each status update).
     */
    default Mono<T> getCached(String namespace, String name) {
        return get(namespace, name);
    }

    /** One page (or everything, with {@code ListOptions.limit == 0}). */
    Mono<KubernetesResourceList<T>> list(String namespace, ListOptions options);

    Mono<T> create(T object);

    /** PUT; the object's resourceVersion, when set, is the precondition. */
    Mono<T> update(T object);

    /** PUT to {@code /status}. */
    Mono<T> updateStatus(T object);

    Mono<T> patch(String namespace, String name, PatchType type, String patch);

    /**
     * PATCH with query parameters ({@link PatchOptions}: field manager, force, dry run, field validation); server-side
     * apply is {@code patch(ns, name, PatchType.APPLY, yamlOrJson, PatchOptions.apply("my-manager", false))}. This
     * default accepts only {@link PatchOptions#none()}; the HTTP client sends every option.
     */
    default Mono<T> patch(String namespace, String name, PatchType type, String patch, PatchOptions options) {
        if (options != null && !options.query().isEmpty()) {
            return Mono.error(new UnsupportedOperationException(getClass().getSimpleName() + " sends no patch options"));
        }
        return patch(namespace, name, type, patch);
    }

    /** The deleted object (or the object now carrying a deletionTimestamp, when deletion is pending). */
    Mono<T> delete(String namespace, String name, DeleteOptions options);

    /**
     * Deletes every object of {@code namespace} that {@code options}' selectors select (deletecollection; a namespaced
     * resource needs a namespace). Emits the objects deleted or now pending deletion. This default lists and deletes
     * one by one (objects already gone are skipped); the HTTP client sends one DELETE to the collection instead.
     */
    default Mono<List<T>> deleteCollection(String namespace, ListOptions options, DeleteOptions deleteOptions) {
        ListOptions o = options == null ? ListOptions.all() : options;
        return list(namespace, new ListOptions(o.labelSelector(), o.fieldSelector(), 0, null, null, null, false))
                .flatMapIterable(KubernetesResourceList::getItems)
                .concatMap(item -> delete(item.getMetadata().getNamespace(), item.getMetadata().getName(), deleteOptions)
                        .onErrorResume(ApiStatusException.NotFound.class, e -> Mono.empty()))
                .collectList();
    }

    /**
     * Watches over Server-Sent Events from {@code fromResourceVersion} (null: the current state as ADDED events
     * first). Resumes with {@code Last-Event-ID} after a dropped connection (jittered backoff); BOOKMARKs are
     * surfaced; a 410 Gone ends the flux with {@link ApiStatusException.Gone} so the caller relists.
     */
    Flux<WatchEvent<T>> watch(String namespace, ListOptions options, String fromResourceVersion);

    /**
     * Re-reads and re-applies {@code mutation} on 409 Conflict, up to a bounded number of attempts: the one way every
     * role writes objects it does not own exclusively.
     */
    Mono<T> updateWithRetry(String namespace, String name, UnaryOperator<T> mutation, boolean status);
}
