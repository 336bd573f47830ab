package io.kube4j.proxy.tracker;

import io.kube4j.proxy.model.Ipv4;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ServicePortName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The EndpointSlices of every Service, reduced to what the proxy uses, and their merge into one endpoint list per
 * Service port (kube-proxy's {@code EndpointSliceCache}). Not thread-safe: {@link ProxyStateTracker} guards it.
 *
 * <p>Merge rules (kube-proxy's {@code endpointInfoByServicePort}/{@code addEndpoints}): slices of a Service are
 * merged in name order; a slice port without a port number is ignored, a port without a name is the unnamed port
 * {@code ""} (kube-proxy ignores nil names; kube4j's own slices may omit the empty name); an endpoint without
 * addresses or with a non-IPv4 first address is ignored; duplicates by {@code ip:port} keep the first, unless a later
 * one is local; slices labelled {@code service.kubernetes.io/headless} or
 * {@code service.kubernetes.io/service-proxy-name} are ignored (kube-proxy's informer selector); each list is sorted by {@code ip:port} as a string, kube-proxy's {@code byEndpoint} order (so rule
 * order matches kube-proxy's).
 */
final class EndpointSliceCache {

    /** The label that ties a slice to its Service. */
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    /** The label the EndpointSlice controller puts on slices of headless Services, which kube-proxy's informer skips. */
    static final String HEADLESS_LABEL = "service.kubernetes.io/headless";

    private static final Logger log = LoggerFactory.getLogger(EndpointSliceCache.class);
    private static final Comparator<EndpointInfo> BY_ENDPOINT = Comparator.comparing(EndpointInfo::address);

    /** A slice's port, as the proxy reads it. */
    record SlicePort(String name, int port, String protocol) {
    }

    /** A slice's endpoint, as the proxy reads it. */
    record SliceEndpoint(String ip, String nodeName, boolean ready, boolean serving, boolean terminating) {
    }

    /** The part of one slice that matters to the proxy. */
    record SliceData(String serviceKey, List<SlicePort> ports, List<SliceEndpoint> endpoints) {
    }

    private final String nodeName;
    /** serviceKey → slice name → data. */
    private final Map<String, TreeMap<String, SliceData>> byService = new HashMap<>();
    /** namespace/sliceName → the serviceKey it is filed under (a slice's service label could change). */
    private final Map<String, String> serviceOfSlice = new HashMap<>();

    EndpointSliceCache(String nodeName) {
        this.nodeName = nodeName;
    }

    /**
     * Files {@code slice} (or forgets it when it no longer concerns this proxy: label removed, not IPv4, owned by
     * another proxy).
     *
     * @return the keys of the Services whose slices changed (one, or two when the slice moved between Services)
     */
    Set<String> update(EndpointSlice slice) {
        String sliceKey = sliceKey(slice);
        SliceData data = parse(slice);
        Set<String> touched = new java.util.LinkedHashSet<>();
        String previousService = serviceOfSlice.get(sliceKey);
        if (previousService != null && (data == null || !previousService.equals(data.serviceKey()))) {
            touched.add(previousService);
            removeFrom(previousService, slice.getMetadata().getName());
            serviceOfSlice.remove(sliceKey);
        }
        if (data != null) {
            byService.computeIfAbsent(data.serviceKey(), k -> new TreeMap<>()).put(slice.getMetadata().getName(), data);
            serviceOfSlice.put(sliceKey, data.serviceKey());
            touched.add(data.serviceKey());
        }
        return touched;
    }

    /** Forgets {@code slice}; returns the key of the Service it belonged to, or null when it was not filed. */
    String delete(EndpointSlice slice) {
        String service = serviceOfSlice.remove(sliceKey(slice));
        if (service != null) {
            removeFrom(service, slice.getMetadata().getName());
        }
        return service;
    }

    /** The merged endpoints of each port of the Service {@code serviceKey} (ports with no endpoints left out). */
    Map<ServicePortName, List<EndpointInfo>> endpointsOf(String serviceKey) {
        TreeMap<String, SliceData> slices = byService.get(serviceKey);
        if (slices == null) {
            return Map.of();
        }
        int slash = serviceKey.indexOf('/');
        String ns = serviceKey.substring(0, slash);
        String name = serviceKey.substring(slash + 1);
        Map<ServicePortName, Map<String, EndpointInfo>> merged = new HashMap<>();
        for (SliceData slice : slices.values()) {
            for (SlicePort port : slice.ports()) {
                ServicePortName spn = new ServicePortName(ns, name, port.name(), port.protocol());
                Map<String, EndpointInfo> set = merged.computeIfAbsent(spn, k -> new LinkedHashMap<>());
                for (SliceEndpoint ep : slice.endpoints()) {
                    boolean local = ep.nodeName() != null && ep.nodeName().equals(nodeName);
                    EndpointInfo info = new EndpointInfo(ep.ip(), port.port(), ep.ready(), ep.serving(),
                            ep.terminating(), ep.nodeName(), local);
                    if (!set.containsKey(info.address()) || local) {
                        set.put(info.address(), info);
                    }
                }
            }
        }
        Map<ServicePortName, List<EndpointInfo>> out = new HashMap<>();
        merged.forEach((spn, set) -> {
            if (!set.isEmpty()) {
                List<EndpointInfo> list = new ArrayList<>(set.values());
                list.sort(BY_ENDPOINT);
                out.put(spn, List.copyOf(list));
            }
        });
        return out;
    }

    private void removeFrom(String serviceKey, String sliceName) {
        TreeMap<String, SliceData> slices = byService.get(serviceKey);
        if (slices != null) {
            slices.remove(sliceName);
            if (slices.isEmpty()) {
                byService.remove(serviceKey);
            }
        }
    }

    private static String sliceKey(EndpointSlice slice) {
        return slice.getMetadata().getNamespace() + "/" + slice.getMetadata().getName();
    }

    /** The proxy's view of {@code slice}, or null when the proxy must ignore it. */
    static SliceData parse(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        if (service == null || service.isEmpty() || ServicePorts.ignored(slice) || labels.containsKey(HEADLESS_LABEL)
                || !"IPv4".equals(slice.getAddressType())) {
            return null;
        }
        List<SlicePort> ports = new ArrayList<>();
        if (slice.getPorts() != null) {
            for (EndpointPort p : slice.getPorts()) {
                if (p == null || p.getPort() == null || p.getPort() <= 0 || p.getPort() > 65535) {
                    log.warn("ignoring invalid port {} of EndpointSlice {}/{}", p,
                            slice.getMetadata().getNamespace(), slice.getMetadata().getName());
                    continue;
                }
                String protocol = p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
                ports.add(new SlicePort(p.getName() == null ? "" : p.getName(), p.getPort(), protocol));
            }
        }
        List<SliceEndpoint> endpoints = new ArrayList<>();
        if (slice.getEndpoints() != null) {
            for (Endpoint ep : slice.getEndpoints()) {
                if (ep == null || ep.getAddresses() == null || ep.getAddresses().isEmpty()) {
                    continue;
                }
                String ip = ep.getAddresses().get(0);
                if (!Ipv4.isCanonical(ip)) {
                    log.warn("ignoring endpoint {} of EndpointSlice {}/{}: not an IPv4 address", ip,
                            slice.getMetadata().getNamespace(), slice.getMetadata().getName());
                    continue;
                }
                EndpointConditions c = ep.getConditions();
                boolean ready = c == null || c.getReady() == null || c.getReady();
                boolean serving = c == null || c.getServing() == null ? ready : c.getServing();
                boolean terminating = c != null && c.getTerminating() != null && c.getTerminating();
                endpoints.add(new SliceEndpoint(ip, ep.getNodeName(), ready, serving, terminating));
            }
        }
        return new SliceData(slice.getMetadata().getNamespace() + "/" + service, List.copyOf(ports),
                List.copyOf(endpoints));
    }
}
