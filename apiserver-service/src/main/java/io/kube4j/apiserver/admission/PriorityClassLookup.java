package io.kube4j.apiserver.admission;

import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * How priority admission reads PriorityClasses: by name, all of them as the watch cache has them (Kubernetes'
 * admission plugin reads an informer's lister the same way), or all of them read consistently from storage.
 */
public interface PriorityClassLookup {

    /** The class named {@code name}, or empty when there is none. */
    Mono<PriorityClass> get(String name);

    /** Every class, from the cache (may lag the latest writes by the watch delay). */
    List<PriorityClass> cached();

    /** Every class, read from storage: for the rare class writes that must see the latest state. */
    Mono<List<PriorityClass>> current();
}
