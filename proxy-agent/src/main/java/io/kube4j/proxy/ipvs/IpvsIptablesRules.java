package io.kube4j.proxy.ipvs;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.HashSet;

/**
 * The iptables rules of IPVS mode as one {@code iptables-restore --noflush} input (kube-proxy's
 * {@code writeIptablesRules}, {@code createAndLinkKubeChain}, {@code acceptIPVSTraffic}): the nat chains that mark
 * traffic for masquerade by matching the ipsets, and the filter chains that accept forwarded/health-check traffic and
 * keep the VIPs on {@code kube-ipvs0} from exposing host ports. Every chain line ({@code :CHAIN - [0:0]}) flushes that
 * chain, so each restore rewrites all of them; the jumps from the built-in chains are inserted only when
 * {@code iptables-save} shows them missing (kube-proxy's {@code EnsureRule(Prepend, ...)}), in kube-proxy's order.
 *
 * <p>Deliberate difference: {@code MASQUERADE --random-fully} is always written (kube-proxy probes the iptables
 * version; every iptables since 1.6.2 has it and kube4j needs 1.8).
 */
public final class IpvsIptablesRules {

    public static final String SERVICES = "KUBE-SERVICES";
    public static final String PROXY_FIREWALL = "KUBE-PROXY-FIREWALL";
    public static final String SOURCE_RANGES_FIREWALL = "KUBE-SOURCE-RANGES-FIREWALL";
    public static final String POSTROUTING = "KUBE-POSTROUTING";
    public static final String MARK_MASQ = "KUBE-MARK-MASQ";
    public static final String NODE_PORT = "KUBE-NODE-PORT";
    public static final String LOAD_BALANCER = "KUBE-LOAD-BALANCER";
    public static final String FORWARD = "KUBE-FORWARD";
    public static final String IPVS_FILTER = "KUBE-IPVS-FILTER";
    public static final String IPVS_OUT_FILTER = "KUBE-IPVS-OUT-FILTER";

    /** A chain of a table. */
    public record Chain(String table, String name) {
    }

    /** A jump from a built-in chain, kept with {@code -m comment} so it can be found and removed. */
    public record Jump(String table, String from, String to, String comment) {

        /** The rule as {@code iptables-save} prints it (without the {@code -A FROM}). */
        public String ruleSpec() {
            return "-m comment --comment \"" + comment + "\" -j " + to;
        }
    }

    /** kube-proxy's {@code iptablesChains}. */
    public static final List<Chain> CHAINS = List.of(
            new Chain("nat", SERVICES), new Chain("nat", POSTROUTING), new Chain("nat", NODE_PORT),
            new Chain("nat", LOAD_BALANCER), new Chain("nat", MARK_MASQ),
            new Chain("filter", FORWARD), new Chain("filter", NODE_PORT), new Chain("filter", PROXY_FIREWALL),
            new Chain("filter", SOURCE_RANGES_FIREWALL), new Chain("filter", IPVS_FILTER),
            new Chain("filter", IPVS_OUT_FILTER));

    /** kube-proxy's {@code iptablesJumpChain}, in its order (each one prepended). */
    public static final List<Jump> JUMPS = List.of(
            new Jump("nat", "OUTPUT", SERVICES, "kubernetes service portals"),
            new Jump("nat", "PREROUTING", SERVICES, "kubernetes service portals"),
            new Jump("nat", "POSTROUTING", POSTROUTING, "kubernetes postrouting rules"),
            new Jump("filter", "FORWARD", FORWARD, "kubernetes forwarding rules"),
            new Jump("filter", "INPUT", NODE_PORT, "kubernetes health check rules"),
            new Jump("filter", "INPUT", PROXY_FIREWALL, "kube-proxy firewall rules"),
            new Jump("filter", "FORWARD", PROXY_FIREWALL, "kube-proxy firewall rules"),
            new Jump("filter", "INPUT", IPVS_FILTER, "kubernetes ipvs access filter"),
            new Jump("filter", "OUTPUT", IPVS_OUT_FILTER, "kubernetes ipvs access filter"));

    /** An ipset matched from a chain (kube-proxy's {@code ipsetWithIptablesChain}). */
    private record SetJump(String set, String table, String from, String to, String matchType, String protocol) {
    }

    private static final List<SetJump> SET_JUMPS = List.of(
            new SetJump(IpSets.LOOP_BACK, "nat", POSTROUTING, "MASQUERADE", "dst,dst,src", ""),
            new SetJump(IpSets.LOAD_BALANCER, "nat", SERVICES, LOAD_BALANCER, "dst,dst", ""),
            new SetJump(IpSets.LOAD_BALANCER_LOCAL, "nat", LOAD_BALANCER, "RETURN", "dst,dst", ""),
            new SetJump(IpSets.NODE_PORT_LOCAL_TCP, "nat", NODE_PORT, "RETURN", "dst", "tcp"),
            new SetJump(IpSets.NODE_PORT_TCP, "nat", NODE_PORT, MARK_MASQ, "dst", "tcp"),
            new SetJump(IpSets.NODE_PORT_LOCAL_UDP, "nat", NODE_PORT, "RETURN", "dst", "udp"),
            new SetJump(IpSets.NODE_PORT_UDP, "nat", NODE_PORT, MARK_MASQ, "dst", "udp"),
            new SetJump(IpSets.NODE_PORT_LOCAL_SCTP, "nat", NODE_PORT, "RETURN", "dst,dst", "sctp"),
            new SetJump(IpSets.NODE_PORT_SCTP, "nat", NODE_PORT, MARK_MASQ, "dst,dst", "sctp"),
            new SetJump(IpSets.LOAD_BALANCER_FW, "filter", PROXY_FIREWALL, SOURCE_RANGES_FIREWALL, "dst,dst", ""),
            new SetJump(IpSets.LOAD_BALANCER_SOURCE_CIDR, "filter", SOURCE_RANGES_FIREWALL, "RETURN", "dst,dst,src", ""),
            new SetJump(IpSets.LOAD_BALANCER_SOURCE_IP, "filter", SOURCE_RANGES_FIREWALL, "RETURN", "dst,dst,src", ""));

    private IpvsIptablesRules() {
    }

    /** {@code 0x00004000} for bit 14: kube-proxy's {@code %#08x} spelling of {@code 1 << masqueradeBit}. */
    public static String masqueradeMark(int masqueradeBit) {
        return String.format("0x%08x", 1L << masqueradeBit);
    }

    /**
     * Jumps already present in {@code iptables-save} output of the nat and filter tables (any other tables'
     * lines are ignored).
     */
    public static Set<Jump> presentJumps(String natSave, String filterSave) {
        Set<String> nat = new HashSet<>(Arrays.asList(natSave.split("\n")));
        Set<String> filter = new HashSet<>(Arrays.asList(filterSave.split("\n")));
        Set<Jump> present = new HashSet<>();
        for (Jump j : JUMPS) {
            Set<String> lines = j.table().equals("nat") ? nat : filter;
            if (lines.contains("-A " + j.from() + " " + j.ruleSpec())) {
                present.add(j);
            }
        }
        return present;
    }

    /**
     * Renders the restore input.
     *
     * @param sets           the wanted ipsets (rules for empty sets are left out, as kube-proxy does)
     * @param masqueradeAll  mark all ClusterIP traffic for masquerade
     * @param clusterCidr    the pod CIDR ({@code ! -s} marks off-cluster traffic), null or empty when unknown
     * @param masqueradeBit  the fwmark bit
     * @param presentJumps   jumps that exist already (not inserted again)
     */
    public static String render(IpSets sets, boolean masqueradeAll, String clusterCidr, int masqueradeBit,
                                Set<Jump> presentJumps) {
        String mark = masqueradeMark(masqueradeBit);
        StringBuilder nat = new StringBuilder("*nat\n");
        StringBuilder filter = new StringBuilder("*filter\n");
        for (Chain c : CHAINS) {
            (c.table().equals("nat") ? nat : filter).append(':').append(c.name()).append(" - [0:0]\n");
        }
        for (Jump j : JUMPS) {
            if (!presentJumps.contains(j)) {
                (j.table().equals("nat") ? nat : filter).append("-I ").append(j.from()).append(' ')
                        .append(j.ruleSpec()).append('\n');
            }
        }

        // Dismiss connects to localhost early in the service chain
        line(nat, "-A", SERVICES, "-s", "127.0.0.0/8", "-j", "RETURN");
        for (SetJump sj : SET_JUMPS) {
            if (sets.isEmpty(sj.set())) {
                continue;
            }
            StringBuilder t = sj.table().equals("nat") ? nat : filter;
            t.append("-A ").append(sj.from());
            if (!sj.protocol().isEmpty()) {
                t.append(" -p ").append(sj.protocol());
            }
            t.append(" -m comment --comment ").append(comment(sj.set()))
                    .append(" -m set --match-set ").append(sj.set()).append(' ').append(sj.matchType())
                    .append(" -j ").append(sj.to()).append('\n');
        }
        if (!sets.isEmpty(IpSets.CLUSTER_IP)) {
            String head = "-A " + SERVICES + " -m comment --comment " + comment(IpSets.CLUSTER_IP)
                    + " -m set --match-set " + IpSets.CLUSTER_IP;
            if (masqueradeAll) {
                nat.append(head).append(" dst,dst -j ").append(MARK_MASQ).append('\n');
            } else if (clusterCidr != null && !clusterCidr.isEmpty()) {
                // off-cluster traffic to a VIP may leave the node again: masquerade it
                nat.append(head).append(" dst,dst ! -s ").append(clusterCidr).append(" -j ").append(MARK_MASQ).append('\n');
            } else {
                // without a pod CIDR: masquerade node-originated traffic whose source is a VIP (kube-ipvs0 picks it)
                nat.append(head).append(" src,dst -j ").append(MARK_MASQ).append('\n');
            }
        }
        if (!sets.isEmpty(IpSets.EXTERNAL_IP)) {
            String head = "-A " + SERVICES + " -m comment --comment " + comment(IpSets.EXTERNAL_IP)
                    + " -m set --match-set " + IpSets.EXTERNAL_IP + " dst,dst";
            nat.append(head).append(" -j ").append(MARK_MASQ).append('\n');
            externalIpRules(nat, head);
        }
        if (!sets.isEmpty(IpSets.EXTERNAL_IP_LOCAL)) {
            externalIpRules(nat, "-A " + SERVICES + " -m comment --comment " + comment(IpSets.EXTERNAL_IP_LOCAL)
                    + " -m set --match-set " + IpSets.EXTERNAL_IP_LOCAL + " dst,dst");
        }
        line(nat, "-A", SERVICES, "-m", "addrtype", "--dst-type", "LOCAL", "-j", NODE_PORT);
        line(nat, "-A", LOAD_BALANCER, "-j", MARK_MASQ);
        line(filter, "-A", SOURCE_RANGES_FIREWALL, "-j", "DROP");
        // accept traffic to IPVS virtual servers in case later rules would drop it; must end KUBE-SERVICES
        for (String set : List.of(IpSets.CLUSTER_IP, IpSets.LOAD_BALANCER)) {
            if (!sets.isEmpty(set)) {
                line(nat, "-A", SERVICES, "-m", "set", "--match-set", set, "dst,dst", "-j", "ACCEPT");
            }
        }
        line(filter, "-A", FORWARD, "-m", "comment", "--comment", "\"kubernetes forwarding rules\"",
                "-m", "mark", "--mark", mark + "/" + mark, "-j", "ACCEPT");
        line(filter, "-A", FORWARD, "-m", "comment", "--comment", "\"kubernetes forwarding conntrack rule\"",
                "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT");
        line(filter, "-A", NODE_PORT, "-m", "comment", "--comment", comment(IpSets.HEALTH_CHECK_NODE_PORT),
                "-m", "set", "--match-set", IpSets.HEALTH_CHECK_NODE_PORT, "dst", "-j", "ACCEPT");
        // keep host ports from being reachable through the VIPs on kube-ipvs0 (kubernetes#72236)
        line(filter, "-A", IPVS_FILTER, "-m", "set", "--match-set", IpSets.LOAD_BALANCER, "dst,dst", "-j", "RETURN");
        line(filter, "-A", IPVS_FILTER, "-m", "set", "--match-set", IpSets.CLUSTER_IP, "dst,dst", "-j", "RETURN");
        line(filter, "-A", IPVS_FILTER, "-m", "set", "--match-set", IpSets.EXTERNAL_IP, "dst,dst", "-j", "RETURN");
        line(filter, "-A", IPVS_FILTER, "-m", "set", "--match-set", IpSets.EXTERNAL_IP_LOCAL, "dst,dst", "-j", "RETURN");
        line(filter, "-A", IPVS_FILTER, "-m", "set", "--match-set", IpSets.HEALTH_CHECK_NODE_PORT, "dst", "-j", "RETURN");
        line(filter, "-A", IPVS_FILTER, "-m", "conntrack", "--ctstate", "NEW",
                "-m", "set", "--match-set", IpSets.IPVS_IPS, "dst", "-j", "REJECT");

        line(nat, "-A", POSTROUTING, "-m", "mark", "!", "--mark", mark + "/" + mark, "-j", "RETURN");
        // clear the mark so that a packet re-traversing the stack is not masqueraded twice
        line(nat, "-A", POSTROUTING, "-j", "MARK", "--xor-mark", mark);
        line(nat, "-A", POSTROUTING, "-m", "comment", "--comment", "\"kubernetes service traffic requiring SNAT\"",
                "-j", "MASQUERADE", "--random-fully");
        line(nat, "-A", MARK_MASQ, "-j", "MARK", "--or-mark", mark);
        filter.append("COMMIT\n");
        nat.append("COMMIT\n");
        return nat.append(filter).toString();
    }

    /**
     * The restore input that removes every jump of {@link #JUMPS} found in {@code iptables-save} of the nat and
     * filter tables (each occurrence), flushes every IPVS-mode chain there and deletes those that no other rule
     * references (kube-proxy's {@code cleanupIptablesLeftovers}; a chain still used by another mode's rules, e.g.
     * iptables mode's {@code KUBE-MARK-MASQ}, is left for that mode's cleanup). Null when there is nothing to remove.
     */
    public static String cleanupInput(String natSave, String filterSave) {
        StringBuilder b = new StringBuilder();
        for (String table : List.of("nat", "filter")) {
            String save = table.equals("nat") ? natSave : filterSave;
            Set<String> ours = new HashSet<>();
            Set<String> present = new HashSet<>();
            for (Chain c : CHAINS) {
                if (c.table().equals(table)) {
                    ours.add(c.name());
                }
            }
            StringBuilder t = new StringBuilder();
            Set<String> referencedElsewhere = new HashSet<>();
            for (String l : save.split("\n")) {
                if (l.startsWith(":")) {
                    String name = l.substring(1).split("\\s+")[0];
                    if (ours.contains(name)) {
                        present.add(name);
                    }
                    continue;
                }
                if (!l.startsWith("-A ")) {
                    continue;
                }
                String[] tok = l.split("\\s+");
                String from = tok[1];
                Jump jump = jumpOf(table, l);
                if (jump != null) {
                    t.append("-D ").append(jump.from()).append(' ').append(jump.ruleSpec()).append('\n');
                    continue;
                }
                if (ours.contains(from)) {
                    continue; // flushed below
                }
                for (int i = 2; i + 1 < tok.length; i++) {
                    if ((tok[i].equals("-j") || tok[i].equals("-g")) && ours.contains(tok[i + 1])) {
                        referencedElsewhere.add(tok[i + 1]);
                    }
                }
            }
            // a chain line flushes the chain (so none of ours references another any more), then -X deletes it
            for (Chain c : CHAINS) {
                if (c.table().equals(table) && present.contains(c.name())) {
                    t.append(':').append(c.name()).append(" - [0:0]\n");
                }
            }
            for (Chain c : CHAINS) {
                if (c.table().equals(table) && present.contains(c.name()) && !referencedElsewhere.contains(c.name())) {
                    t.append("-X ").append(c.name()).append('\n');
                }
            }
            if (!t.isEmpty()) {
                b.append('*').append(table).append('\n').append(t).append("COMMIT\n");
            }
        }
        return b.isEmpty() ? null : b.toString();
    }

    private static Jump jumpOf(String table, String saveLine) {
        for (Jump j : JUMPS) {
            if (j.table().equals(table) && saveLine.equals("-A " + j.from() + " " + j.ruleSpec())) {
                return j;
            }
        }
        return null;
    }

    private static void externalIpRules(StringBuilder nat, String head) {
        // traffic from off-machine: not bridged from a container, not from a local process
        nat.append(head).append(" -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT\n");
        // external IPs that happen to be local addresses stay local
        nat.append(head).append(" -m addrtype --dst-type LOCAL -j ACCEPT\n");
    }

    private static String comment(String set) {
        return "\"" + IpSets.info(set).comment() + "\"";
    }

    private static void line(StringBuilder b, String... args) {
        b.append(String.join(" ", args)).append('\n');
    }
}
