package io.kube4j.proxy.userspace;

import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Builders for the userspace tests' Service ports and states. */
final class UserspaceFixtures {

    private UserspaceFixtures() {
    }

    static ServicePortName name(String ns, String svc, String port, String protocol) {
        return new ServicePortName(ns, svc, port, protocol);
    }

    static ServicePortInfo service(ServicePortName name, String type, String clusterIP, int port, int nodePort,
                                   List<String> externalIPs, List<String> lbIPs, boolean affinity) {
        return new ServicePortInfo(name, type, clusterIP, port, name.protocol(), nodePort, externalIPs, lbIPs,
                affinity, affinity ? 10800 : 0, false, false, 0);
    }

    static ServicePortInfo clusterIP(ServicePortName name, String clusterIP, int port) {
        return service(name, "ClusterIP", clusterIP, port, 0, List.of(), List.of(), false);
    }

    static EndpointInfo ready(String ip, int port) {
        return new EndpointInfo(ip, port, true, true, false, "node-1", true);
    }

    static EndpointInfo notReady(String ip, int port) {
        return new EndpointInfo(ip, port, false, false, false, "node-1", true);
    }

    /** A state builder. */
    static final class StateBuilder {
        private final Map<ServicePortName, ServicePortInfo> services = new LinkedHashMap<>();
        private final Map<ServicePortName, List<EndpointInfo>> endpoints = new LinkedHashMap<>();

        StateBuilder add(ServicePortInfo info, EndpointInfo... eps) {
            services.put(info.name(), info);
            endpoints.put(info.name(), new ArrayList<>(List.of(eps)));
            return this;
        }

        ProxyState build() {
            Set<String> changed = new java.util.TreeSet<>();
            services.keySet().forEach(n -> changed.add(n.serviceKey()));
            return new ProxyState(new TreeMap<>(services), endpoints, changed, Map.of());
        }
    }

    static StateBuilder state() {
        return new StateBuilder();
    }

    /** A port nothing listens on right now (TCP and UDP both checked), from the kernel's ephemeral range. */
    static int freePort() {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                int p = s.getLocalPort();
                try (java.net.DatagramSocket d = new java.net.DatagramSocket(p)) {
                    return p;
                } catch (IOException busy) {
                    // UDP side taken: try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free port found in 20 tries");
    }
}
