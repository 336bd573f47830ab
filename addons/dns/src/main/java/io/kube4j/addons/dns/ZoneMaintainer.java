package io.kube4j.addons.dns;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.informer.SharedInformerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Keeps the current {@link DnsZone}: every informer event asks for a rebuild, rebuilds run one at a time on a thread of
 * their own from the informers' caches, and events that arrive during one are folded into the next (a burst of
 * changes costs one or two rebuilds, not one per event). Each rebuilt snapshot replaces the last in one atomic write,
 * so a question is answered from a whole zone, and a change shows up within one rebuild (tens of milliseconds for
 * ten thousand Services) of its watch event.
 */
public final class ZoneMaintainer implements Supplier<DnsZone>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ZoneMaintainer.class);

    private final ZoneBuilder builder;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<ReplicaSet> replicaSets;
    private final AtomicReference<DnsZone> current;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ExecutorService rebuilds = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dns-zone-rebuild");
        t.setDaemon(true);
        return t;
    });

    /** Registers on the factory's informers (of all namespaces, or {@code namespace} when not null). */
    public ZoneMaintainer(ZoneBuilder builder, SharedInformerFactory informers, String namespace) {
        this.builder = builder;
        this.current = new AtomicReference<>(builder.empty());
        this.services = informers.informerFor(Service.class, namespace);
        this.slices = informers.informerFor(EndpointSlice.class, namespace);
        this.pods = informers.informerFor(Pod.class, namespace);
        this.replicaSets = informers.informerFor(ReplicaSet.class, namespace);
        services.addEventHandler(handler());
        slices.addEventHandler(handler());
        pods.addEventHandler(handler());
        replicaSets.addEventHandler(handler());
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                requestRebuild();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                requestRebuild();
            }

            @Override
            public void onDelete(T obj, boolean finalStateUnknown) {
                requestRebuild();
            }
        };
    }

    /** Asks for a rebuild from the caches; a no-op while one is already queued (it will see this change). */
    public void requestRebuild() {
        if (pending.compareAndSet(false, true)) {
            rebuilds.execute(this::rebuild);
        }
    }

    private void rebuild() {
        pending.set(false); // changes from now on queue another rebuild
        try {
            long t0 = System.nanoTime();
            DnsZone zone = builder.build(services.getIndexer().list(), slices.getIndexer().list(),
                    pods.getIndexer().list(), replicaSets.getIndexer().list(), System.currentTimeMillis() / 1000);
            current.set(zone);
            log.debug("zone rebuilt: {} names in {} ms", zone.names().size(), (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            log.error("zone rebuild failed; still answering from the previous one", e);
        }
    }

    @Override
    public DnsZone get() {
        return current.get();
    }

    /** Whether all four informers have listed (before that the zone may miss names that exist). */
    public boolean hasSynced() {
        return services.hasSynced() && slices.hasSynced() && pods.hasSynced() && replicaSets.hasSynced();
    }

    @Override
    public void close() {
        rebuilds.shutdownNow();
    }
}
