package io.kube4j.proxy.iptables;

import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Builds {@link ProxyState}s for the iptables tests, one Service port at a time. */
final class States {

    private final TreeMap<ServicePortName, ServicePortInfo> services = new TreeMap<>();
    private final Map<ServicePortName, List<EndpointInfo>> endpoints = new HashMap<>();
    private final Set<String> changed = new HashSet<>();

    static States states() {
        return new States();
    }

    static ServicePortName name(String ns, String name, String port, String proto) {
        return new ServicePortName(ns, name, port, proto);
    }

    /** A ClusterIP Service port. */
    static ServicePortInfo clusterIp(ServicePortName n, String ip, int port) {
        return new ServicePortInfo(n, "ClusterIP", ip, port, n.protocol(), 0, List.of(), List.of(), false, 0, false,
                false, 0);
    }

    static ServicePortInfo nodePort(ServicePortName n, String ip, int port, int nodePort) {
        return new ServicePortInfo(n, "NodePort", ip, port, n.protocol(), nodePort, List.of(), List.of(), false, 0,
                false, false, 0);
    }

    static EndpointInfo ready(String ip, int port) {
        return new EndpointInfo(ip, port, true, true, false, "node-b", false);
    }

    static EndpointInfo readyLocal(String ip, int port) {
        return new EndpointInfo(ip, port, true, true, false, "node-a", true);
    }

    static EndpointInfo terminating(String ip, int port, boolean serving) {
        return new EndpointInfo(ip, port, false, serving, true, "node-b", false);
    }

    States add(ServicePortInfo svc, EndpointInfo... eps) {
        services.put(svc.name(), svc);
        List<EndpointInfo> l = new ArrayList<>(List.of(eps));
        l.sort((a, b) -> a.ip().equals(b.ip()) ? Integer.compare(a.port(), b.port()) : a.ip().compareTo(b.ip()));
        endpoints.put(svc.name(), l);
        return this;
    }

    States remove(ServicePortName n) {
        services.remove(n);
        endpoints.remove(n);
        return this;
    }

    States changed(String... keys) {
        changed.addAll(List.of(keys));
        return this;
    }

    States clearChanged() {
        changed.clear();
        return this;
    }

    ProxyState build() {
        return new ProxyState(services, endpoints, changed, Map.of());
    }

    /** n ClusterIP Services with e endpoints each (10.96.x.y, pods 10.244.x.y). */
    static ProxyState many(int n, int e) {
        States s = states();
        for (int i = 0; i < n; i++) {
            ServicePortName name = name("bench", "svc-" + i, "http", "TCP");
            EndpointInfo[] eps = new EndpointInfo[e];
            for (int j = 0; j < e; j++) {
                int k = i * e + j;
                eps[j] = ready("10.244." + (k / 250) % 250 + "." + (k % 250 + 1), 8080);
            }
            s.add(clusterIp(name, "10.96." + (i / 250) + "." + (i % 250 + 1), 80), eps);
        }
        return s.build();
    }

}
