package io.kube4j.apiserver.allocation;

import io.kube4j.apiserver.storage.Storage;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The ClusterIP and NodePort allocators of Services, built from the configured ranges. */
public final class ServiceAllocators {

    private final RangeAllocator clusterIps;
    private final RangeAllocator nodePorts;
    private final long networkBase;
    private final int prefixLength;
    private final String cidr;
    private final String portRange;

    public ServiceAllocators(Storage storage, String serviceCidr, String nodePortRange) {
        this.cidr = serviceCidr;
        this.portRange = nodePortRange;
        String[] c = serviceCidr.split("/");
        if (c.length != 2) {
            throw new IllegalArgumentException("service CIDR must look like 10.96.0.0/12, got " + serviceCidr);
        }
        prefixLength = Integer.parseInt(c[1]);
        if (prefixLength < 8 || prefixLength > 30) {
            throw new IllegalArgumentException("service CIDR prefix must be between /8 and /30: " + serviceCidr);
        }
        long mask = prefixLength == 0 ? 0 : (0xffffffffL << (32 - prefixLength)) & 0xffffffffL;
        networkBase = ipv4(c[0]) & mask;
        long hosts = 1L << (32 - prefixLength);
        // Skip the network address and the first address (kept for the `kubernetes` Service, as Kubernetes
        // does) and the broadcast address.
        clusterIps = new RangeAllocator(storage, "/registry/ranges/serviceips/", networkBase + 2, hosts - 3,
                new RangeAllocator.Format() {
                    public String format(long m) {
                        return ipv4(m);
                    }

                    public long parse(String t) {
                        return ipv4(t);
                    }
                }, "service IPs " + serviceCidr);
        String[] p = nodePortRange.split("-");
        int from = Integer.parseInt(p[0].trim());
        int to = Integer.parseInt(p[1].trim());
        if (from < 1 || to > 65535 || from > to) {
            throw new IllegalArgumentException("invalid node port range " + nodePortRange);
        }
        nodePorts = new RangeAllocator(storage, "/registry/ranges/servicenodeports/", from, to - from + 1,
                new RangeAllocator.Format() {
                    public String format(long m) {
                        return Long.toString(m);
                    }

                    public long parse(String t) {
                        return Long.parseLong(t);
                    }
                }, "node ports " + nodePortRange);
    }

    public RangeAllocator clusterIps() {
        return clusterIps;
    }

    public RangeAllocator nodePorts() {
        return nodePorts;
    }

    public String serviceCidr() {
        return cidr;
    }

    public String nodePortRange() {
        return portRange;
    }

    /** The reserved first address of the range (the `kubernetes` Service's). */
    public String firstAddress() {
        return ipv4(networkBase + 1);
    }

    public static long ipv4(String text) {
        try {
            InetAddress a = InetAddress.getByName(text);
            byte[] b = a.getAddress();
            if (b.length != 4 || !text.matches("[0-9.]+")) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv4 address: " + text, e);
        }
    }

    public static String ipv4(long v) {
        return ((v >> 24) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 8) & 0xff) + "." + (v & 0xff);
    }
}
