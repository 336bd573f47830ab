package io.kube4j.proxy.tracker;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.util.Clock;
import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.function.BiConsumer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything the proxy knows about Services and their endpoints, fed by Service and EndpointSlice informers, and the
 * changes not yet applied to the node (kube-proxy's {@code ServiceChangeTracker} + {@code EndpointsChangeTracker} +
 * {@code EndpointSliceCache}, with {@code ServicePortMap}/{@code EndpointsMap} kept current).
 *
 * <p>A change is pending for a Service while its ports or endpoints differ from what the node got in the last
 * {@link #applied} state: an update that does not alter them (informer resync, a status-only update, a slice
 * rewritten with the same endpoints) marks nothing, and a change undone before the next sync is forgotten, as
 * kube-proxy's trackers drop a change whose {@code previous} equals its {@code current}.
 *
 * <p>Trigger times (for {@code kubeproxy_network_programming_duration_seconds}): a slice's
 * {@code endpoints.kubernetes.io/last-change-trigger-time} annotation when it is later than the tracker's start (so
 * slices listed at start-up do not count, as in kube-proxy), and for a Service change the time the tracker saw it;
 * the earliest pending one per Service is kept.
 *
 * <p>Thread-safe: the handlers run on the informers' threads, {@link #snapshot}/{@link #applied} on the sync thread.
 */
public final class ProxyStateTracker {

    /** Annotation the EndpointSlice controller sets to the time of the change that caused the slice update. */
    public static final String TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";

    private static final Logger log = LoggerFactory.getLogger(ProxyStateTracker.class);
    private static final int REMEMBERED_SNAPSHOTS = 8;

    private final String nodeName;
    private final Clock clock;
    private final Instant startTime;
    private final Object lock = new Object();
    private final EndpointSliceCache slices;

    /** serviceKey → its ports (only Services that have some). */
    private final Map<String, Map<ServicePortName, ServicePortInfo>> servicePorts = new HashMap<>();
    /** serviceKey → its endpoints per port (only non-empty). */
    private final Map<String, Map<ServicePortName, List<EndpointInfo>>> serviceEndpoints = new HashMap<>();
    /** Every port and every endpoint list, flattened, kept in step with the two maps above. */
    private final TreeMap<ServicePortName, ServicePortInfo> allPorts = new TreeMap<>();
    private final Map<ServicePortName, List<EndpointInfo>> allEndpoints = new HashMap<>();

    private final Map<String, Pending> pending = new HashMap<>();
    private final Deque<Mark> marks = new ArrayDeque<>();
    private long version;

    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong serviceChanges = new AtomicLong();
    private final AtomicLong endpointChanges = new AtomicLong();

    /**
     * @param nodeName the node this proxy programs: endpoints whose {@code nodeName} equals it are local
     * @param clock    time source for trigger times of Service changes
     */
    public ProxyStateTracker(String nodeName, Clock clock) {
        if (nodeName == null || nodeName.isBlank()) {
            throw new IllegalArgumentException("the proxy's node name must be set (local endpoints are found by it)");
        }
        this.nodeName = nodeName;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.startTime = clock.now();
        this.slices = new EndpointSliceCache(nodeName);
    }

    public String nodeName() {
        return nodeName;
    }

    /** Handler for a Service informer. */
    public ResourceEventHandler<Service> serviceHandler() {
        return handler("ProxyStateTracker.serviceHandler", this::serviceChanged);
    }

    /** Handler for an EndpointSlice (discovery.k8s.io/v1) informer. */
    public ResourceEventHandler<EndpointSlice> endpointSliceHandler() {
        return handler("ProxyStateTracker.endpointSliceHandler", this::sliceChanged);
    }

    /** Adds and updates report the new object, deletes the last one seen, as {@code changed(obj, deleted)}. */
    private static <T> ResourceEventHandler<T> handler(String name, BiConsumer<T, Boolean> changed) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed.accept(obj, false);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed.accept(newObj, false);
            }

            @Override
            public void onDelete(T obj, boolean finalStateUnknown) {
                changed.accept(obj, true);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** Registers {@code listener}, run (on the informer's thread, outside the tracker's lock) after a change that alters the state. */
    public void onChange(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** The current state, with the changes not yet {@link #applied}. */
    public ProxyState snapshot() {
        synchronized (lock) {
            Map<String, Instant> triggers = new HashMap<>();
            Map<String, Taken> taken = new HashMap<>();
            pending.forEach((key, p) -> {
                taken.put(key, new Taken(p.version, servicePorts.getOrDefault(key, Map.of()),
                        serviceEndpoints.getOrDefault(key, Map.of())));
                Instant earliest = p.earliestTrigger();
                if (earliest != null) {
                    triggers.put(key, earliest);
                }
            });
            ProxyState state = new ProxyState(allPorts, allEndpoints, pending.keySet(), triggers);
            marks.addLast(new Mark(state, taken));
            while (marks.size() > REMEMBERED_SNAPSHOTS) {
                marks.removeFirst();
            }
            return state;
        }
    }

    /**
     * Records that the node now implements {@code state} (a {@link #snapshot} that was synced successfully): its
     * changes are no longer pending, except where the Service changed again after the snapshot, in which case it
     * stays pending against what {@code state} held for it (with only the trigger times of the later changes).
     */
    public void applied(ProxyState state) {
        synchronized (lock) {
            Map<String, Taken> taken = null;
            for (Mark m : marks) {
                if (m.state == state) {
                    taken = m.taken;
                }
            }
            marks.removeIf(m -> m.state == state);
            Set<String> changed = state.changedServices();
            if (changed.isEmpty()) {
                return;
            }
            if (taken == null) {
                taken = takenFrom(state); // not one of our recent snapshots: read what it held (one pass over it)
            }
            for (String key : changed) {
                Pending p = pending.get(key);
                Taken t = taken.get(key);
                if (p != null && t != null && t.version != null && p.version == t.version) {
                    pending.remove(key);
                    continue;
                }
                Pending rebased = t == null ? new Pending(Map.of(), Map.of()) : new Pending(t.ports, t.endpoints);
                if (p != null) {
                    rebased.version = p.version;
                    for (Trigger tr : p.triggers) {
                        if (t == null || t.version == null || tr.version > t.version) {
                            rebased.triggers.add(tr);
                        }
                    }
                }
                if (rebased.matches(servicePorts.getOrDefault(key, Map.of()), serviceEndpoints.getOrDefault(key, Map.of()))) {
                    pending.remove(key);
                } else {
                    pending.put(key, rebased);
                }
            }
        }
    }

    /** What {@code state} held for each of its changed Services (for states that were not our own snapshots). */
    private static Map<String, Taken> takenFrom(ProxyState state) {
        Set<String> changed = state.changedServices();
        Map<String, Map<ServicePortName, ServicePortInfo>> ports = new HashMap<>();
        Map<String, Map<ServicePortName, List<EndpointInfo>>> endpoints = new HashMap<>();
        state.services().forEach((spn, info) -> {
            if (changed.contains(spn.serviceKey())) {
                ports.computeIfAbsent(spn.serviceKey(), k -> new HashMap<>()).put(spn, info);
            }
        });
        state.endpoints().forEach((spn, eps) -> {
            if (changed.contains(spn.serviceKey()) && !eps.isEmpty()) {
                endpoints.computeIfAbsent(spn.serviceKey(), k -> new HashMap<>()).put(spn, eps);
            }
        });
        Map<String, Taken> out = new HashMap<>();
        for (String key : changed) {
            out.put(key, new Taken(null, ports.getOrDefault(key, Map.of()), endpoints.getOrDefault(key, Map.of())));
        }
        return out;
    }

    /** Services whose ports changed and are not applied yet ({@code kubeproxy_sync_proxy_rules_service_changes_pending}). */
    public int pendingServiceChanges() {
        synchronized (lock) {
            int n = 0;
            for (Map.Entry<String, Pending> e : pending.entrySet()) {
                if (!e.getValue().previousPorts.equals(servicePorts.getOrDefault(e.getKey(), Map.of()))) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Services whose endpoints changed and are not applied yet ({@code kubeproxy_sync_proxy_rules_endpoint_changes_pending}). */
    public int pendingEndpointChanges() {
        synchronized (lock) {
            int n = 0;
            for (Map.Entry<String, Pending> e : pending.entrySet()) {
                if (!e.getValue().previousEndpoints.equals(serviceEndpoints.getOrDefault(e.getKey(), Map.of()))) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Service events received for Services this proxy handles ({@code kubeproxy_sync_proxy_rules_service_changes_total}). */
    public long serviceChangesTotal() {
        return serviceChanges.get();
    }

    /** EndpointSlice events received for slices this proxy handles ({@code kubeproxy_sync_proxy_rules_endpoint_changes_total}). */
    public long endpointChangesTotal() {
        return endpointChanges.get();
    }

    private void serviceChanged(Service svc, boolean deleted) {
        if (svc == null || svc.getMetadata() == null) {
            return;
        }
        String key = svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName();
        Map<ServicePortName, ServicePortInfo> ports = deleted ? Map.of() : ServicePorts.of(svc);
        boolean changed;
        synchronized (lock) {
            Map<ServicePortName, ServicePortInfo> old = servicePorts.getOrDefault(key, Map.of());
            if (old.isEmpty() && ports.isEmpty() && !pending.containsKey(key)) {
                return; // a headless, ExternalName or foreign Service: never ours
            }
            serviceChanges.incrementAndGet();
            changed = !old.equals(ports);
            if (changed) {
                Pending p = pendingFor(key, old, serviceEndpoints.getOrDefault(key, Map.of()));
                setPorts(key, old, ports);
                record(key, p, clock.now());
            }
        }
        if (changed) {
            fire();
        }
    }

    private void sliceChanged(EndpointSlice slice, boolean deleted) {
        if (slice == null || slice.getMetadata() == null) {
            return;
        }
        Instant trigger = deleted ? null : triggerTime(slice);
        boolean changed = false;
        synchronized (lock) {
            Set<String> touched;
            if (deleted) {
                String key = slices.delete(slice);
                touched = key == null ? Set.of() : Set.of(key);
            } else {
                touched = slices.update(slice);
            }
            if (touched.isEmpty()) {
                return;
            }
            endpointChanges.incrementAndGet();
            for (String key : touched) {
                Map<ServicePortName, List<EndpointInfo>> old = serviceEndpoints.getOrDefault(key, Map.of());
                Map<ServicePortName, List<EndpointInfo>> now = slices.endpointsOf(key);
                if (old.equals(now)) {
                    continue;
                }
                changed = true;
                Pending p = pendingFor(key, servicePorts.getOrDefault(key, Map.of()), old);
                setEndpoints(key, old, now);
                record(key, p, trigger);
            }
        }
        if (changed) {
            fire();
        }
    }

    /** The pending change of {@code key}, started from its current (pre-change) state when there is none. */
    private Pending pendingFor(String key, Map<ServicePortName, ServicePortInfo> ports,
                               Map<ServicePortName, List<EndpointInfo>> endpoints) {
        Pending p = pending.get(key);
        return p != null ? p : new Pending(ports, endpoints);
    }

    private void record(String key, Pending p, Instant trigger) {
        p.version = ++version;
        if (trigger != null) {
            p.triggers.add(new Trigger(p.version, trigger));
        }
        if (p.matches(servicePorts.getOrDefault(key, Map.of()), serviceEndpoints.getOrDefault(key, Map.of()))) {
            pending.remove(key); // back to what the node has: nothing to do
        } else {
            pending.put(key, p);
        }
    }

    private void setPorts(String key, Map<ServicePortName, ServicePortInfo> old,
                          Map<ServicePortName, ServicePortInfo> now) {
        old.keySet().forEach(allPorts::remove);
        allPorts.putAll(now);
        if (now.isEmpty()) {
            servicePorts.remove(key);
        } else {
            servicePorts.put(key, Map.copyOf(now));
        }
    }

    private void setEndpoints(String key, Map<ServicePortName, List<EndpointInfo>> old,
                              Map<ServicePortName, List<EndpointInfo>> now) {
        old.keySet().forEach(allEndpoints::remove);
        allEndpoints.putAll(now);
        if (now.isEmpty()) {
            serviceEndpoints.remove(key);
        } else {
            serviceEndpoints.put(key, Map.copyOf(now));
        }
    }

    private Instant triggerTime(EndpointSlice slice) {
        Map<String, String> annotations = slice.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(TRIGGER_TIME_ANNOTATION);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            Instant t = OffsetDateTime.parse(value).toInstant();
            return t.isAfter(startTime) ? t : null;
        } catch (DateTimeParseException e) {
            log.warn("EndpointSlice {}/{}: annotation {} is not an RFC 3339 time: {}",
                    slice.getMetadata().getNamespace(), slice.getMetadata().getName(), TRIGGER_TIME_ANNOTATION, value);
            return null;
        }
    }

    private void fire() {
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                log.error("proxy state change listener {} failed", l, e);
            }
        }
    }

    /** What the node had for a Service when its first unapplied change arrived, and that change's trigger times. */
    private static final class Pending {
        final Map<ServicePortName, ServicePortInfo> previousPorts;
        final Map<ServicePortName, List<EndpointInfo>> previousEndpoints;
        final List<Trigger> triggers = new ArrayList<>();
        long version;

        Pending(Map<ServicePortName, ServicePortInfo> ports, Map<ServicePortName, List<EndpointInfo>> endpoints) {
            this.previousPorts = Map.copyOf(ports);
            this.previousEndpoints = Map.copyOf(endpoints);
        }

        boolean matches(Map<ServicePortName, ServicePortInfo> ports, Map<ServicePortName, List<EndpointInfo>> endpoints) {
            return previousPorts.equals(ports) && previousEndpoints.equals(endpoints);
        }

        Instant earliestTrigger() {
            Instant min = null;
            for (Trigger t : triggers) {
                if (min == null || t.time.isBefore(min)) {
                    min = t.time;
                }
            }
            return min;
        }
    }

    private record Trigger(long version, Instant time) {
    }

    /**
     * What a snapshot took of one changed Service: the version of its pending change (to tell in {@link #applied}
     * which changes came after it; null when unknown) and its ports and endpoints (what the node has once applied).
     */
    private record Taken(Long version, Map<ServicePortName, ServicePortInfo> ports,
                         Map<ServicePortName, List<EndpointInfo>> endpoints) {
    }

    /** A recent snapshot and what it took of each changed Service. */
    private record Mark(ProxyState state, Map<String, Taken> taken) {
    }

    /** For tests: the keys of the Services with a pending change. */
    Set<String> pendingServices() {
        synchronized (lock) {
            return new HashSet<>(pending.keySet());
        }
    }
}
