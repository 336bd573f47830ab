package io.kube4j.controller.manager;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kube4j.client.KubeClient;
import io.kube4j.client.controller.ControllerBuilder;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every controller of one leadership term shares: the client, one set of shared informers (one list+watch per
 * resource for all controllers), event recorders per component ({@code replicaset-controller}, ...), the meter
 * registry and the clock. A new term gets a new context, so no cache outlives the leadership it was built under.
 */
public final class ControllerContext implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControllerContext.class);

    private final KubeClient client;
    private final SharedInformerFactory informers;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, EventRecorder> recorders = new ConcurrentHashMap<>();

    public ControllerContext(KubeClient client, SharedInformerFactory informers, MeterRegistry meters, Clock clock) {
        this.client = Objects.requireNonNull(client);
        this.informers = Objects.requireNonNull(informers);
        this.meters = meters == null ? new SimpleMeterRegistry() : meters;
        this.clock = clock == null ? Clock.system() : clock;
    }

    /** A context with a fresh informer factory over {@code client} ({@code resync} zero: none). */
    public static ControllerContext of(KubeClient client, Duration resync, MeterRegistry meters, Clock clock) {
        return new ControllerContext(client, SharedInformerFactory.forClient(client, resync), meters, clock);
    }

    public KubeClient client() {
        return client;
    }

    public SharedInformerFactory informers() {
        return informers;
    }

    /** The shared informer over every {@code type} object in the cluster. */
    public <T extends HasMetadata> SharedIndexInformer<T> informer(Class<T> type) {
        return informers.informerFor(type, null);
    }

    public MeterRegistry meters() {
        return meters;
    }

    public Clock clock() {
        return clock;
    }

    /** The event recorder of {@code component} (Kubernetes' names: {@code replicaset-controller}, ...). */
    public EventRecorder recorder(String component) {
        return recorders.computeIfAbsent(component, c -> new EventRecorder(client.resources(Event.class), c, null));
    }

    /** A controller builder with this context's meters (workqueue_* metrics) and clock. */
    public ControllerBuilder controller(String name) {
        return ControllerBuilder.controller(name).meterRegistry(meters).clock(clock);
    }

    /** Flushes and closes the event recorders (the informers are the manager's to stop). */
    @Override
    public void close() {
        for (EventRecorder r : recorders.values()) {
            try {
                r.close(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("closing an event recorder failed: {}", e.toString());
            }
        }
        recorders.clear();
    }
}
