package io.kube4j.controller.endpointslice;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditionsBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.endpoint.PodEndpoints;

/**
 * Decides which EndpointSlices to create, update and delete for one Service (Kubernetes' {@code reconciler.go}),
 * without side effects. Endpoints are grouped by the ports they offer (a pod lacking a named port lands in another
 * group); within a group, existing slices are updated in place (endpoints no longer wanted removed, changed ones
 * replaced), new endpoints first fill the slices that are being updated anyway (fullest first), then the unchanged
 * slice they fit best, and only then new slices; emptied slices are deleted, or reused by name for a slice that would
 * otherwise be created. A service without endpoints keeps one empty placeholder slice, as in Kubernetes.
 */
public final class SlicePlanner {

    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "endpointslice-controller.k8s.io";
    public static final String ADDRESS_TYPE = "IPv4";
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    /** What to write: creates, then updates, then deletes (so consumers never see a gap). */
    public record Plan(List<EndpointSlice> toCreate, List<EndpointSlice> toUpdate, List<EndpointSlice> toDelete) {
        public boolean isEmpty() {
            return toCreate.isEmpty() && toUpdate.isEmpty() && toDelete.isEmpty();
        }
    }

    /** The desired endpoints of one port set, by endpoint key. */
    public record PortGroup(List<EndpointPort> ports, LinkedHashMap<String, Endpoint> endpoints) {
    }

    private final int maxEndpointsPerSlice;

    public SlicePlanner(int maxEndpointsPerSlice) {
        if (maxEndpointsPerSlice < 1 || maxEndpointsPerSlice > 1000) {
            throw new IllegalArgumentException("maxEndpointsPerSlice must be between 1 and 1000, got " + maxEndpointsPerSlice);
        }
        this.maxEndpointsPerSlice = maxEndpointsPerSlice;
    }

    /**
     * The desired endpoints of {@code service} over the pods its selector matches, grouped by port set: every pod with
     * an IPv4 address that is not terminal (terminating ones too, with their conditions), zone from its node.
     */
    public static Map<String, PortGroup> desired(Service service, Collection<Pod> pods, Function<String, String> zoneOfNode) {
        List<ServicePort> servicePorts = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        Map<String, PortGroup> groups = new TreeMap<>();
        List<Pod> sorted = new ArrayList<>(pods);
        sorted.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        for (Pod pod : sorted) {
            if (!PodEndpoints.shouldBeInEndpoints(pod, true)) {
                continue;
            }
            List<EndpointPort> ports = new ArrayList<>();
            for (ServicePort sp : servicePorts) {
                OptionalInt port = PodEndpoints.findPort(pod, sp);
                if (port.isPresent()) {
                    ports.add(new EndpointPortBuilder().withName(PodEndpoints.emptyToNull(sp.getName()))
                            .withPort(port.getAsInt()).withProtocol(PodEndpoints.protocol(sp.getProtocol()))
                            .withAppProtocol(sp.getAppProtocol()).build());
                }
            }
            Endpoint ep = endpoint(pod, service, zoneOfNode);
            groups.computeIfAbsent(portsKey(ports), k -> new PortGroup(ports, new LinkedHashMap<>()))
                    .endpoints().put(endpointKey(ep), ep);
        }
        return groups;
    }

    /** Kubernetes' {@code podToEndpoint}: ready (or published not ready) and not terminating; serving = Ready. */
    static Endpoint endpoint(Pod pod, Service service, Function<String, String> zoneOfNode) {
        boolean serving = PodEndpoints.isReady(pod);
        boolean terminating = PodEndpoints.isTerminating(pod);
        boolean ready = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses()) || (serving && !terminating);
        String node = pod.getSpec() == null ? null : PodEndpoints.emptyToNull(pod.getSpec().getNodeName());
        String zone = node == null ? null : PodEndpoints.emptyToNull(zoneOfNode.apply(node));
        return new EndpointBuilder().withAddresses(PodEndpoints.ipv4(pod))
                .withConditions(new EndpointConditionsBuilder().withReady(ready).withServing(serving)
                        .withTerminating(terminating).build())
                .withNodeName(node).withZone(zone)
                .withHostname(PodEndpoints.shouldSetHostname(pod, service) ? pod.getSpec().getHostname() : null)
                .withTargetRef(new ObjectReferenceBuilder().withKind("Pod")
                        .withNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .withUid(pod.getMetadata().getUid()).build())
                .build();
    }

    /** Identity of an endpoint across syncs: its target and address (conditions and the rest may change in place). */
    static String endpointKey(Endpoint ep) {
        String target = ep.getTargetRef() == null ? ""
                : ep.getTargetRef().getNamespace() + "/" + ep.getTargetRef().getName();
        String ip = ep.getAddresses() == null || ep.getAddresses().isEmpty() ? "" : ep.getAddresses().get(0);
        return target + "@" + ip;
    }

    static String portsKey(List<EndpointPort> ports) {
        if (ports == null) {
            return "";
        }
        return ports.stream().map(p -> Objects.toString(p.getName(), "") + ":" + p.getPort() + "/"
                + PodEndpoints.protocol(p.getProtocol()) + "/" + Objects.toString(p.getAppProtocol(), ""))
                .sorted().collect(Collectors.joining(","));
    }

    /** The labels of the service's slices: the service's own (minus the reserved ones), service name, managed-by, headless. */
    public static Map<String, String> labels(Service service) {
        Map<String, String> labels = new HashMap<>();
        if (service.getMetadata().getLabels() != null) {
            labels.putAll(service.getMetadata().getLabels());
        }
        labels.remove(PodEndpoints.HEADLESS_LABEL);
        labels.put(SERVICE_NAME_LABEL, service.getMetadata().getName());
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        if (PodEndpoints.isHeadless(service)) {
            labels.put(PodEndpoints.HEADLESS_LABEL, "");
        }
        return labels;
    }

    static boolean ownedBy(EndpointSlice slice, Service service) {
        List<OwnerReference> refs = slice.getMetadata().getOwnerReferences();
        if (refs == null) {
            return false;
        }
        for (OwnerReference r : refs) {
            if (Objects.equals(r.getUid(), service.getMetadata().getUid()) && "Service".equals(r.getKind())
                    && "v1".equals(r.getApiVersion())) {
                return true;
            }
        }
        return false;
    }

    /** A new, unnamed slice (its name is generated by the apiserver from {@code <service>-}). */
    static EndpointSlice newSlice(Service service, List<EndpointPort> ports) {
        String name = service.getMetadata().getName();
        String prefix = name.length() > 57 ? name.substring(0, 57) + "-" : name + "-";
        EndpointSlice slice = new EndpointSliceBuilder()
                .withMetadata(new ObjectMetaBuilder().withGenerateName(prefix)
                        .withNamespace(service.getMetadata().getNamespace()).withLabels(labels(service))
                        .withOwnerReferences(OwnerReferences.controllerRef(service, "v1", "Service")).build())
                .withAddressType(ADDRESS_TYPE).withPorts(new ArrayList<>(ports)).build();
        slice.setEndpoints(new ArrayList<>());
        return slice;
    }

    private static EndpointSlice copy(EndpointSlice s) {
        EndpointSlice c = new EndpointSliceBuilder(s).build();
        c.setEndpoints(c.getEndpoints() == null ? new ArrayList<>() : new ArrayList<>(c.getEndpoints()));
        return c;
    }

    /** Plans the writes that turn {@code existing} (this controller's slices of the service) into {@code desired}. */
    public Plan plan(Service service, Map<String, PortGroup> desired, List<EndpointSlice> existing) {
        List<EndpointSlice> toCreate = new ArrayList<>();
        List<EndpointSlice> toUpdate = new ArrayList<>();
        List<EndpointSlice> toDelete = new ArrayList<>();
        Map<String, List<EndpointSlice>> existingByPorts = new TreeMap<>();
        List<EndpointSlice> sortedExisting = new ArrayList<>(existing);
        sortedExisting.sort(Comparator.comparing(s -> s.getMetadata().getName()));
        for (EndpointSlice s : sortedExisting) {
            if (!ADDRESS_TYPE.equals(s.getAddressType()) || !ownedBy(s, service)) {
                toDelete.add(s);
                continue;
            }
            existingByPorts.computeIfAbsent(portsKey(s.getPorts()), k -> new ArrayList<>()).add(s);
        }
        for (Map.Entry<String, PortGroup> g : desired.entrySet()) {
            planPortGroup(service, g.getValue(), existingByPorts.getOrDefault(g.getKey(), List.of()),
                    toCreate, toUpdate, toDelete);
        }
        for (Map.Entry<String, List<EndpointSlice>> e : existingByPorts.entrySet()) {
            if (!desired.containsKey(e.getKey())) {
                toDelete.addAll(e.getValue());
            }
        }
        // no slices would be left: keep (or make) one empty placeholder
        if (existing.size() == toDelete.size() && toCreate.isEmpty()) {
            EndpointSlice placeholder = newSlice(service, List.of());
            if (toDelete.size() == 1 && isPlaceholderOf(toDelete.get(0), service)) {
                toDelete.clear();
            } else {
                toCreate.add(placeholder);
            }
        }
        // reuse slices about to be deleted for slices about to be created: one update instead of a create + delete
        for (int i = 0; i < toDelete.size() && !toCreate.isEmpty();) {
            EndpointSlice old = toDelete.get(i);
            if (ownedBy(old, service) && ADDRESS_TYPE.equals(old.getAddressType())) {
                EndpointSlice created = toCreate.remove(toCreate.size() - 1);
                EndpointSlice reused = copy(old);
                reused.getMetadata().setLabels(created.getMetadata().getLabels());
                reused.setPorts(created.getPorts());
                reused.setEndpoints(created.getEndpoints());
                toUpdate.add(reused);
                toDelete.remove(i);
            } else {
                i++;
            }
        }
        return new Plan(toCreate, toUpdate, toDelete);
    }

    private static boolean isPlaceholderOf(EndpointSlice s, Service service) {
        return ownedBy(s, service) && ADDRESS_TYPE.equals(s.getAddressType())
                && (s.getEndpoints() == null || s.getEndpoints().isEmpty())
                && (s.getPorts() == null || s.getPorts().isEmpty())
                && Objects.equals(s.getMetadata().getLabels(), labels(service));
    }

    /** {@code reconcileByPortMapping}. */
    private void planPortGroup(Service service, PortGroup group, List<EndpointSlice> existing,
            List<EndpointSlice> toCreate, List<EndpointSlice> toUpdate, List<EndpointSlice> toDelete) {
        LinkedHashMap<String, Endpoint> wanted = new LinkedHashMap<>(group.endpoints());
        Map<String, String> labels = labels(service);
        Map<String, EndpointSlice> byName = new LinkedHashMap<>();
        Set<String> unchanged = new LinkedHashSet<>();
        Set<String> updated = new LinkedHashSet<>();
        // 1. existing slices: drop endpoints no longer wanted, replace changed ones
        for (EndpointSlice s : existing) {
            String name = s.getMetadata().getName();
            byName.put(name, s);
            List<Endpoint> kept = new ArrayList<>();
            boolean endpointChanged = false;
            List<Endpoint> eps = s.getEndpoints() == null ? List.of() : s.getEndpoints();
            for (Endpoint ep : eps) {
                Endpoint want = wanted.remove(endpointKey(ep));
                if (want != null) {
                    kept.add(want);
                    endpointChanged |= !want.equals(ep);
                }
            }
            boolean labelsChanged = !Objects.equals(s.getMetadata().getLabels(), labels);
            if (endpointChanged || kept.size() != eps.size()) {
                if (kept.isEmpty()) {
                    toDelete.add(s);
                } else {
                    EndpointSlice u = copy(s);
                    u.setEndpoints(kept);
                    u.getMetadata().setLabels(labels);
                    byName.put(name, u);
                    updated.add(name);
                }
            } else if (labelsChanged) {
                EndpointSlice u = copy(s);
                u.getMetadata().setLabels(labels);
                byName.put(name, u);
                updated.add(name);
            } else {
                unchanged.add(name);
            }
        }
        var remaining = wanted.values().iterator();
        // 2. fill the slices being updated anyway, fullest first
        if (remaining.hasNext() && !updated.isEmpty()) {
            List<EndpointSlice> slices = updated.stream().map(byName::get)
                    .sorted(Comparator.comparingInt((EndpointSlice s) -> s.getEndpoints().size()).reversed()).toList();
            for (EndpointSlice s : slices) {
                while (remaining.hasNext() && s.getEndpoints().size() < maxEndpointsPerSlice) {
                    s.getEndpoints().add(remaining.next());
                    remaining.remove();
                }
            }
        }
        // 3. the rest: into the unchanged slice they fit best, else new slices
        while (!wanted.isEmpty()) {
            EndpointSlice fill = null;
            if (wanted.size() < maxEndpointsPerSlice && !unchanged.isEmpty()) {
                EndpointSlice best = sliceToFill(unchanged.stream().map(byName::get).toList(), wanted.size());
                if (best != null) {
                    fill = copy(best);
                    byName.put(best.getMetadata().getName(), fill);
                }
            }
            if (fill == null) {
                fill = newSlice(service, group.ports());
            }
            var it = wanted.values().iterator();
            while (it.hasNext() && fill.getEndpoints().size() < maxEndpointsPerSlice) {
                fill.getEndpoints().add(it.next());
                it.remove();
            }
            String name = fill.getMetadata().getName();
            if (name != null && !name.isEmpty()) {
                updated.add(name);
                unchanged.remove(name);
            } else {
                toCreate.add(fill);
            }
        }
        for (String name : updated) {
            toUpdate.add(byName.get(name));
        }
    }

    /** {@code getSliceToFill}: the slice that will be closest to full with {@code n} more endpoints, or null. */
    private EndpointSlice sliceToFill(List<EndpointSlice> slices, int n) {
        int closest = maxEndpointsPerSlice;
        EndpointSlice best = null;
        for (EndpointSlice s : slices) {
            int diff = maxEndpointsPerSlice - (n + (s.getEndpoints() == null ? 0 : s.getEndpoints().size()));
            if (diff >= 0 && diff < closest) {
                closest = diff;
                best = s;
                if (diff == 0) {
                    break;
                }
            }
        }
        return best;
    }
}
