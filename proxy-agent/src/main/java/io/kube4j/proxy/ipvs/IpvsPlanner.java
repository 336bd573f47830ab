package io.kube4j.proxy.ipvs;

import io.kube4j.proxy.model.Ipv4;
import io.kube4j.proxy.ipvs.IpvsTable.RealServer;
import io.kube4j.proxy.ipvs.IpvsTable.VirtualServer;
import io.kube4j.proxy.model.EndpointCategories;
import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What IPVS mode wants the node to hold for a {@link ProxyState} (the loop of kube-proxy's IPVS
 * {@code syncProxyRules}): one virtual server per ClusterIP:port, externalIP:port, LB IP:port and node IP:NodePort,
 * each with a real server per usable endpoint; the ipset entries; the addresses for {@code kube-ipvs0}.
 *
 * <p>Endpoints as kube-proxy's {@code CategorizeEndpoints} picks them: ready ones (serving-terminating ones when none
 * is ready); virtual servers under a Local policy use the local ones, or, when there are none, the cluster-wide ones
 * (kubernetes#97081: local pods still reach the service).
 */
public final class IpvsPlanner {

    /**
     * The wanted state.
     *
     * @param table           virtual and real servers
     * @param sets            ipset entries
     * @param bindAddresses   addresses {@code kube-ipvs0} must hold
     * @param noLocalInternal services with an internal Local policy and endpoints, none of them local
     * @param noLocalExternal services with an external Local policy and endpoints, none of them local
     */
    public record Plan(IpvsTable table, IpSets sets, SortedSet<String> bindAddresses, Set<String> noLocalInternal,
                       Set<String> noLocalExternal) {
    }

    private IpvsPlanner() {
    }

    /**
     * @param state            the services and endpoints
     * @param scheduler        the IPVS scheduler for every virtual server
     * @param nodePortIPs      addresses for NodePort virtual servers
     * @param nodeAddresses    all local addresses not on kube-ipvs0 (external/LB IPs among them are not bound)
     */
    public static Plan plan(ProxyState state, String scheduler, List<String> nodePortIPs,
                            Collection<String> nodeAddresses) {
        IpvsTable table = new IpvsTable();
        IpSets sets = new IpSets();
        SortedSet<String> bind = new TreeSet<>((a, b) -> Long.compare(Ipv4.parse(a), Ipv4.parse(b)));
        Set<String> noLocalInternal = new TreeSet<>();
        Set<String> noLocalExternal = new TreeSet<>();
        Set<String> nodeAddressSet = Set.copyOf(nodeAddresses);

        for (Map.Entry<ServicePortName, ServicePortInfo> e : state.services().entrySet()) {
            ServicePortName name = e.getKey();
            ServicePortInfo svc = e.getValue();
            String protocol = svc.protocol();
            List<EndpointInfo> endpoints = state.endpointsOf(name);

            // hairpin: a local endpoint reaching itself through the service is masqueraded
            for (EndpointInfo ep : endpoints) {
                if (ep.local()) {
                    sets.add(IpSets.LOOP_BACK, IpSets.ipPortIp(ep.ip(), protocol, ep.port(), ep.ip()));
                }
            }
            EndpointCategories cat = EndpointCategories.of(svc, endpoints);
            boolean externalLocal = svc.externallyAccessibleLocalOnly();
            if (cat.hasAny() && cat.local().isEmpty()) {
                if (svc.internalPolicyLocal()) {
                    noLocalInternal.add(name.serviceKey());
                }
                if (externalLocal) {
                    noLocalExternal.add(name.serviceKey());
                }
            }
            List<EndpointInfo> internalEps = cat.pick(svc.internalPolicyLocal());
            List<EndpointInfo> externalEps = cat.pick(externalLocal);
            int persistence = svc.clientIPAffinity() ? svc.stickyMaxAgeSeconds() : 0;

            sets.add(IpSets.CLUSTER_IP, IpSets.ipPort(svc.clusterIP(), protocol, svc.port()));
            addService(table, new VirtualServer(protocol, svc.clusterIP(), svc.port(), scheduler, persistence), internalEps);
            bind.add(svc.clusterIP());

            for (String ip : svc.externalIPs()) {
                sets.add(externalLocal ? IpSets.EXTERNAL_IP_LOCAL : IpSets.EXTERNAL_IP, IpSets.ipPort(ip, protocol, svc.port()));
                addService(table, new VirtualServer(protocol, ip, svc.port(), scheduler, persistence), externalEps);
                if (!nodeAddressSet.contains(ip)) {
                    bind.add(ip);
                }
            }
            for (String ip : svc.loadBalancerIPs()) {
                String entry = IpSets.ipPort(ip, protocol, svc.port());
                sets.add(IpSets.LOAD_BALANCER, entry);
                if (externalLocal) {
                    sets.add(IpSets.LOAD_BALANCER_LOCAL, entry);
                }
                addService(table, new VirtualServer(protocol, ip, svc.port(), scheduler, persistence), externalEps);
                if (!nodeAddressSet.contains(ip)) {
                    bind.add(ip);
                }
            }
            if (svc.nodePort() != 0 && !nodePortIPs.isEmpty()) {
                switch (protocol) {
                    case "TCP" -> {
                        sets.add(IpSets.NODE_PORT_TCP, Integer.toString(svc.nodePort()));
                        if (externalLocal) {
                            sets.add(IpSets.NODE_PORT_LOCAL_TCP, Integer.toString(svc.nodePort()));
                        }
                    }
                    case "UDP" -> {
                        sets.add(IpSets.NODE_PORT_UDP, Integer.toString(svc.nodePort()));
                        if (externalLocal) {
                            sets.add(IpSets.NODE_PORT_LOCAL_UDP, Integer.toString(svc.nodePort()));
                        }
                    }
                    case "SCTP" -> {
                        for (String ip : nodePortIPs) {
                            sets.add(IpSets.NODE_PORT_SCTP, IpSets.ipPort(ip, protocol, svc.nodePort()));
                            if (externalLocal) {
                                sets.add(IpSets.NODE_PORT_LOCAL_SCTP, IpSets.ipPort(ip, protocol, svc.nodePort()));
                            }
                        }
                    }
                    default -> throw new IllegalArgumentException("unsupported protocol " + protocol + " of " + name);
                }
                for (String ip : nodePortIPs) {
                    addService(table, new VirtualServer(protocol, ip, svc.nodePort(), scheduler, persistence), externalEps);
                }
            }
            if (svc.healthCheckNodePort() != 0) {
                sets.add(IpSets.HEALTH_CHECK_NODE_PORT, Integer.toString(svc.healthCheckNodePort()));
            }
        }
        for (String ip : bind) {
            sets.add(IpSets.IPVS_IPS, ip);
        }
        return new Plan(table, sets, bind, noLocalInternal, noLocalExternal);
    }

    private static void addService(IpvsTable table, VirtualServer vs, List<EndpointInfo> endpoints) {
        if (table.get(vs.key()) != null) {
            // two service ports on one address:port (e.g. an externalIP equal to a node IP with the same NodePort):
            // the first one wins, as kube-proxy's repeated syncService of the same virtual server does in effect
            return;
        }
        table.addVirtualServer(vs);
        for (EndpointInfo ep : endpoints) {
            table.addRealServer(vs, new RealServer(ep.ip(), ep.port(), 1));
        }
    }
}
