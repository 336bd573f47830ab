package io.kube4j.node.runtime.hollow;

import java.util.BitSet;

/**
 * Hands out the host addresses of an IPv4 pod CIDR, lowest free first, skipping the network address, the gateway
 * ({@code .1}, as the Docker bridge takes it) and the broadcast address.
 */
public final class PodIpAllocator {

    private final int network;
    private final int size;
    private final BitSet used = new BitSet();

    public PodIpAllocator(String cidr) {
        String[] parts = cidr == null ? new String[0] : cidr.trim().split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("pod CIDR must look like 10.244.1.0/24, got '" + cidr + "'");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pod CIDR has a bad prefix length: '" + cidr + "'");
        }
        if (prefix < 8 || prefix > 30) {
            throw new IllegalArgumentException("pod CIDR prefix must be between /8 and /30, got '" + cidr + "'");
        }
        int addr = parseIpv4(parts[0], cidr);
        int mask = (int) (0xFFFFFFFFL << (32 - prefix));
        this.network = addr & mask;
        this.size = 1 << (32 - prefix);
    }

    static int parseIpv4(String ip, String context) {
        String[] o = ip.split("\\.");
        if (o.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + ip + "' in '" + context + "'");
        }
        int v = 0;
        for (String s : o) {
            int b;
            try {
                b = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: '" + ip + "' in '" + context + "'");
            }
            if (b < 0 || b > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + ip + "' in '" + context + "'");
            }
            v = (v << 8) | b;
        }
        return v;
    }

    static String format(int ip) {
        return ((ip >>> 24) & 0xFF) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF);
    }

    /** How many pod addresses the range holds. */
    public int capacity() {
        return size - 3;
    }

    /** The next free address; {@link IllegalStateException} when the range is exhausted. */
    public synchronized String allocate() {
        int i = used.nextClearBit(0);
        if (i >= capacity()) {
            throw new IllegalStateException("pod CIDR " + format(network) + "/" + (32 - Integer.numberOfTrailingZeros(size))
                    + " has no free address left (" + capacity() + " in use)");
        }
        used.set(i);
        return format(network + 2 + i);
    }

    /** Returns an address to the pool; addresses outside the range are ignored. */
    public synchronized void release(String ip) {
        if (ip == null || ip.isEmpty()) {
            return;
        }
        int i = parseIpv4(ip, ip) - network - 2;
        if (i >= 0 && i < capacity()) {
            used.clear(i);
        }
    }

    public synchronized int inUse() {
        return used.cardinality();
    }
}
