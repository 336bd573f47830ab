package io.kube4j.proxy.userspace;

import io.kube4j.proxy.model.ServicePortName;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The iptables rules of kube-proxy's userspace mode ({@code iptablesInit}, {@code openPortal}, {@code openNodePort}
 * and the {@code *PortalArgs} functions of pkg/proxy/userspace/proxier.go), rendered as {@code iptables-restore}
 * input that rewrites the mode's five chains in one go.
 *
 * <p>Chains: nat {@code KUBE-PORTALS-CONTAINER} (from PREROUTING: traffic from containers and other hosts),
 * {@code KUBE-PORTALS-HOST} (from OUTPUT: traffic from the node itself), {@code KUBE-NODEPORT-CONTAINER} and
 * {@code KUBE-NODEPORT-HOST} (the same for NodePorts on local addresses, jumped to last), filter
 * {@code KUBE-NODEPORT-NON-LOCAL} (from INPUT: accepts new connections to the proxy ports). Container traffic is
 * {@code REDIRECT}ed to the proxy port when the proxy listens on every address (else DNAT to its address); host
 * traffic is DNATed to {@code hostIP:proxyPort} (REDIRECT of locally generated packets answers from the wrong
 * address, per kube-proxy). Rule arguments and their order are kube-proxy's.
 */
public final class UserspaceRules {

    public static final String PORTALS_CONTAINER = "KUBE-PORTALS-CONTAINER";
    public static final String PORTALS_HOST = "KUBE-PORTALS-HOST";
    public static final String NODEPORT_CONTAINER = "KUBE-NODEPORT-CONTAINER";
    public static final String NODEPORT_HOST = "KUBE-NODEPORT-HOST";
    public static final String NODEPORT_NON_LOCAL = "KUBE-NODEPORT-NON-LOCAL";

    /** The chains this mode owns, by table. */
    public static final List<String> NAT_CHAINS = List.of(PORTALS_CONTAINER, PORTALS_HOST, NODEPORT_CONTAINER, NODEPORT_HOST);
    public static final List<String> FILTER_CHAINS = List.of(NODEPORT_NON_LOCAL);

    private static final String PORTALS_COMMENT = "handle ClusterIPs; NOTE: this must be before the NodePort rules";
    private static final String NODEPORTS_COMMENT = "handle service NodePorts; NOTE: this must be the last rule in the chain";

    /**
     * A rule in a built-in chain that jumps to one of this mode's chains.
     *
     * @param table   nat or filter
     * @param chain   the built-in chain
     * @param prepend true: inserted first (portals before anything else), false: appended (NodePorts last)
     * @param args    the rule's match and target arguments, unquoted
     */
    public record Jump(String table, String chain, boolean prepend, List<String> args) {

        /** The {@code iptables -C} (or {@code -D}) command line that matches this rule. */
        public List<String> command(String op) {
            List<String> cmd = new ArrayList<>(List.of("iptables", "-w", "-t", table, op, chain));
            cmd.addAll(args);
            return cmd;
        }
    }

    /** The five jumps of kube-proxy's {@code iptablesInit}, in its order. */
    public static final List<Jump> JUMPS = List.of(
            new Jump("nat", "PREROUTING", true, List.of("-m", "comment", "--comment", PORTALS_COMMENT, "-j", PORTALS_CONTAINER)),
            new Jump("nat", "OUTPUT", true, List.of("-m", "comment", "--comment", PORTALS_COMMENT, "-j", PORTALS_HOST)),
            new Jump("nat", "PREROUTING", false, List.of("-m", "addrtype", "--dst-type", "LOCAL",
                    "-m", "comment", "--comment", NODEPORTS_COMMENT, "-j", NODEPORT_CONTAINER)),
            new Jump("nat", "OUTPUT", false, List.of("-m", "addrtype", "--dst-type", "LOCAL",
                    "-m", "comment", "--comment", NODEPORTS_COMMENT, "-j", NODEPORT_HOST)),
            new Jump("filter", "INPUT", true, List.of("-m", "comment", "--comment",
                    "Ensure that non-local NodePort traffic can flow", "-j", NODEPORT_NON_LOCAL)));

    /**
     * One proxied Service port as the rules see it.
     *
     * @param name        the Service port (rule comment)
     * @param protocol    TCP or UDP
     * @param proxyPort   the local port the proxy listens on for it
     * @param clusterIP   its ClusterIP
     * @param port        its Service port
     * @param externalIPs {@code spec.externalIPs}
     * @param loadBalancerIPs ingress IPs of its load balancer
     * @param nodePort    its NodePort, 0 for none (or when the port could not be claimed)
     */
    public record Portal(ServicePortName name, String protocol, int proxyPort, String clusterIP, int port,
                         List<String> externalIPs, List<String> loadBalancerIPs, int nodePort) {
    }

    /**
     * The rendered restore input.
     *
     * @param text  for {@code iptables-restore -w --noflush}
     * @param rules rules in this mode's chains (jumps not counted)
     */
    public record Rendered(String text, int rules) {
    }

    private final String proxyIP;
    private final String hostIP;

    /**
     * @param proxyIP the address the proxy listens on ({@code 0.0.0.0}: REDIRECT container traffic)
     * @param hostIP  a local, non-loopback address host traffic is DNATed to when {@code proxyIP} is 0.0.0.0
     */
    public UserspaceRules(String proxyIP, String hostIP) {
        this.proxyIP = proxyIP;
        this.hostIP = hostIP;
    }

    /**
     * Renders the five chains (declared, hence flushed, and refilled) plus the jumps in {@code missingJumps}.
     */
    public Rendered render(Collection<Portal> portals, Collection<Jump> missingJumps) {
        List<String> container = new ArrayList<>();
        List<String> host = new ArrayList<>();
        List<String> nodeContainer = new ArrayList<>();
        List<String> nodeHost = new ArrayList<>();
        List<String> nonLocal = new ArrayList<>();
        for (Portal p : portals) {
            // openPortal: the ClusterIP, then externalIPs, then load-balancer ingress IPs, then the NodePort
            container.add(rule(PORTALS_CONTAINER, containerArgs(p, p.clusterIP(), false, false, p.port())));
            host.add(rule(PORTALS_HOST, hostArgs(p, p.clusterIP(), false, p.port())));
            for (String ip : p.externalIPs()) {
                container.add(rule(PORTALS_CONTAINER, containerArgs(p, ip, true, false, p.port())));
                container.add(rule(PORTALS_CONTAINER, containerArgs(p, ip, false, true, p.port())));
                host.add(rule(PORTALS_HOST, hostArgs(p, ip, true, p.port())));
            }
            for (String ip : p.loadBalancerIPs()) {
                container.add(rule(PORTALS_CONTAINER, containerArgs(p, ip, false, false, p.port())));
                host.add(rule(PORTALS_HOST, hostArgs(p, ip, false, p.port())));
            }
            if (p.nodePort() > 0) {
                nodeContainer.add(rule(NODEPORT_CONTAINER, containerArgs(p, null, false, false, p.nodePort())));
                nodeHost.add(rule(NODEPORT_HOST, hostArgs(p, null, false, p.nodePort())));
                List<String> a = common(p, null, false, false, p.proxyPort());
                a.addAll(List.of("-m", "state", "--state", "NEW", "-j", "ACCEPT"));
                nonLocal.add(rule(NODEPORT_NON_LOCAL, a));
            }
        }
        StringBuilder b = new StringBuilder(256 + 200 * (container.size() + host.size()));
        b.append("*nat\n");
        for (String c : NAT_CHAINS) {
            b.append(':').append(c).append(" - [0:0]\n");
        }
        appendJumps(b, "nat", missingJumps);
        container.forEach(b::append);
        host.forEach(b::append);
        nodeContainer.forEach(b::append);
        nodeHost.forEach(b::append);
        b.append("COMMIT\n*filter\n");
        for (String c : FILTER_CHAINS) {
            b.append(':').append(c).append(" - [0:0]\n");
        }
        appendJumps(b, "filter", missingJumps);
        nonLocal.forEach(b::append);
        b.append("COMMIT\n");
        return new Rendered(b.toString(), container.size() + host.size() + nodeContainer.size() + nodeHost.size()
                + nonLocal.size());
    }

    private static void appendJumps(StringBuilder b, String table, Collection<Jump> jumps) {
        for (Jump j : JUMPS) { // kube-proxy's order, whatever order the caller's collection has
            if (j.table().equals(table) && jumps.contains(j)) {
                b.append(j.prepend() ? "-I " + j.chain() + " 1" : "-A " + j.chain());
                appendArgs(b, j.args());
                b.append('\n');
            }
        }
    }

    /** iptablesCommonPortalArgs. */
    private static List<String> common(Portal p, String destIP, boolean physdev, boolean dstLocal, int destPort) {
        String proto = p.protocol().toLowerCase(Locale.ROOT);
        List<String> a = new ArrayList<>(List.of("-m", "comment", "--comment", p.name().toString(),
                "-p", proto, "-m", proto, "--dport", Integer.toString(destPort)));
        if (destIP != null) {
            a.addAll(List.of("-d", destIP + "/32"));
        }
        if (physdev) {
            a.addAll(List.of("-m", "physdev", "!", "--physdev-is-in"));
        }
        if (dstLocal) {
            a.addAll(List.of("-m", "addrtype", "--dst-type", "LOCAL"));
        }
        return a;
    }

    /** iptablesContainerPortalArgs. */
    private List<String> containerArgs(Portal p, String destIP, boolean physdev, boolean dstLocal, int destPort) {
        List<String> a = common(p, destIP, physdev, dstLocal, destPort);
        if ("0.0.0.0".equals(proxyIP)) {
            a.addAll(List.of("-j", "REDIRECT", "--to-ports", Integer.toString(p.proxyPort())));
        } else {
            a.addAll(List.of("-j", "DNAT", "--to-destination", proxyIP + ":" + p.proxyPort()));
        }
        return a;
    }

    /** iptablesHostPortalArgs / iptablesHostNodePortArgs. */
    private List<String> hostArgs(Portal p, String destIP, boolean dstLocal, int destPort) {
        List<String> a = common(p, destIP, false, dstLocal, destPort);
        String to = "0.0.0.0".equals(proxyIP) ? hostIP : proxyIP;
        a.addAll(List.of("-j", "DNAT", "--to-destination", to + ":" + p.proxyPort()));
        return a;
    }

    private static String rule(String chain, List<String> args) {
        StringBuilder b = new StringBuilder("-A ").append(chain);
        appendArgs(b, args);
        return b.append('\n').toString();
    }

    private static void appendArgs(StringBuilder b, List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            b.append(' ');
            if (i > 0 && "--comment".equals(args.get(i - 1))) {
                b.append('"').append(a.replace("\"", "\\\"")).append('"');
            } else {
                b.append(a);
            }
        }
    }
}
