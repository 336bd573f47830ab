package io.kube4j.proxy.model;

import java.util.List;

/**
 * What a proxy mode needs to know of one Service port (kube-proxy's {@code proxy.ServicePort}), already
 * validated and normalised from the Service object: headless Services ({@code clusterIP: None}) and
 * {@code ExternalName} Services never become a {@code ServicePortInfo}.
 *
 * @param name                     which Service port this is
 * @param type                     {@code ClusterIP}, {@code NodePort} or {@code LoadBalancer}
 * @param clusterIP                the Service's (IPv4) ClusterIP
 * @param port                     the Service port number
 * @param protocol                 {@code TCP}, {@code UDP} or {@code SCTP} (same as {@code name.protocol()})
 * @param nodePort                 the NodePort, 0 when the Service has none
 * @param externalIPs              {@code spec.externalIPs} (IPv4 only), never null
 * @param loadBalancerIPs          {@code status.loadBalancer.ingress[].ip}, never null
 * @param clientIPAffinity         {@code sessionAffinity: ClientIP}
 * @param stickyMaxAgeSeconds      {@code sessionAffinityConfig.clientIP.timeoutSeconds} (default 10800) when affinity is on
 * @param externalPolicyLocal      {@code externalTrafficPolicy: Local} (only meaningful for NodePort/LoadBalancer)
 * @param internalPolicyLocal      {@code internalTrafficPolicy: Local}
 * @param healthCheckNodePort      {@code spec.healthCheckNodePort}, 0 when none
 */
public record ServicePortInfo(
        ServicePortName name,
        String type,
        String clusterIP,
        int port,
        String protocol,
        int nodePort,
        List<String> externalIPs,
        List<String> loadBalancerIPs,
        boolean clientIPAffinity,
        int stickyMaxAgeSeconds,
        boolean externalPolicyLocal,
        boolean internalPolicyLocal,
        int healthCheckNodePort) {

    /** Kubernetes' default {@code sessionAffinityConfig.clientIP.timeoutSeconds} (3 hours). */
    public static final int DEFAULT_STICKY_MAX_AGE_SECONDS = 10800;

    public ServicePortInfo {
        externalIPs = externalIPs == null ? List.of() : List.copyOf(externalIPs);
        loadBalancerIPs = loadBalancerIPs == null ? List.of() : List.copyOf(loadBalancerIPs);
        protocol = protocol == null || protocol.isEmpty() ? name.protocol() : protocol;
    }

    /** True when traffic may arrive from outside the cluster: a NodePort, externalIPs or load-balancer IPs. */
    public boolean externallyAccessible() {
        return nodePort > 0 || !externalIPs.isEmpty() || !loadBalancerIPs.isEmpty();
    }

    /** True when traffic arriving from outside the cluster (NodePort, externalIPs, LB IPs) may use only local endpoints. */
    public boolean externallyAccessibleLocalOnly() {
        return externalPolicyLocal && externallyAccessible();
    }
}
