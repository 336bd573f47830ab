package io.kube4j.apiserver.config;

import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.PriorityClasses;
import io.kube4j.apiserver.registry.ResourceStore;
import io.kube4j.apiserver.rest.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Duration;

/**
 * Creates the built-in PriorityClasses ({@link PriorityClasses#builtin()}) once storage answers, as
 * kube-apiserver's {@code scheduling/bootstrap-system-priority-classes} post-start hook does: each one that is
 * missing is created, one that exists is left as it is (a user's edits survive a restart), and an
 * AlreadyExists from another apiserver starting at the same time counts as done.
 */
@Component
public class BootstrapPriorityClasses {

    private static final Logger log = LoggerFactory.getLogger(BootstrapPriorityClasses.class);

    private final ResourceStore store;
    private final ResourceRegistry registry;

    public BootstrapPriorityClasses(ResourceStore store, ResourceRegistry registry) {
        this.store = store;
        this.registry = registry;
    }

    @EventListener
    public void onReady(ApplicationReadyEvent event) {
        ensure().subscribe(x -> { }, e -> log.error("could not create the built-in priority classes", e));
    }

    /** Creates the missing built-in classes; completes when all exist. */
    public Mono<Void> ensure() {
        ResourceType pc = registry.byPath("scheduling.k8s.io", "v1", "priorityclasses").orElseThrow();
        return Flux.defer(() -> Flux.fromIterable(PriorityClasses.builtin()))
                .concatMap(c -> create(pc, c))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5))
                        .filter(e -> !(e instanceof ApiException a) || a.code() >= 500))
                .then();
    }

    private Mono<Void> create(ResourceType type, PriorityClass c) {
        String name = c.getMetadata().getName();
        return store.create(type, null, c)
                .doOnNext(w -> log.info("created priority class {} (value {})", name, c.getValue()))
                .onErrorResume(e -> e instanceof ApiException a && a.code() == 409, e -> Mono.empty())
                .then();
    }
}
