package io.kube4j.proxy.ipvs;

import io.kube4j.proxy.model.Ipv4;
import java.util.Collection;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The addresses of the dummy interface {@code kube-ipvs0}, which makes every VIP a local address so that IPVS (which
 * hooks LOCAL_IN) sees the packets: the {@code ip -batch} inputs that bind the missing ones and remove the stale ones
 * (kube-proxy's {@code EnsureAddressBind}/{@code UnbindAddress} over netlink; one {@code ip} process per batch here).
 */
public final class DummyDevice {

    private DummyDevice() {
    }

    /** {@code address add IP/32 dev kube-ipvs0} for every wanted address not bound yet; "" when none. */
    public static String bindInput(Collection<String> bound, Collection<String> wanted, String device) {
        Set<String> have = Set.copyOf(bound);
        StringBuilder b = new StringBuilder();
        for (String ip : sorted(wanted)) {
            if (!have.contains(ip)) {
                b.append("address add ").append(ip).append("/32 dev ").append(device).append('\n');
            }
        }
        return b.toString();
    }

    /** {@code address del IP/32 dev kube-ipvs0} for every bound address no longer wanted; "" when none. */
    public static String unbindInput(Collection<String> bound, Collection<String> wanted, String device) {
        Set<String> want = Set.copyOf(wanted);
        StringBuilder b = new StringBuilder();
        for (String ip : sorted(bound)) {
            if (!want.contains(ip)) {
                b.append("address del ").append(ip).append("/32 dev ").append(device).append('\n');
            }
        }
        return b.toString();
    }

    private static SortedSet<String> sorted(Collection<String> ips) {
        SortedSet<String> s = new TreeSet<>((a, b) -> Long.compare(Ipv4.parse(a), Ipv4.parse(b)));
        s.addAll(ips);
        return s;
    }
}
