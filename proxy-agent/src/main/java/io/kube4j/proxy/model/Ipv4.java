package io.kube4j.proxy.model;

/**
 * IPv4 addresses and CIDRs for every proxy mode and the configuration: parsing without name resolution
 * ({@code InetAddress.getByName} would resolve host names), containment, and the address classes kube-proxy skips.
 * kube4j's proxy is single-stack IPv4, as a single-stack IPv4 kube-proxy is.
 */
public final class Ipv4 {

    private Ipv4() {
    }

    /** The address as an unsigned 32-bit value in a long; throws with a clear message when not dotted-quad IPv4. */
    public static long parse(String ip) {
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

    public static boolean isValid(String ip) {
        if (ip == null) {
            return false;
        }
        try {
            parse(ip);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * True for IPv4 as the API writes it: dotted-quad without leading zeros (as Go's ParseIP, which rejects
     * {@code 010.0.0.1}); the trackers keep only such addresses from Services and EndpointSlices.
     */
    public static boolean isCanonical(String ip) {
        if (!isValid(ip)) {
            return false;
        }
        for (String part : ip.split("\\.")) {
            if (part.length() > 1 && part.charAt(0) == '0') {
                return false;
            }
        }
        return true;
    }

    /** True for {@code a.b.c.d/n} with n in 0..32 ({@link #validateCidr} accepts it). */
    public static boolean isValidCidr(String cidr) {
        try {
            validateCidr(cidr);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Validates {@code a.b.c.d/n}; throws naming the bad value. */
    public static void validateCidr(String cidr) {
        cidrContains(cidr, "0.0.0.0");
    }

    /** True when {@code ip} lies in {@code cidr} ({@code a.b.c.d/n}). */
    public static boolean cidrContains(String cidr, String ip) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an IPv4 CIDR (a.b.c.d/n): '" + cidr + "'");
        }
        long base;
        int bits;
        String prefix = cidr.substring(slash + 1);
        try {
            base = parse(cidr.substring(0, slash));
            if (prefix.isEmpty() || prefix.length() > 2 || !Character.isDigit(prefix.charAt(0))
                    || !Character.isDigit(prefix.charAt(prefix.length() - 1))) {
                throw new IllegalArgumentException(prefix);
            }
            bits = Integer.parseInt(prefix);
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
    public static boolean isLoopback(String ip) {
        return (parse(ip) >>> 24) == 127;
    }

    /** 169.254.0.0/16: skipped as kube-proxy's address sets skip link-local addresses. */
    public static boolean isLinkLocal(String ip) {
        return (parse(ip) >>> 16) == ((169L << 8) | 254);
    }
}
