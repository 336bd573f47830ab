package io.kube4j.proxy.iptables;

import io.kube4j.proxy.model.Ipv4;

/**
 * An IPv4 CIDR ({@code 10.244.0.0/16}), parsed strictly so that a typo in the configuration fails at start-up with
 * a message instead of producing rules iptables-restore rejects at every sync.
 *
 * @param text   the CIDR as configured
 * @param base   the network address as a 32-bit number
 * @param prefix the prefix length (0..32)
 */
record Ipv4Cidr(String text, int base, int prefix) {

    static Ipv4Cidr parse(String what, String cidr) {
        if (cidr == null || cidr.isBlank()) {
            throw new IllegalArgumentException(what + ": empty CIDR");
        }
        String s = cidr.strip();
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(what + ": '" + cidr + "' is not an IPv4 CIDR (a.b.c.d/n)");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": '" + cidr + "' has no valid prefix length");
        }
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException(what + ": prefix length of '" + cidr + "' must be 0..32");
        }
        int addr = parseAddress(what, s.substring(0, slash));
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return new Ipv4Cidr(s, addr & mask, prefix);
    }

    static int parseAddress(String what, String ip) {
        try {
            return (int) Ipv4.parse(ip);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": '" + ip + "' is not an IPv4 address");
        }
    }

    boolean contains(String ip) {
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return (parseAddress("address", ip) & mask) == base;
    }

    @Override
    public String toString() {
        return text;
    }
}
