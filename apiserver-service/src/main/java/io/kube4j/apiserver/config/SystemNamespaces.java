package io.kube4j.apiserver.config;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.registry.ResourceHooks;
import io.kube4j.apiserver.registry.ResourceStore;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.watch.WatchCacheManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Duration;

/**
 * Creates {@code default}, {@code kube-system}, {@code kube-public} and {@code kube-node-lease} once storage answers
 * (as kube-apiserver's system namespaces controller: node agents, which may not create namespaces, need the last
 * one for their Leases), and logs the start line.
 */
@Component
public class SystemNamespaces {

    private static final Logger log = LoggerFactory.getLogger(SystemNamespaces.class);
    /** Created like the others but not immortal (Kubernetes lets it be deleted; it comes back at the next start). */
    public static final String NODE_LEASE_NAMESPACE = "kube-node-lease";

    private final ResourceStore store;
    private final ResourceRegistry registry;
    private final WatchCacheManager caches;
    private final ApiServerProperties props;

    public SystemNamespaces(ResourceStore store, ResourceRegistry registry, WatchCacheManager caches,
                            ApiServerProperties props) {
        this.store = store;
        this.registry = registry;
        this.caches = caches;
        this.props = props;
    }

    @EventListener
    public void onReady(ApplicationReadyEvent event) {
        String where = event.getApplicationContext() instanceof WebServerApplicationContext w
                ? Integer.toString(w.getWebServer().getPort()) : "?";
        log.info("kube4j apiserver listening on port {} (etcd {}, service CIDR {}, node ports {}, watch window {})",
                where, props.etcd().endpoints(), props.serviceClusterIpRange(), props.serviceNodePortRange(),
                props.watchCache().windowSize());
        ResourceType ns = registry.byPath("", "v1", "namespaces").orElseThrow();
        Flux.concat(Flux.fromIterable(ResourceHooks.SYSTEM_NAMESPACES), Flux.just(NODE_LEASE_NAMESPACE))
                .concatMap(name -> {
                    Namespace n = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
                    return store.create(ns, null, n)
                            .doOnNext(c -> log.info("created namespace {}", name))
                            .onErrorResume(e -> e instanceof ApiException a && a.code() == 409, e -> Mono.empty());
                })
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5)))
                .subscribe(x -> { }, e -> log.error("could not create system namespaces", e));
    }
}
