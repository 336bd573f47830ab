package io.kube4j.proxy.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable snapshot of what the node must implement, handed to a {@link io.kube4j.proxy.Proxier} at each sync
 * (kube-proxy's {@code ServicePortMap} and {@code EndpointsMap} after {@code Update}, plus the change sets that
 * make partial syncs possible).
 *
 * @param services         every non-headless Service port, sorted by name (so renderings are deterministic)
 * @param endpoints        the endpoints of each Service port (all of them: ready, serving and terminating, each
 *                         list sorted by its {@code ip:port} string, as kube-proxy sorts them); a Service port
 *                         without endpoints maps to an empty list or
 *                         is absent
 * @param changedServices  {@code namespace/name} of every Service whose Service object or EndpointSlices changed
 *                         since the last successful sync (including deleted ones, which are no longer in
 *                         {@code services}); a partial sync may rewrite just these
 * @param triggerTimes     for changed Services, the earliest {@code endpoints.kubernetes.io/last-change-trigger-time}
 *                         (or the time the agent saw the Service change) of the changes not yet applied; used for
 *                         {@code kubeproxy_network_programming_duration_seconds}
 */
public record ProxyState(SortedMap<ServicePortName, ServicePortInfo> services,
                         Map<ServicePortName, List<EndpointInfo>> endpoints,
                         Set<String> changedServices,
                         Map<String, Instant> triggerTimes) {

    public ProxyState {
        services = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(services));
        endpoints = Map.copyOf(endpoints);
        changedServices = Set.copyOf(changedServices);
        triggerTimes = Map.copyOf(triggerTimes);
    }

    /** The empty state (no Services): syncing it removes every service rule while keeping the base chains. */
    public static ProxyState empty() {
        return new ProxyState(new TreeMap<>(), Map.of(), Set.of(), Map.of());
    }

    /** The endpoints of {@code name}; empty when it has none. */
    public List<EndpointInfo> endpointsOf(ServicePortName name) {
        return endpoints.getOrDefault(name, List.of());
    }
}
