package io.kube4j.proxy.ipvs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The ipsets of IPVS mode (kube-proxy's {@code ipsetInfo}, names, types and comments as kube-proxy has them) and the
 * {@code ipset restore} input that makes the kernel's sets hold exactly the wanted entries: every set created with
 * {@code -exist}, then stale entries deleted and missing ones added (kube-proxy's {@code syncIPSetEntries}; a diff
 * rather than flush-and-refill so that no packet ever meets a half-filled set).
 */
public final class IpSets {

    public static final String LOOP_BACK = "KUBE-LOOP-BACK";
    public static final String CLUSTER_IP = "KUBE-CLUSTER-IP";
    public static final String EXTERNAL_IP = "KUBE-EXTERNAL-IP";
    public static final String EXTERNAL_IP_LOCAL = "KUBE-EXTERNAL-IP-LOCAL";
    public static final String LOAD_BALANCER = "KUBE-LOAD-BALANCER";
    public static final String LOAD_BALANCER_FW = "KUBE-LOAD-BALANCER-FW";
    public static final String LOAD_BALANCER_LOCAL = "KUBE-LOAD-BALANCER-LOCAL";
    public static final String LOAD_BALANCER_SOURCE_IP = "KUBE-LOAD-BALANCER-SOURCE-IP";
    public static final String LOAD_BALANCER_SOURCE_CIDR = "KUBE-LOAD-BALANCER-SOURCE-CIDR";
    public static final String NODE_PORT_TCP = "KUBE-NODE-PORT-TCP";
    public static final String NODE_PORT_LOCAL_TCP = "KUBE-NODE-PORT-LOCAL-TCP";
    public static final String NODE_PORT_UDP = "KUBE-NODE-PORT-UDP";
    public static final String NODE_PORT_LOCAL_UDP = "KUBE-NODE-PORT-LOCAL-UDP";
    public static final String NODE_PORT_SCTP = "KUBE-NODE-PORT-SCTP-HASH";
    public static final String NODE_PORT_LOCAL_SCTP = "KUBE-NODE-PORT-LOCAL-SCTP-HASH";
    public static final String HEALTH_CHECK_NODE_PORT = "KUBE-HEALTH-CHECK-NODE-PORT";
    public static final String IPVS_IPS = "KUBE-IPVS-IPS";

    /**
     * One set.
     *
     * @param name    its name
     * @param type    ipset type ({@code hash:ip,port}, {@code bitmap:port}, ...)
     * @param comment the comment kube-proxy puts on the iptables rules that match it
     */
    public record SetInfo(String name, String type, String comment) {

        /** kube-proxy's {@code createSet} arguments: hash sets {@code family inet hashsize 1024 maxelem 65536}, bitmap:port {@code range 0-65535}. */
        public String createLine() {
            if (type.equals("bitmap:port")) {
                return "create " + name + " " + type + " range 0-65535";
            }
            return "create " + name + " " + type + " family inet hashsize 1024 maxelem 65536";
        }
    }

    /** Every set, in kube-proxy's order. */
    public static final List<SetInfo> ALL = List.of(
            new SetInfo(LOOP_BACK, "hash:ip,port,ip", "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose"),
            new SetInfo(CLUSTER_IP, "hash:ip,port", "Kubernetes service cluster ip + port for masquerade purpose"),
            new SetInfo(EXTERNAL_IP, "hash:ip,port", "Kubernetes service external ip + port for masquerade and filter purpose"),
            new SetInfo(EXTERNAL_IP_LOCAL, "hash:ip,port", "Kubernetes service external ip + port with externalTrafficPolicy=local"),
            new SetInfo(LOAD_BALANCER, "hash:ip,port", "Kubernetes service lb portal"),
            new SetInfo(LOAD_BALANCER_FW, "hash:ip,port", "Kubernetes service load balancer ip + port for load balancer with sourceRange"),
            new SetInfo(LOAD_BALANCER_LOCAL, "hash:ip,port", "Kubernetes service load balancer ip + port with externalTrafficPolicy=local"),
            new SetInfo(LOAD_BALANCER_SOURCE_IP, "hash:ip,port,ip", "Kubernetes service load balancer ip + port + source IP for packet filter purpose"),
            new SetInfo(LOAD_BALANCER_SOURCE_CIDR, "hash:ip,port,net", "Kubernetes service load balancer ip + port + source cidr for packet filter purpose"),
            new SetInfo(NODE_PORT_TCP, "bitmap:port", "Kubernetes nodeport TCP port for masquerade purpose"),
            new SetInfo(NODE_PORT_LOCAL_TCP, "bitmap:port", "Kubernetes nodeport TCP port with externalTrafficPolicy=local"),
            new SetInfo(NODE_PORT_UDP, "bitmap:port", "Kubernetes nodeport UDP port for masquerade purpose"),
            new SetInfo(NODE_PORT_LOCAL_UDP, "bitmap:port", "Kubernetes nodeport UDP port with externalTrafficPolicy=local"),
            new SetInfo(NODE_PORT_SCTP, "hash:ip,port", "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'"),
            new SetInfo(NODE_PORT_LOCAL_SCTP, "hash:ip,port", "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'"),
            new SetInfo(HEALTH_CHECK_NODE_PORT, "bitmap:port", "Kubernetes health check node port"),
            new SetInfo(IPVS_IPS, "hash:ip", "Addresses on the ipvs interface"));

    private static final Map<String, SetInfo> BY_NAME;

    static {
        Map<String, SetInfo> m = new LinkedHashMap<>();
        ALL.forEach(s -> m.put(s.name(), s));
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private final Map<String, SortedSet<String>> entries = new LinkedHashMap<>();

    /** Empty sets, one per {@link #ALL}. */
    public IpSets() {
        ALL.forEach(s -> entries.put(s.name(), new TreeSet<>()));
    }

    public static SetInfo info(String name) {
        SetInfo s = BY_NAME.get(name);
        if (s == null) {
            throw new IllegalArgumentException("not an IPVS-mode ipset: " + name);
        }
        return s;
    }

    /** Adds an entry in ipset's own spelling ({@code 10.96.0.1,tcp:80}, {@code 30080}, ...). */
    public void add(String set, String entry) {
        info(set);
        entries.get(set).add(entry);
    }

    public SortedSet<String> entries(String set) {
        info(set);
        return Collections.unmodifiableSortedSet(entries.get(set));
    }

    public boolean isEmpty(String set) {
        return entries(set).isEmpty();
    }

    public int totalEntries() {
        return entries.values().stream().mapToInt(SortedSet::size).sum();
    }

    /** {@code ip,proto:port} — a hash:ip,port entry. */
    static String ipPort(String ip, String protocol, int port) {
        return ip + "," + protocol.toLowerCase() + ":" + port;
    }

    /** {@code ip,proto:port,ip2} — a hash:ip,port,ip entry. */
    static String ipPortIp(String ip, String protocol, int port, String ip2) {
        return ipPort(ip, protocol, port) + "," + ip2;
    }

    /**
     * The entries of the IPVS-mode sets in {@code ipset save} output (other sets are ignored; a missing set counts
     * as empty).
     */
    public static IpSets parseSave(String text) {
        IpSets s = new IpSets();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (!line.startsWith("add ")) {
                continue;
            }
            String[] tok = line.split("\\s+");
            if (tok.length >= 3 && BY_NAME.containsKey(tok[1])) {
                s.entries.get(tok[1]).add(tok[2]);
            }
        }
        return s;
    }

    /**
     * The {@code ipset -exist restore} input that creates every set and turns {@code current}'s entries into
     * {@code wanted}'s (deletions first, then additions, set by set).
     */
    public static String restoreInput(IpSets current, IpSets wanted) {
        StringBuilder b = new StringBuilder();
        for (SetInfo s : ALL) {
            b.append(s.createLine()).append('\n');
        }
        for (SetInfo s : ALL) {
            SortedSet<String> cur = current.entries.get(s.name());
            SortedSet<String> want = wanted.entries.get(s.name());
            for (String e : cur) {
                if (!want.contains(e)) {
                    b.append("del ").append(s.name()).append(' ').append(e).append('\n');
                }
            }
            for (String e : want) {
                if (!cur.contains(e)) {
                    b.append("add ").append(s.name()).append(' ').append(e).append('\n');
                }
            }
        }
        return b.toString();
    }

    /** Names of all sets, for cleanup. */
    public static List<String> names() {
        List<String> n = new ArrayList<>();
        ALL.forEach(s -> n.add(s.name()));
        return n;
    }
}
