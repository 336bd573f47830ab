package io.kube4j.addons.dns;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.xbill.DNS.ResolverConfig;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster DNS add-on, {@code kube4j.dns.*}: CoreDNS's Corefile for the kubernetes, forward and cache-less setup
 * kube4j runs.
 *
 * @param clusterDomain   the cluster zone ({@code cluster.local}, the kubelet's {@code --cluster-domain})
 * @param ttl             the TTL of every answer and of negative answers (CoreDNS's default, 5 s)
 * @param cell            the Borg Name Service cell: names end in {@code .<cell>.bns}
 * @param bindAddress     where UDP and TCP listen
 * @param port            DNS port (53 needs root or CAP_NET_BIND_SERVICE; 0: any free port)
 * @param upstreams       resolvers for every other name, {@code host} or {@code host:port} (empty: the
 *                        nameservers of the host's {@code /etc/resolv.conf}, as CoreDNS's {@code forward . /etc/resolv.conf})
 * @param upstreamTimeout how long one forwarded question may take
 * @param udpWorkers      threads serving the UDP socket (0: one per CPU)
 * @param resyncPeriod    how often the informers re-deliver their caches (0: never)
 * @param publish         the Service {@code kube-system/kube-dns} and its endpoints, published by this server
 */
@ConfigurationProperties("kube4j.dns")
public record DnsProperties(
        @DefaultValue("cluster.local") String clusterDomain,
        @DefaultValue("5s") Duration ttl,
        @DefaultValue("local") String cell,
        @DefaultValue("0.0.0.0") String bindAddress,
        @DefaultValue("53") int port,
        @DefaultValue List<String> upstreams,
        @DefaultValue("2s") Duration upstreamTimeout,
        @DefaultValue("0") int udpWorkers,
        @DefaultValue("0s") Duration resyncPeriod,
        @DefaultValue Publish publish) {

    /**
     * {@code kube4j.dns.publish.*}: publishing the DNS as the Service {@code kube-dns}, as kube-apiserver publishes
     * {@code kubernetes} ({@link ServicePublisher}).
     *
     * @param enabled   whether to create or correct the Service, Endpoints and EndpointSlice at start
     * @param address   where pods reach this server (the Endpoints' address); empty: the InternalIP of
     *                  {@code node} as its node agent reports it
     * @param node      the node whose InternalIP to publish (empty: the first node, by name, that has one)
     * @param clusterIp the Service's ClusterIP: the 10th address of the service CIDR, what node agents have as
     *                  {@code kube4j.node.cluster-dns}
     * @param namespace the Service's namespace
     * @param name      the Service's name
     */
    public record Publish(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("") String address,
            @DefaultValue("") String node,
            @DefaultValue("10.96.0.10") String clusterIp,
            @DefaultValue("kube-system") String namespace,
            @DefaultValue("kube-dns") String name) {
    }

    public DnsProperties {
        if (ttl.isNegative() || ttl.toSeconds() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("kube4j.dns.ttl must be between 0 and 2^31 s, not " + ttl);
        }
        if (cell.isBlank() || cell.contains(".")) {
            throw new IllegalArgumentException("kube4j.dns.cell must be one DNS label, not '" + cell + "'");
        }
        ZoneBuilder.absolute(clusterDomain); // fails with the value when it is no DNS name
    }

    /** The upstream resolvers: the configured ones, or the host's. */
    public List<InetSocketAddress> upstreamAddresses() {
        if (upstreams.isEmpty()) {
            return List.copyOf(ResolverConfig.getCurrentConfig().servers());
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (String u : upstreams) {
            int colon = u.lastIndexOf(':');
            boolean hasPort = colon > 0 && u.indexOf(':') == colon; // an IPv6 address without brackets has several
            String host = hasPort ? u.substring(0, colon) : u.replace("[", "").replace("]", "");
            if (u.startsWith("[") && u.contains("]:")) {
                host = u.substring(1, u.indexOf("]:"));
                hasPort = true;
                colon = u.indexOf("]:") + 1;
            }
            int port = hasPort ? Integer.parseInt(u.substring(colon + 1)) : 53;
            out.add(new InetSocketAddress(host, port));
        }
        return out;
    }

    public int effectiveUdpWorkers() {
        return udpWorkers > 0 ? udpWorkers : Runtime.getRuntime().availableProcessors();
    }
}
