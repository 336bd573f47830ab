package io.kube4j.controller.garbagecollector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.workqueue.DefaultRateLimitingQueue;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Makes the {@code garbagecollector}: one graph over every resource of the registry (core/v1 Events excepted, as in
 * Kubernetes), fed by the context's shared informers, with {@code concurrentGcSyncs} workers per queue.
 */
@Component
public class GarbageCollectorFactory implements ControllerFactory {

    /** Absent owners remembered, as Kubernetes' garbage collector (500). */
    static final int ABSENT_OWNER_CACHE_SIZE = 500;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** The component of the collector's events, as Kubernetes'. */
    static final String EVENT_SOURCE = "garbage-collector-controller";

    private static final Logger log = LoggerFactory.getLogger(GarbageCollectorFactory.class);

    private final GarbageCollectorProperties props;
    private final ResourceRegistry registry;

    /** Over every resource the controller manager's client knows. */
    @Autowired
    public GarbageCollectorFactory(GarbageCollectorProperties props) {
        this.props = Objects.requireNonNull(props);
        this.registry = null;
    }

    /** Over the resources of {@code registry} instead of the client's. */
    public GarbageCollectorFactory(GarbageCollectorProperties props, ResourceRegistry registry) {
        this.props = Objects.requireNonNull(props);
        this.registry = Objects.requireNonNull(registry);
    }

    @Override
    public String name() {
        return "garbagecollector";
    }

    @Override
    public boolean enabledByDefault() {
        return props.enabled();
    }

    /** The resources the collector watches: every registered type but core/v1 Events. */
    static List<ResourceType> watchedTypes(ResourceRegistry registry) {
        List<ResourceType> out = new ArrayList<>();
        for (ResourceType t : registry.all()) {
            if (t.type() == null || t.type() == Event.class || !t.verbs().containsAll(List.of("list", "watch", "delete"))) {
                continue;
            }
            out.add(t);
        }
        return out;
    }

    @Override
    public Startable create(ControllerContext ctx) {
        var attemptToDelete = new DefaultRateLimitingQueue<Node>("garbage_collector_attempt_to_delete", ctx.clock(),
                ctx.meters());
        var attemptToOrphan = new DefaultRateLimitingQueue<Node>("garbage_collector_attempt_to_orphan", ctx.clock(),
                ctx.meters());
        EventRecorder recorder = ctx.recorder(EVENT_SOURCE);
        GraphBuilder graph = new GraphBuilder(attemptToDelete, attemptToOrphan,
                new AbsentOwnerCache(ABSENT_OWNER_CACHE_SIZE), (dependent, message) -> {
                    log.warn("garbage collector: {}: {}", dependent, message);
                    recorder.event(involved(dependent), EventRecorder.WARNING, InvalidReferenceReporter.REASON,
                            message);
                });
        ResourceRegistry types = registry != null ? registry : ctx.client().registry();
        List<BooleanSupplier> synced = new ArrayList<>();
        for (ResourceType t : watchedTypes(types)) {
            synced.add(register(ctx, graph, t, t.type()));
        }
        return new GarbageCollector(graph, new ApiGcOperations(ctx.client(), types, REQUEST_TIMEOUT),
                attemptToDelete, attemptToOrphan, props.concurrentGcSyncs(), synced);
    }

    /** The object an event is about, from the graph's identity (the recorder needs apiVersion, kind and uid). */
    static HasMetadata involved(ObjectReference ref) {
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion(ref.apiVersion());
        r.setKind(ref.kind());
        r.setMetadata(new ObjectMetaBuilder().withName(ref.name()).withUid(ref.uid())
                .withNamespace(ref.namespace().isEmpty() ? null : ref.namespace()).build());
        return r;
    }

    private static <T extends HasMetadata> BooleanSupplier register(ControllerContext ctx, GraphBuilder graph,
            ResourceType t, Class<T> type) {
        SharedIndexInformer<T> informer = ctx.informers().informerFor(type, null);
        informer.addEventHandler(graph.handlerFor(t));
        return informer::hasSynced;
    }
}
