package io.kube4j.proxy.ipvs;

/** IPv4 address and CIDR helpers for the IPVS proxier (parsing, containment, the address classes kube-proxy skips). */
final class Ipv4 {

    private Ipv4() {
    }

    /** The address as an unsigned 32-bit value in a long; throws with a clear message when not dotted-quad IPv4. */
    static long parse(String ip) {
        // a plain scan: this runs in every comparison of the sorted tables (tens of thousands per sync)
        long v = 0;
        int octet = 0;
        int digits = 0;
        int dots = 0;
        for (int i = 0, n = ip.length(); i < n; i++) {
            char c = ip.charAt(i);
            if (c >= '0' && c <= '9') {
                octet = octet * 10 + (c - '0');
                if (++digits > 3 || octet > 255) {
                    throw notIpv4(ip);
                }
            } else if (c == '.' && digits > 0 && dots < 3) {
                v = (v << 8) | octet;
                octet = 0;
                digits = 0;
                dots++;
            } else {
                throw notIpv4(ip);
            }
        }
        if (dots != 3 || digits == 0) {
            throw notIpv4(ip);
        }
        return (v << 8) | octet;
    }

    private static IllegalArgumentException notIpv4(String ip) {
        return new IllegalArgumentException("not an IPv4 address: '" + ip + "'");
    }

    static boolean isValid(String ip) {
        try {
            parse(ip);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Validates {@code a.b.c.d/n}; throws naming the bad value. */
    static void validateCidr(String cidr) {
        cidrContains(cidr, "0.0.0.0");
    }

    /** True when {@code ip} lies in {@code cidr} ({@code a.b.c.d/n}). */
    static boolean cidrContains(String cidr, String ip) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an IPv4 CIDR (a.b.c.d/n): '" + cidr + "'");
        }
        long base;
        int bits;
        try {
            base = parse(cidr.substring(0, slash));
            bits = Integer.parseInt(cidr.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IPv4 CIDR (a.b.c.d/n): '" + cidr + "'");
        }
        if (bits < 0 || bits > 32) {
            throw new IllegalArgumentException("not an IPv4 CIDR (prefix length 0..32): '" + cidr + "'");
        }
        long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
        return (parse(ip) & mask) == (base & mask);
    }

    /** 127.0.0.0/8: never a NodePort virtual server address in IPVS mode. */
    static boolean isLoopback(String ip) {
        return (parse(ip) >>> 24) == 127;
    }

    /** 169.254.0.0/16: skipped as kube-proxy's address sets skip link-local addresses. */
    static boolean isLinkLocal(String ip) {
        return (parse(ip) >>> 16) == ((169L << 8) | 254);
    }
}
