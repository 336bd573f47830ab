package io.kube4j.proxy.tracker;

/**
 * Strict dotted-quad IPv4 recognition without name resolution ({@code InetAddress.getByName} would resolve host
 * names): the trackers keep IPv4 addresses only, as a single-stack IPv4 kube-proxy does.
 */
final class Ipv4 {

    private Ipv4() {
    }

    /** True for {@code a.b.c.d} with each part 0..255 in plain decimal (no leading zeros, as Go's ParseIP). */
    static boolean isIpv4(String s) {
        if (s == null || s.isEmpty() || s.length() > 15) {
            return false;
        }
        int parts = 0;
        int i = 0;
        while (i <= s.length()) {
            int start = i;
            int value = 0;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            int len = i - start;
            if (len == 0 || len > 3 || value > 255 || (len > 1 && s.charAt(start) == '0')) {
                return false;
            }
            parts++;
            if (i == s.length()) {
                break;
            }
            if (s.charAt(i) != '.') {
                return false;
            }
            i++;
        }
        return parts == 4;
    }
}
