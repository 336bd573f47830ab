package io.kube4j.proxy.ipvs;

import io.kube4j.proxy.model.Ipv4;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The node's IPv4 addresses as {@code ip -4 -o addr show} prints them, and the ones IPVS mode uses: NodePort virtual
 * servers go on every address except those of {@code kube-ipvs0}, loopback and link-local ones (kube-proxy's
 * {@code GetAllLocalAddressesExcept} + {@code isValidForSet}), optionally narrowed to {@code nodePortAddresses} CIDRs.
 */
public final class NodeAddresses {

    /** One address of one interface. */
    public record Address(String device, String ip) {
    }

    private NodeAddresses() {
    }

    /** Parses {@code ip -4 -o addr show [dev X]}: {@code 4: eth0    inet 192.0.2.2/24 brd ... scope global eth0\ ...}. */
    public static List<Address> parse(String text) {
        List<Address> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] tok = line.strip().split("\\s+");
            for (int i = 2; i + 1 < tok.length; i++) {
                if (tok[i].equals("inet")) {
                    String dev = tok[1];
                    int at = dev.indexOf('@');
                    dev = at >= 0 ? dev.substring(0, at) : dev;
                    String cidr = tok[i + 1];
                    int slash = cidr.indexOf('/');
                    out.add(new Address(dev, slash < 0 ? cidr : cidr.substring(0, slash)));
                    break;
                }
            }
        }
        return out;
    }

    /** Every address not on {@code except} (the set kube-proxy checks before binding an external IP to the dummy device). */
    public static SortedSet<String> allExcept(List<Address> addresses, String except) {
        SortedSet<String> out = new TreeSet<>();
        for (Address a : addresses) {
            if (!a.device().equals(except) && !Ipv4.isLinkLocal(a.ip()) && !Ipv4.isLoopback(a.ip())) {
                out.add(a.ip());
            }
        }
        return out;
    }

    /**
     * Addresses for NodePort virtual servers, sorted numerically.
     *
     * @param nodePortAddresses CIDRs to keep; empty keeps all
     */
    public static List<String> nodePortIPs(List<Address> addresses, String except, List<String> nodePortAddresses) {
        TreeSet<String> out = new TreeSet<>((a, b) -> Long.compare(Ipv4.parse(a), Ipv4.parse(b)));
        for (String ip : allExcept(addresses, except)) {
            if (nodePortAddresses.isEmpty() || nodePortAddresses.stream().anyMatch(c -> Ipv4.cidrContains(c, ip))) {
                out.add(ip);
            }
        }
        return List.copyOf(out);
    }
}
