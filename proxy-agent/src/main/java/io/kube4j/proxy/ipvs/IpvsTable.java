package io.kube4j.proxy.ipvs;

import io.kube4j.proxy.model.Ipv4;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An IPVS table: virtual servers with their real servers, in a stable order (protocol, address, port). It is both
 * what the proxier wants (rendered from the Services) and what the kernel has (parsed from {@code ipvsadm -Sn}), so
 * that {@link IpvsTableDiff} can turn one into the other.
 */
public final class IpvsTable {

    /** ipvsadm's service-type option for a Kubernetes protocol. */
    static String protocolOption(String protocol) {
        return switch (protocol) {
            case "TCP" -> "-t";
            case "UDP" -> "-u";
            case "SCTP" -> "--sctp-service";
            default -> throw new IllegalArgumentException("IPVS has no virtual server type for protocol " + protocol);
        };
    }

    /**
     * One virtual server (kube-proxy's {@code utilipvs.VirtualServer}).
     *
     * @param protocol           TCP, UDP or SCTP
     * @param address            the IPv4 address (ClusterIP, externalIP, LB IP or node IP)
     * @param port               the port (service port, or NodePort on node IPs)
     * @param scheduler          the IPVS scheduler ({@code rr}, ...)
     * @param persistenceTimeout seconds of {@code -p} persistence (ClientIP affinity), 0 for none
     */
    public record VirtualServer(String protocol, String address, int port, String scheduler, int persistenceTimeout)
            implements Comparable<VirtualServer> {

        private static final Comparator<VirtualServer> ORDER = Comparator.comparing(VirtualServer::protocol)
                .thenComparingLong(v -> Ipv4.parse(v.address())).thenComparingInt(VirtualServer::port);

        public VirtualServer {
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(scheduler, "scheduler");
        }

        /** {@code address:port}. */
        public String endpoint() {
            return address + ":" + port;
        }

        /** Identity of the virtual server in the kernel: protocol, address and port (not its options). */
        public String key() {
            return protocol + "/" + endpoint();
        }

        /** ipvsadm's service selector: {@code -t 10.96.0.1:443}. */
        String selector() {
            return protocolOption(protocol) + " " + endpoint();
        }

        /** The options {@code -A}/{@code -E} set: {@code -s rr [-p 10800]}. */
        String options() {
            return "-s " + scheduler + (persistenceTimeout > 0 ? " -p " + persistenceTimeout : "");
        }

        /** Same identity and options. */
        boolean sameOptions(VirtualServer o) {
            return scheduler.equals(o.scheduler) && persistenceTimeout == o.persistenceTimeout;
        }

        @Override
        public int compareTo(VirtualServer o) {
            return ORDER.compare(this, o);
        }
    }

    /**
     * One real server (destination) of a virtual server; kube-proxy always uses masquerading ({@code -m}).
     *
     * @param address the endpoint's IP
     * @param port    the endpoint's port
     * @param weight  1 for a live endpoint, 0 while it drains (graceful termination)
     */
    public record RealServer(String address, int port, int weight) implements Comparable<RealServer> {

        private static final Comparator<RealServer> ORDER = Comparator.<RealServer>comparingLong(r -> Ipv4.parse(r.address()))
                .thenComparingInt(RealServer::port);

        public String endpoint() {
            return address + ":" + port;
        }

        /** Address and port in one number: the real servers' order and key within a virtual server. */
        public long key() {
            return (Ipv4.parse(address) << 16) | port;
        }

        @Override
        public int compareTo(RealServer o) {
            return ORDER.compare(this, o);
        }
    }

    /** A virtual server and its real servers keyed by {@link RealServer#key()}. */
    public record Service(VirtualServer virtualServer, SortedMap<Long, RealServer> realServers) {
    }

    private final SortedMap<VirtualServer, SortedMap<Long, RealServer>> services = new TreeMap<>();
    private final Map<String, VirtualServer> byKey = new java.util.HashMap<>();

    /** Adds (or replaces the options of) a virtual server; its real servers are kept. */
    public void addVirtualServer(VirtualServer vs) {
        VirtualServer old = byKey.put(vs.key(), vs);
        SortedMap<Long, RealServer> rs = old == null ? new TreeMap<>() : services.remove(old);
        services.put(vs, rs);
    }

    /** Adds a real server to a virtual server already in the table. */
    public void addRealServer(VirtualServer vs, RealServer rs) {
        VirtualServer known = byKey.get(vs.key());
        if (known == null) {
            throw new IllegalStateException("no virtual server " + vs.key() + " for real server " + rs.endpoint());
        }
        services.get(known).put(rs.key(), rs);
    }

    /** The virtual server with this identity ({@link VirtualServer#key()}), or null. */
    public Service get(String key) {
        VirtualServer vs = byKey.get(key);
        return vs == null ? null : new Service(vs, services.get(vs));
    }

    /** Every virtual server, in order. */
    public List<Service> services() {
        List<Service> out = new ArrayList<>(services.size());
        services.forEach((vs, rs) -> out.add(new Service(vs, rs)));
        return out;
    }

    public int virtualServerCount() {
        return services.size();
    }

    public int realServerCount() {
        return services.values().stream().mapToInt(Map::size).sum();
    }

    /** The table as {@code ipvsadm -Sn} prints it (and {@code ipvsadm --restore} reads it). */
    public String render() {
        StringBuilder b = new StringBuilder();
        for (Service s : services()) {
            b.append("-A ").append(s.virtualServer().selector()).append(' ').append(s.virtualServer().options()).append('\n');
            for (RealServer rs : s.realServers().values()) {
                b.append("-a ").append(s.virtualServer().selector()).append(" -r ").append(rs.endpoint())
                        .append(" -m -w ").append(rs.weight()).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * Parses {@code ipvsadm -Sn} output. Firewall-mark services ({@code -f}) are not kube-proxy's and are left out;
     * a line that cannot be read is an error naming it.
     */
    public static IpvsTable parseSave(String text) {
        IpvsTable t = new IpvsTable();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] tok = tokens(line);
            String cmd = tok[0];
            if (!cmd.equals("-A") && !cmd.equals("-a")) {
                throw new IllegalArgumentException("unexpected line in ipvsadm -Sn output: '" + line + "'");
            }
            String protocol = null;
            String vaddr = null;
            String raddr = null;
            String scheduler = "wlc"; // ipvsadm's own default
            int persistence = 0;
            int weight = 1;
            boolean fwmark = false;
            for (int i = 1; i < tok.length; i++) {
                switch (tok[i]) {
                    case "-t", "--tcp-service" -> { protocol = "TCP"; vaddr = tok[++i]; }
                    case "-u", "--udp-service" -> { protocol = "UDP"; vaddr = tok[++i]; }
                    case "--sctp-service" -> { protocol = "SCTP"; vaddr = tok[++i]; }
                    case "-f", "--fwmark-service" -> { fwmark = true; i++; }
                    case "-s", "--scheduler" -> scheduler = tok[++i];
                    case "-p", "--persistent" -> persistence = Integer.parseInt(tok[++i]);
                    case "-r", "--real-server" -> raddr = tok[++i];
                    case "-w", "--weight" -> weight = Integer.parseInt(tok[++i]);
                    case "-M", "--netmask", "-b", "--sched-flags", "-x", "--u-threshold", "-y", "--l-threshold",
                         "--pe", "-j", "--tun-type", "--tun-port" -> i++;
                    default -> { } // flags without a value: -m -g -i -o --tun-nocsum ...
                }
            }
            if (fwmark) {
                continue;
            }
            if (protocol == null || vaddr == null) {
                throw new IllegalArgumentException("no virtual service in ipvsadm -Sn line: '" + line + "'");
            }
            String[] vp = splitHostPort(vaddr, line);
            VirtualServer vs = new VirtualServer(protocol, vp[0], Integer.parseInt(vp[1]), scheduler, persistence);
            if (cmd.equals("-A")) {
                t.addVirtualServer(vs);
            } else {
                if (raddr == null) {
                    throw new IllegalArgumentException("no real server in ipvsadm -Sn line: '" + line + "'");
                }
                String[] rp = splitHostPort(raddr, line);
                VirtualServer known = t.byKey.get(vs.key());
                if (known == null) {
                    throw new IllegalArgumentException("real server before its virtual server in ipvsadm -Sn: '" + line + "'");
                }
                t.addRealServer(known, new RealServer(rp[0], Integer.parseInt(rp[1]), weight));
            }
        }
        return t;
    }

    private static String[] splitHostPort(String s, String line) {
        int colon = s.lastIndexOf(':');
        if (colon < 0 || !Ipv4.isValid(s.substring(0, colon))) {
            throw new IllegalArgumentException("not an IPv4 address:port ('" + s + "') in ipvsadm -Sn line: '" + line + "'");
        }
        return new String[] {s.substring(0, colon), s.substring(colon + 1)};
    }

    /** Whitespace-separated words (a plain scan; ipvsadm -Sn of 10,000 services has ~60,000 lines). */
    private static String[] tokens(String line) {
        List<String> out = new ArrayList<>(12);
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(line.substring(start, i));
            }
        }
        return out.toArray(new String[0]);
    }
}
