package io.kube4j.proxy.ipvs;

import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Builds ProxyStates for the IPVS tests, and the scenario behind the golden files. */
final class IpvsFixtures {

    static final String NODE = "node-a";

    /** {@code ip -4 -o addr show} of a node with two addresses and a stale VIP on kube-ipvs0. */
    static final String ADDR_SHOW = """
            1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
            2: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever
            3: eth1@if9    inet 192.0.2.3/24 brd 192.0.2.255 scope global eth1\\       valid_lft forever preferred_lft forever
            4: eth2    inet 169.254.3.4/16 scope link eth2\\       valid_lft forever preferred_lft forever
            7: kube-ipvs0    inet 10.96.0.10/32 scope global kube-ipvs0\\       valid_lft forever preferred_lft forever
            7: kube-ipvs0    inet 10.96.0.99/32 scope global kube-ipvs0\\       valid_lft forever preferred_lft forever
            """;

    private final TreeMap<ServicePortName, ServicePortInfo> services = new TreeMap<>();
    private final Map<ServicePortName, List<EndpointInfo>> endpoints = new HashMap<>();

    static ServicePortInfo clusterIP(ServicePortName n, String ip, int port) {
        return new ServicePortInfo(n, "ClusterIP", ip, port, n.protocol(), 0, List.of(), List.of(), false, 0, false,
                false, 0);
    }

    static ServicePortName name(String ns, String name, String port, String protocol) {
        return new ServicePortName(ns, name, port, protocol);
    }

    static EndpointInfo ready(String ip, int port, boolean local) {
        return new EndpointInfo(ip, port, true, true, false, local ? NODE : "node-b", local);
    }

    static EndpointInfo notReady(String ip, int port, boolean local) {
        return new EndpointInfo(ip, port, false, false, false, local ? NODE : "node-b", local);
    }

    static EndpointInfo servingTerminating(String ip, int port, boolean local) {
        return new EndpointInfo(ip, port, false, true, true, local ? NODE : "node-b", local);
    }

    IpvsFixtures service(ServicePortInfo svc, EndpointInfo... eps) {
        services.put(svc.name(), svc);
        endpoints.put(svc.name(), new ArrayList<>(List.of(eps)));
        return this;
    }

    ProxyState state() {
        return new ProxyState(services, endpoints, Set.of(), Map.of());
    }

    /**
     * The golden scenario: a ClusterIP service over a local, a remote and a not-ready endpoint; a NodePort service
     * with ClientIP affinity; a UDP service; a LoadBalancer with externalTrafficPolicy Local, an externalIP and a
     * health check NodePort; a service with an externalIP and no endpoints.
     */
    static ProxyState golden() {
        ServicePortName web = name("default", "web", "http", "TCP");
        ServicePortName np = name("default", "np", "", "TCP");
        ServicePortName dns = name("kube-system", "dns", "dns", "UDP");
        ServicePortName lb = name("shop", "front", "https", "TCP");
        ServicePortName ext = name("shop", "ext", "", "TCP");
        return new IpvsFixtures()
                .service(clusterIP(web, "10.96.0.10", 80),
                        ready("10.244.1.2", 8080, true), ready("10.244.2.3", 8080, false), notReady("10.244.2.4", 8080, false))
                .service(new ServicePortInfo(np, "NodePort", "10.96.0.20", 80, "TCP", 30080, List.of(), List.of(),
                        true, 10800, false, false, 0), ready("10.244.1.5", 80, true))
                .service(clusterIP(dns, "10.96.0.53", 53), ready("10.244.2.9", 53, false))
                .service(new ServicePortInfo(lb, "LoadBalancer", "10.96.0.30", 443, "TCP", 31443, List.of("198.51.100.7"),
                        List.of("203.0.113.10"), false, 0, true, false, 32000),
                        ready("10.244.1.7", 8443, true), ready("10.244.2.7", 8443, false))
                .service(new ServicePortInfo(ext, "ClusterIP", "10.96.0.40", 8080, "TCP", 0, List.of("198.51.100.8"),
                        List.of(), false, 0, false, false, 0))
                .state();
    }
}
