package io.kube4j.proxy.tracker;

import io.kube4j.proxy.model.Ipv4;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a Service object into the {@link ServicePortInfo}s a proxy mode programs, one per spec port (kube-proxy's
 * {@code ServiceChangeTracker.serviceToServiceMap} and {@code newBaseServiceInfo}).
 *
 * <p>Rules, as kube-proxy applies them: headless ({@code clusterIP} None or empty) and {@code ExternalName}
 * Services have no ports; only the IPv4 ClusterIP is used (a Service without one is skipped, as a single-stack
 * IPv4 kube-proxy skips IPv6 Services); externalIPs and load-balancer ingress IPs are kept when IPv4 (ingress IPs
 * with {@code ipMode: Proxy} are left to the load balancer); {@code externalTrafficPolicy: Local} counts only for
 * externally accessible Services (NodePort, LoadBalancer, or ClusterIP with externalIPs); the health check node
 * port only for LoadBalancer Services with that policy.
 */
public final class ServicePorts {

    /** Label that gives a Service (or its slices) to another proxy: kube-proxy ignores such objects. */
    public static final String SERVICE_PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";

    private static final Logger log = LoggerFactory.getLogger(ServicePorts.class);

    private ServicePorts() {
    }

    /** The Service's ports keyed by name, sorted; empty when kube-proxy would not program the Service at all. */
    public static Map<ServicePortName, ServicePortInfo> of(Service svc) {
        Map<ServicePortName, ServicePortInfo> out = new TreeMap<>();
        if (svc == null || svc.getSpec() == null || svc.getMetadata() == null || ignored(svc)) {
            return out;
        }
        ServiceSpec spec = svc.getSpec();
        String ns = svc.getMetadata().getNamespace();
        String name = svc.getMetadata().getName();
        String type = spec.getType() == null || spec.getType().isEmpty() ? "ClusterIP" : spec.getType();
        if ("ExternalName".equals(type)) {
            return out;
        }
        String clusterIP = ipv4ClusterIP(spec);
        if (clusterIP == null) {
            return out;
        }
        List<String> externalIPs = new ArrayList<>();
        if (spec.getExternalIPs() != null) {
            for (String ip : spec.getExternalIPs()) {
                if (Ipv4.isCanonical(ip)) {
                    externalIPs.add(ip);
                }
            }
        }
        List<String> lbIPs = new ArrayList<>();
        if (svc.getStatus() != null && svc.getStatus().getLoadBalancer() != null
                && svc.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress ing : svc.getStatus().getLoadBalancer().getIngress()) {
                if (ing != null && Ipv4.isCanonical(ing.getIp()) && !"Proxy".equals(ing.getIpMode())) {
                    lbIPs.add(ing.getIp());
                }
            }
        }
        boolean affinity = "ClientIP".equals(spec.getSessionAffinity());
        int stickySeconds = 0;
        if (affinity) {
            stickySeconds = ServicePortInfo.DEFAULT_STICKY_MAX_AGE_SECONDS;
            if (spec.getSessionAffinityConfig() != null && spec.getSessionAffinityConfig().getClientIP() != null
                    && spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() != null) {
                stickySeconds = spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
            }
        }
        boolean externallyAccessible = "LoadBalancer".equals(type) || "NodePort".equals(type)
                || ("ClusterIP".equals(type) && !externalIPs.isEmpty());
        boolean externalLocal = externallyAccessible && "Local".equals(spec.getExternalTrafficPolicy());
        boolean internalLocal = "Local".equals(spec.getInternalTrafficPolicy());
        int healthCheckNodePort = "LoadBalancer".equals(type) && externalLocal && spec.getHealthCheckNodePort() != null
                ? spec.getHealthCheckNodePort() : 0;
        if (spec.getPorts() == null) {
            return out;
        }
        for (ServicePort p : spec.getPorts()) {
            if (p == null || p.getPort() == null || p.getPort() <= 0 || p.getPort() > 65535) {
                log.warn("ignoring invalid port {} of Service {}/{}", p, ns, name);
                continue;
            }
            String protocol = p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
            ServicePortName spn = new ServicePortName(ns, name, p.getName(), protocol);
            int nodePort = p.getNodePort() == null ? 0 : p.getNodePort();
            out.put(spn, new ServicePortInfo(spn, type, clusterIP, p.getPort(), protocol, nodePort, externalIPs, lbIPs,
                    affinity, stickySeconds, externalLocal, internalLocal, healthCheckNodePort));
        }
        return out;
    }

    /** True for objects labelled for another service proxy. */
    static boolean ignored(io.fabric8.kubernetes.api.model.HasMetadata obj) {
        Map<String, String> labels = obj.getMetadata() == null ? null : obj.getMetadata().getLabels();
        return labels != null && labels.containsKey(SERVICE_PROXY_NAME_LABEL);
    }

    private static String ipv4ClusterIP(ServiceSpec spec) {
        String primary = spec.getClusterIP();
        if (primary == null || primary.isEmpty() || "None".equals(primary)) {
            return null;
        }
        if (Ipv4.isCanonical(primary)) {
            return primary;
        }
        if (spec.getClusterIPs() != null) {
            for (String ip : spec.getClusterIPs()) {
                if (Ipv4.isCanonical(ip)) {
                    return ip;
                }
            }
        }
        return null;
    }
}
