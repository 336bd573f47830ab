package io.kube4j.controller.endpoint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;

/**
 * The canonical layout of {@code Endpoints.subsets} (Kubernetes' {@code endpoints.RepackSubsets}): addresses that
 * offer the same ports share one subset, everything sorted, so two equal address sets compare equal however they were
 * written; and the over-capacity truncation of {@code endpoints_controller.go}.
 */
public final class EndpointSubsets {

    /** Kubernetes' {@code maxCapacity}: at most this many addresses in one Endpoints object. */
    public static final int MAX_CAPACITY = 1000;
    /** Set to {@code truncated} when addresses were dropped ({@code v1.EndpointsOverCapacity}). */
    public static final String OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity";

    /** One address with its readiness and the ports it offers (empty: a headless service without ports). */
    public record Entry(EndpointAddress address, boolean ready, List<EndpointPort> ports) {
    }

    private static final EndpointPort NO_PORT = new EndpointPortBuilder().withPort(-1).build();

    private EndpointSubsets() {
    }

    /** Packs entries into canonical subsets. */
    public static List<EndpointSubset> pack(List<Entry> entries) {
        Map<String, EndpointAddress> addresses = new TreeMap<>();
        // port → address key → ready
        Map<PortKey, TreeMap<String, Boolean>> byPort = new TreeMap<>();
        for (Entry e : entries) {
            EndpointAddress a = copy(e.address());
            String key = addressKey(a);
            addresses.putIfAbsent(key, a);
            List<EndpointPort> ports = e.ports().isEmpty() ? List.of(NO_PORT) : e.ports();
            for (EndpointPort p : ports) {
                TreeMap<String, Boolean> set = byPort.computeIfAbsent(PortKey.of(p), k -> new TreeMap<>());
                // an address ready on any port is ready (never both in one pod's entries)
                set.merge(key, e.ready(), Boolean::logicalOr);
            }
        }
        Map<TreeMap<String, Boolean>, List<EndpointPort>> grouped = new LinkedHashMap<>();
        for (Map.Entry<PortKey, TreeMap<String, Boolean>> e : byPort.entrySet()) {
            List<EndpointPort> ports = grouped.computeIfAbsent(e.getValue(), k -> new ArrayList<>());
            if (e.getKey().port() > 0) {
                ports.add(e.getKey().toPort());
            }
        }
        List<EndpointSubset> out = new ArrayList<>();
        for (Map.Entry<TreeMap<String, Boolean>, List<EndpointPort>> g : grouped.entrySet()) {
            List<EndpointAddress> ready = new ArrayList<>();
            List<EndpointAddress> notReady = new ArrayList<>();
            for (Map.Entry<String, Boolean> a : g.getKey().entrySet()) {
                (a.getValue() ? ready : notReady).add(addresses.get(a.getKey()));
            }
            ready.sort(ADDRESS_ORDER);
            notReady.sort(ADDRESS_ORDER);
            EndpointSubset s = new EndpointSubset();
            s.setAddresses(ready);
            s.setNotReadyAddresses(notReady);
            s.setPorts(g.getValue());
            out.add(s);
        }
        out.sort(Comparator.comparing(EndpointSubsets::subsetKey));
        return out;
    }

    /** Existing subsets (as stored, possibly written by someone else) in canonical layout, for comparison. */
    public static List<EndpointSubset> repack(List<EndpointSubset> subsets) {
        List<Entry> entries = new ArrayList<>();
        if (subsets != null) {
            for (EndpointSubset s : subsets) {
                List<EndpointPort> ports = s.getPorts() == null ? List.of() : s.getPorts();
                if (s.getAddresses() != null) {
                    s.getAddresses().forEach(a -> entries.add(new Entry(a, true, ports)));
                }
                if (s.getNotReadyAddresses() != null) {
                    s.getNotReadyAddresses().forEach(a -> entries.add(new Entry(a, false, ports)));
                }
            }
        }
        return pack(entries);
    }

    public static int count(List<EndpointSubset> subsets) {
        int n = 0;
        for (EndpointSubset s : subsets) {
            n += size(s.getAddresses()) + size(s.getNotReadyAddresses());
        }
        return n;
    }

    /**
     * {@code truncateEndpoints}: above {@link #MAX_CAPACITY} addresses, keeps ready addresses first, spreading the
     * allowance over the subsets in proportion to their size. Returns whether anything was dropped.
     */
    public static boolean truncate(List<EndpointSubset> subsets) {
        int totalReady = 0;
        int totalNotReady = 0;
        for (EndpointSubset s : subsets) {
            totalReady += size(s.getAddresses());
            totalNotReady += size(s.getNotReadyAddresses());
        }
        if (totalReady + totalNotReady <= MAX_CAPACITY) {
            return false;
        }
        boolean truncateReady = totalReady > MAX_CAPACITY;
        int max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady;
        int numTotal = truncateReady ? totalReady : totalNotReady;
        int canBeAdded = max;
        for (EndpointSubset s : subsets) {
            int inSubset = truncateReady ? size(s.getAddresses()) : size(s.getNotReadyAddresses());
            int toBeAdded = (int) Math.ceil(((double) inSubset / numTotal) * max);
            toBeAdded = Math.min(toBeAdded, canBeAdded);
            if (truncateReady) {
                s.setAddresses(first(s.getAddresses(), toBeAdded));
                s.setNotReadyAddresses(new ArrayList<>());
                canBeAdded -= size(s.getAddresses());
            } else {
                s.setNotReadyAddresses(first(s.getNotReadyAddresses(), toBeAdded));
                canBeAdded -= size(s.getNotReadyAddresses());
            }
        }
        return true;
    }

    private static List<EndpointAddress> first(List<EndpointAddress> l, int n) {
        if (l == null) {
            return new ArrayList<>();
        }
        return l.size() <= n ? l : new ArrayList<>(l.subList(0, n));
    }

    private static int size(List<?> l) {
        return l == null ? 0 : l.size();
    }

    private static final Comparator<EndpointAddress> ADDRESS_ORDER = Comparator
            .comparing((EndpointAddress a) -> ipOrder(a.getIp()))
            .thenComparing(a -> a.getTargetRef() == null ? "" : Objects.toString(a.getTargetRef().getUid(), ""));

    /** IPv4 addresses sort numerically; anything else after them, as text. */
    private static String ipOrder(String ip) {
        if (ip != null && PodEndpoints.isIpv4(ip)) {
            StringBuilder b = new StringBuilder();
            for (String p : ip.split("\\.")) {
                b.append(String.format("%03d", Integer.parseInt(p)));
            }
            return b.toString();
        }
        return "~" + ip;
    }

    private static String addressKey(EndpointAddress a) {
        String uid = a.getTargetRef() == null ? "" : Objects.toString(a.getTargetRef().getUid(), "");
        return ipOrder(a.getIp()) + "/" + uid;
    }

    private static String subsetKey(EndpointSubset s) {
        EndpointAddress first = !s.getAddresses().isEmpty() ? s.getAddresses().get(0)
                : s.getNotReadyAddresses().isEmpty() ? null : s.getNotReadyAddresses().get(0);
        StringBuilder b = new StringBuilder(first == null ? "" : addressKey(first));
        for (EndpointPort p : s.getPorts()) {
            b.append('|').append(PortKey.of(p));
        }
        return b.toString();
    }

    /** A copy without the target's resourceVersion, which Kubernetes ignores when comparing. */
    private static EndpointAddress copy(EndpointAddress a) {
        ObjectReference ref = a.getTargetRef() == null ? null : new ObjectReferenceBuilder()
                .withKind(a.getTargetRef().getKind()).withNamespace(a.getTargetRef().getNamespace())
                .withName(a.getTargetRef().getName()).withUid(a.getTargetRef().getUid()).build();
        return new EndpointAddressBuilder().withIp(a.getIp()).withHostname(PodEndpoints.emptyToNull(a.getHostname()))
                .withNodeName(PodEndpoints.emptyToNull(a.getNodeName())).withTargetRef(ref).build();
    }

    private record PortKey(String name, int port, String protocol, String appProtocol) implements Comparable<PortKey> {

        static PortKey of(EndpointPort p) {
            return new PortKey(Objects.toString(p.getName(), ""), p.getPort() == null ? 0 : p.getPort(),
                    PodEndpoints.protocol(p.getProtocol()), Objects.toString(p.getAppProtocol(), ""));
        }

        EndpointPort toPort() {
            return new EndpointPortBuilder().withName(name.isEmpty() ? null : name).withPort(port)
                    .withProtocol(protocol).withAppProtocol(appProtocol.isEmpty() ? null : appProtocol).build();
        }

        @Override
        public int compareTo(PortKey o) {
            return Comparator.comparing(PortKey::name).thenComparingInt(PortKey::port)
                    .thenComparing(PortKey::protocol).thenComparing(PortKey::appProtocol).compare(this, o);
        }

        @Override
        public String toString() {
            return name + ":" + port + "/" + protocol + "/" + appProtocol;
        }
    }
}
