package io.kube4j.proxy.iptables;

import io.kube4j.proxy.model.EndpointCategories;
import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.kube4j.proxy.iptables.ChainNames.KUBE_EXTERNAL_SERVICES;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_FIREWALL;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_FORWARD;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_MARK_MASQ;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_NODEPORTS;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_POSTROUTING;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_PROXY_FIREWALL;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_SERVICES;

/**
 * Renders a {@link ProxyState} into iptables-restore input for the filter and nat tables, rule for rule as
 * kube-proxy's {@code syncProxyRules} (1.28+) does: KUBE-SERVICES / KUBE-NODEPORTS dispatch, KUBE-EXT chains for
 * external destinations, KUBE-SVC / KUBE-SVL chains spreading with {@code -m statistic}, KUBE-SEP chains with the
 * hairpin masquerade and the DNAT, REJECT / DROP in filter for Services without (local) endpoints.
 *
 * <p><b>Large cluster mode</b> (more than 1,000 endpoints, kube-proxy's threshold, where kube-proxy drops the
 * per-endpoint comments): iptables 1.8.9's nft backend keeps every chain name an iptables-restore input mentions
 * in a sorted linked list walked from its head for each command, so an input with tens of thousands of chain names
 * costs time quadratic in their number (a kube-proxy-shaped restore of 10,000 Services does not finish in minutes
 * on this machine; see /work/wt/briefs7/perf-findings.md). In that mode kube4j therefore (1) writes no KUBE-SEP
 * chains: each KUBE-SVC/KUBE-SVL chain masquerades traffic coming from any of its endpoints (hairpin; kube-proxy
 * only masquerades an endpoint talking to itself), keeps the affinity lists under the KUBE-SEP names, and DNATs
 * directly; (2) orders the nat input by descending chain name, declaring each chain just before its rules and the
 * KUBE-SERVICES / KUBE-NODEPORTS rules that jump to it, so that every lookup in that list stops near its head.
 *
 * <p>Other differences from kube-proxy, on purpose: Services and endpoints are rendered in sorted order (kube-proxy
 * walks Go maps) so that the output is deterministic; the masquerade mark is written as iptables prints it
 * ({@code 0x4000}, kube-proxy passes {@code 0x00004000}); loadBalancerSourceRanges (KUBE-FW chains), topology
 * hints and nfacct counters are not modelled. A partial sync also leaves out the top-level nat chains when no
 * re-rendered Service changed its rules in them and none went away, and the filter table when its text is what the
 * last sync wrote (kube-proxy rewrites both every time, which alone costs seconds at 10,000 Services here); it
 * re-renders the Services named as changed and any other whose Service port or endpoints differ from what it
 * remembers. Not thread-safe: one sync thread.
 */
final class IptablesRenderer {

    /** kube-proxy's largeClusterEndpointsThreshold: above it, per-endpoint comments (and here KUBE-SEP chains) go. */
    static final int LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;

    private static final List<String> NAT_TOP_CHAINS = List.of(KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING,
            KUBE_MARK_MASQ);

    /** Inputs that come from the host rather than from the state. */
    record HostFacts(boolean randomFully, boolean conntrackTcpLiberal, List<String> nodeIps) {
    }

    /** What the last applied rendering wrote, for a partial sync. */
    record Previous(Map<ServicePortName, ServiceRecord> services, String filterText, String natTail) {
    }

    /** Chain names of one Service port, computed once (hashing is the costly part of rendering). */
    private record SvcNames(String name, String protocol, String svc, String svl, String ext) {
    }

    /** A KUBE-SERVICES / KUBE-NODEPORTS rule and the chain it jumps to. */
    record TopRule(String target, String line) {
    }

    /** One per-Service chain as written: its rules (the chain line is added when assembling). */
    private record ChainBody(String chain, String rules, int lines) {
    }

    /** The rendering of one Service port. */
    private record Pieces(List<TopRule> top, List<ChainBody> chains) {
    }

    private final IptablesProxier.Config config;
    private final String mark;
    private final String markMask;
    private final boolean localhostNodePorts;
    private final List<String> probabilities = new ArrayList<>(List.of("<bad value>"));
    private Map<ServicePortName, SvcNames> svcNames = new HashMap<>();
    private Map<String, String> sepNames = new HashMap<>();

    IptablesRenderer(IptablesProxier.Config config) {
        this.config = config;
        this.mark = config.masqueradeMark();
        this.markMask = mark + "/" + mark;
        this.localhostNodePorts = config.effectiveLocalhostNodePorts();
    }

    /** One rendering: what to restore, and what the proxier must remember once it is applied. */
    static final class Rendering {
        final boolean full;
        final boolean largeClusterMode;
        final int totalEndpoints;
        final Set<String> activeNatChains = new LinkedHashSet<>();
        final Map<ServicePortName, ServiceRecord> services = new HashMap<>();
        String filterText;
        int filterRules;
        int filterChains;
        int natTopRules;
        boolean writeFilter;
        boolean writeNatTop;
        int noLocalInternal;
        int noLocalExternal;
        private final List<Pieces> pieces = new ArrayList<>();
        private String staticTop;
        String tail;
        private int keptNatRules;
        private int writtenChainRules;
        private int deletedChains;

        Rendering(boolean full, boolean largeClusterMode, int totalEndpoints) {
            this.full = full;
            this.largeClusterMode = largeClusterMode;
            this.totalEndpoints = totalEndpoints;
        }

        /**
         * The iptables-restore input, deleting {@code stale} chains (flush, then {@code -X}) in the same input; empty
         * when there is nothing to write.
         */
        String text(Collection<String> stale) {
            deletedChains = stale.size();
            StringBuilder out = new StringBuilder(estimate());
            if (writeFilter) {
                out.append(filterText);
            }
            int mark = out.length();
            out.append("*nat\n");
            int headerEnd = out.length();
            if (largeClusterMode) {
                appendByUnit(out);
            } else {
                appendKubeProxyLayout(out, stale);
            }
            if (!largeClusterMode) {
                for (String c : stale) {
                    out.append("-X ").append(c).append('\n');
                }
            }
            if (out.length() == headerEnd) {
                out.setLength(mark); // nothing for nat
            } else {
                out.append("COMMIT\n");
            }
            if (largeClusterMode && !stale.isEmpty()) {
                // Stale chains: flushed in one section, deleted in the next, in descending name order (the chain-name
                // list is reset at each COMMIT), after the section that stopped referencing them.
                List<String> desc = new ArrayList<>(stale);
                desc.sort(Comparator.reverseOrder());
                out.append("*nat\n");
                desc.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
                out.append("COMMIT\n*nat\n");
                desc.forEach(c -> out.append("-X ").append(c).append('\n'));
                out.append("COMMIT\n");
            }
            return out.toString();
        }

        private int estimate() {
            int n = 1024 + (writeFilter ? filterText.length() : 0) + (writeNatTop ? natTopRules * 160 : 0);
            for (Pieces p : pieces) {
                for (ChainBody b : p.chains()) {
                    n += b.rules().length() + b.chain().length() + 12;
                }
            }
            return n;
        }

        /** kube-proxy's layout: every chain line first, then the rules, Service by Service. */
        private void appendKubeProxyLayout(StringBuilder out, Collection<String> stale) {
            if (writeNatTop) {
                NAT_TOP_CHAINS.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
            }
            for (Pieces p : pieces) {
                for (ChainBody b : p.chains()) {
                    out.append(':').append(b.chain()).append(" - [0:0]\n");
                }
            }
            stale.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
            if (writeNatTop) {
                out.append(staticTop);
            }
            for (Pieces p : pieces) {
                if (writeNatTop) {
                    p.top().forEach(t -> out.append(t.line()));
                }
                p.chains().forEach(b -> out.append(b.rules()));
            }
            if (writeNatTop) {
                out.append(tail);
            }
        }

        /**
         * Large cluster mode: units in descending chain-name order, each unit being a chain line, its rules and the
         * top-level rules jumping to it (a chain is always declared before anything jumps to it).
         */
        private void appendByUnit(StringBuilder out) {
            if (writeNatTop) {
                NAT_TOP_CHAINS.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
                out.append(staticTop);
            }
            TreeMap<String, StringBuilder> units = new TreeMap<>(Comparator.reverseOrder());
            for (Pieces p : pieces) {
                for (ChainBody b : p.chains()) {
                    units.computeIfAbsent(b.chain(), k -> new StringBuilder()).append(':').append(b.chain())
                            .append(" - [0:0]\n").append(b.rules());
                }
            }
            if (writeNatTop) {
                for (Pieces p : pieces) {
                    for (TopRule t : p.top()) {
                        units.computeIfAbsent(t.target(), k -> new StringBuilder()).append(t.line());
                    }
                }
            }
            units.values().forEach(out::append);
            if (writeNatTop) {
                out.append(tail);
            }
        }

        /** nat rules in place once applied (written or left alone). */
        int natRuleCount() {
            return natTopRules + writtenChainRules + keptNatRules;
        }

        /** Chains of both tables in place once applied. */
        int chainCount() {
            return filterChains + NAT_TOP_CHAINS.size() + activeNatChains.size();
        }

        int deletedChains() {
            return deletedChains;
        }
    }

    /**
     * Renders {@code state}.
     *
     * @param state    what to implement
     * @param write    null: write everything (full sync); else the chains of these Services (ns/name) and of any
     *                 Service that differs from what {@code previous} records — the others keep theirs (partial)
     * @param previous what the last successful sync applied (needed when {@code write} is not null)
     * @param host     facts about the host
     */
    Rendering render(ProxyState state, Set<String> write, Previous previous, HostFacts host) {
        boolean full = write == null || previous == null;
        int totalEndpoints = 0;
        for (ServicePortName name : state.services().keySet()) {
            totalEndpoints += state.endpointsOf(name).size();
        }
        Rendering r = new Rendering(full, totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD, totalEndpoints);
        if (full) {
            // drop names of Services that are gone: the maps then hold only what this sync uses
            svcNames = new HashMap<>(svcNames.size() + 16);
            sepNames = new HashMap<>(sepNames.size() + 16);
        }
        LineBuffer filterChains = LineBuffer.create(512);
        LineBuffer filterRules = LineBuffer.create(4096);
        for (String c : List.of(KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS,
                KUBE_PROXY_FIREWALL)) {
            filterChains.chain(c);
        }
        LineBuffer top = LineBuffer.create(512);
        top.w("-A", KUBE_POSTROUTING, "-m", "mark", "!", "--mark", markMask, "-j", "RETURN").end();
        top.w("-A", KUBE_POSTROUTING, "-j", "MARK", "--xor-mark", mark).end();
        top.w("-A", KUBE_POSTROUTING, "-m", "comment", "--comment", "\"kubernetes service traffic requiring SNAT\"",
                "-j", "MASQUERADE");
        if (host.randomFully()) {
            top.w("--random-fully");
        }
        top.end();
        top.w("-A", KUBE_MARK_MASQ, "-j", "MARK", "--or-mark", mark).end();
        r.staticTop = top.toString();
        int topRules = top.lines();
        if (localhostNodePorts) {
            // kube-proxy's mitigation of route_localnet's martian hole (https://issue.k8s.io/90259)
            filterChains.chain(KUBE_FIREWALL);
            filterRules.w("-A", KUBE_FIREWALL, "-m", "comment", "--comment", "\"block incoming localnet connections\"",
                    "-d", "127.0.0.0/8", "!", "-s", "127.0.0.0/8", "-m", "conntrack", "!", "--ctstate",
                    "RELATED,ESTABLISHED,DNAT", "-j", "DROP").end();
        }

        // A partial sync rewrites the top-level nat chains only if a Service's rules in them changed, or a Service
        // went away (kube-proxy rewrites them every time: seconds at 10,000 Services with iptables-nft).
        boolean topChanged = full;
        int kept = 0;
        for (Map.Entry<ServicePortName, ServicePortInfo> e : state.services().entrySet()) {
            ServicePortName spn = e.getKey();
            ServiceRecord prev = full ? null : previous.services().get(spn);
            List<EndpointInfo> eps = state.endpointsOf(spn);
            Pieces p;
            if (prev != null) {
                kept++;
            }
            if (prev != null && !write.contains(spn.serviceKey()) && same(prev.info(), e.getValue())
                    && same(prev.allEndpoints(), eps)) {
                // partial sync, Service unchanged (checked, not only taken from changedServices): reuse
                p = new Pieces(prev.top(), List.of());
                filterRules.append(prev.filterRules(), prev.filterRuleCount());
                r.activeNatChains.addAll(prev.natChains());
                r.keptNatRules += prev.natRules();
                r.noLocalInternal += prev.noLocalInternal() ? 1 : 0;
                r.noLocalExternal += prev.noLocalExternal() ? 1 : 0;
                r.services.put(spn, prev);
            } else {
                p = renderService(r, filterRules, spn, e.getValue(), eps);
                topChanged |= prev == null || !prev.top().equals(p.top());
            }
            r.pieces.add(p);
            topRules += p.top().size();
        }

        // NodePorts last in KUBE-SERVICES (kube-proxy: "this must be the last rule in this chain")
        LineBuffer tail = LineBuffer.create(256);
        String npComment = "\"kubernetes service nodeports; NOTE: this must be the last rule in this chain\"";
        if (host.nodeIps() == null) {
            tail.w("-A", KUBE_SERVICES, "-m", "comment", "--comment", npComment, "-m", "addrtype", "--dst-type",
                    "LOCAL");
            if (!localhostNodePorts) {
                tail.w("!", "-d", "127.0.0.0/8");
            }
            tail.w("-j", KUBE_NODEPORTS).end();
        } else {
            for (String ip : host.nodeIps()) {
                if (ip.startsWith("127.") && !localhostNodePorts) {
                    continue; // kube-proxy: "--nodeport-addresses includes localhost but localhost NodePorts are off"
                }
                tail.w("-A", KUBE_SERVICES, "-m", "comment", "--comment", npComment, "-d", ip, "-j", KUBE_NODEPORTS)
                        .end();
            }
        }
        r.tail = tail.toString();
        r.natTopRules = topRules + tail.lines();
        if (!full && (kept != previous.services().size() || !r.tail.equals(previous.natTail()))) {
            topChanged = true;
        }

        if (!host.conntrackTcpLiberal()) {
            filterRules.w("-A", KUBE_FORWARD, "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP").end();
        }
        filterRules.w("-A", KUBE_FORWARD, "-m", "comment", "--comment", "\"kubernetes forwarding rules\"", "-m",
                "mark", "--mark", markMask, "-j", "ACCEPT").end();
        filterRules.w("-A", KUBE_FORWARD, "-m", "comment", "--comment", "\"kubernetes forwarding conntrack rule\"",
                "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT").end();
        r.filterText = "*filter\n" + filterChains + filterRules + "COMMIT\n";
        r.filterRules = filterRules.lines();
        r.filterChains = filterChains.lines();
        r.writeFilter = full || !r.filterText.equals(previous.filterText());
        r.writeNatTop = topChanged;
        return r;
    }

    /** Equality with the identity shortcut (unchanged Services usually arrive as the very same objects). */
    private static boolean same(Object a, Object b) {
        return a == b || a.equals(b);
    }

    private Pieces renderService(Rendering r, LineBuffer filterOut, ServicePortName spn, ServicePortInfo svc,
                                 List<EndpointInfo> all) {
        SvcNames n = namesOf(spn, svc);
        String name = n.name();
        String proto = n.protocol();
        String port = Integer.toString(svc.port());
        boolean externalLocal = svc.externallyAccessibleLocalOnly();
        boolean internalLocal = svc.internalPolicyLocal();

        EndpointCategories cat = EndpointCategories.of(svc, all);
        boolean hasEndpoints = cat.hasAny();
        boolean usesClusterPolicyChain = !cat.cluster().isEmpty() && cat.usesCluster();
        boolean usesLocalPolicyChain = !cat.local().isEmpty() && cat.usesLocal();

        String clusterPolicyChain = n.svc();
        String localPolicyChain = n.svl();
        String internalTrafficChain = clusterPolicyChain;
        boolean hasInternalEndpoints = hasEndpoints;
        if (internalLocal) {
            internalTrafficChain = localPolicyChain;
            if (cat.local().isEmpty()) {
                hasInternalEndpoints = false;
            }
        }
        String externalPolicyChain = clusterPolicyChain;
        boolean hasExternalEndpoints = hasEndpoints;
        if (externalLocal) {
            externalPolicyChain = localPolicyChain;
            if (cat.local().isEmpty()) {
                hasExternalEndpoints = false;
            }
        }
        String externalTrafficChain = n.ext();
        boolean usesExternalTrafficChain = hasEndpoints && svc.externallyAccessible();

        LineBuffer filter = LineBuffer.create(256);
        String internalFilterTarget = null;
        String internalFilterComment = null;
        String externalFilterTarget = null;
        String externalFilterComment = null;
        if (!hasEndpoints) {
            internalFilterTarget = "REJECT";
            internalFilterComment = "\"" + name + " has no endpoints\"";
            externalFilterTarget = "REJECT";
            externalFilterComment = internalFilterComment;
        } else {
            if (!hasInternalEndpoints) {
                internalFilterTarget = "DROP";
                internalFilterComment = "\"" + name + " has no local endpoints\"";
            }
            if (!hasExternalEndpoints) {
                externalFilterTarget = "DROP";
                externalFilterComment = "\"" + name + " has no local endpoints\"";
            }
        }
        boolean noLocalInternal = hasEndpoints && !hasInternalEndpoints;
        boolean noLocalExternal = hasEndpoints && !hasExternalEndpoints;
        if (noLocalInternal) {
            r.noLocalInternal++;
        }
        if (noLocalExternal) {
            r.noLocalExternal++;
        }

        List<TopRule> top = new ArrayList<>(2);
        LineBuffer line = LineBuffer.create(160);
        String clusterIpComment = "\"" + name + " cluster IP\"";

        // Capture the ClusterIP.
        if (hasInternalEndpoints) {
            top.add(new TopRule(internalTrafficChain, line.w("-A", KUBE_SERVICES, "-m", "comment", "--comment",
                    clusterIpComment, "-m", proto, "-p", proto, "-d", svc.clusterIP(), "--dport", port, "-j",
                    internalTrafficChain).end().take()));
        } else {
            filter.w("-A", KUBE_SERVICES, "-m", "comment", "--comment", internalFilterComment, "-m", proto, "-p", proto,
                    "-d", svc.clusterIP(), "--dport", port, "-j", internalFilterTarget).end();
        }

        // Capture externalIPs.
        for (String externalIP : svc.externalIPs()) {
            if (hasEndpoints) {
                top.add(new TopRule(externalTrafficChain, line.w("-A", KUBE_SERVICES, "-m", "comment", "--comment",
                        "\"" + name + " external IP\"", "-m", proto, "-p", proto, "-d", externalIP, "--dport", port,
                        "-j", externalTrafficChain).end().take()));
            }
            if (!hasExternalEndpoints) {
                filter.w("-A", KUBE_EXTERNAL_SERVICES, "-m", "comment", "--comment", externalFilterComment, "-m", proto,
                        "-p", proto, "-d", externalIP, "--dport", port, "-j", externalFilterTarget).end();
            }
        }

        // Capture load-balancer ingress.
        for (String lbip : svc.loadBalancerIPs()) {
            if (hasEndpoints) {
                top.add(new TopRule(externalTrafficChain, line.w("-A", KUBE_SERVICES, "-m", "comment", "--comment",
                        "\"" + name + " loadbalancer IP\"", "-m", proto, "-p", proto, "-d", lbip, "--dport", port,
                        "-j", externalTrafficChain).end().take()));
            }
        }
        if (!hasExternalEndpoints) {
            for (String lbip : svc.loadBalancerIPs()) {
                filter.w("-A", KUBE_EXTERNAL_SERVICES, "-m", "comment", "--comment", externalFilterComment, "-m", proto,
                        "-p", proto, "-d", lbip, "--dport", port, "-j", externalFilterTarget).end();
            }
        }

        // Capture NodePorts.
        if (svc.nodePort() != 0) {
            String nodePort = Integer.toString(svc.nodePort());
            if (hasEndpoints) {
                top.add(new TopRule(externalTrafficChain, line.w("-A", KUBE_NODEPORTS, "-m", "comment", "--comment",
                        name, "-m", proto, "-p", proto, "--dport", nodePort, "-j", externalTrafficChain).end().take()));
            }
            if (!hasExternalEndpoints) {
                filter.w("-A", KUBE_EXTERNAL_SERVICES, "-m", "comment", "--comment", externalFilterComment,
                        "-m", "addrtype", "--dst-type", "LOCAL", "-m", proto, "-p", proto, "--dport", nodePort,
                        "-j", externalFilterTarget).end();
            }
        }

        // Capture healthCheckNodePorts.
        if (svc.healthCheckNodePort() != 0) {
            filter.w("-A", KUBE_NODEPORTS, "-m", "comment", "--comment", "\"" + name + " health check node port\"",
                    "-m", "tcp", "-p", "tcp", "--dport", Integer.toString(svc.healthCheckNodePort()), "-j", "ACCEPT")
                    .end();
        }

        String filterText = filter.toString();
        filterOut.append(filterText, filter.lines());

        List<ChainBody> chains = new ArrayList<>(cat.reachable().size() + 3);
        boolean large = r.largeClusterMode;

        // Internal traffic: masquerade what does not come from a pod (or everything with masqueradeAll); the rule
        // opens the internal traffic chain.
        String internalMasq = null;
        if (hasInternalEndpoints) {
            if (config.masqueradeAll()) {
                internalMasq = line.w("-A", internalTrafficChain, "-m", "comment", "--comment", clusterIpComment, "-m",
                        proto, "-p", proto, "-d", svc.clusterIP(), "--dport", port, "-j", KUBE_MARK_MASQ).end().take();
            } else if (config.clusterCidr() != null) {
                internalMasq = line.w("-A", internalTrafficChain, "-m", "comment", "--comment", clusterIpComment, "-m",
                        proto, "-p", proto, "-d", svc.clusterIP(), "--dport", port, "!", "-s", config.clusterCidr(),
                        "-j", KUBE_MARK_MASQ).end().take();
            }
        }

        // External traffic.
        if (usesExternalTrafficChain) {
            LineBuffer ext = LineBuffer.create(512);
            if (!externalLocal) {
                ext.w("-A", externalTrafficChain, "-m", "comment", "--comment",
                        "\"masquerade traffic for " + name + " external destinations\"", "-j", KUBE_MARK_MASQ).end();
            } else {
                if (config.clusterCidr() != null) {
                    // pod -> external destination: as if it went out to the load balancer and came back
                    ext.w("-A", externalTrafficChain, "-m", "comment", "--comment",
                            "\"pod traffic for " + name + " external destinations\"", "-s", config.clusterCidr(),
                            "-j", clusterPolicyChain).end();
                }
                ext.w("-A", externalTrafficChain, "-m", "comment", "--comment",
                        "\"masquerade LOCAL traffic for " + name + " external destinations\"", "-m", "addrtype",
                        "--src-type", "LOCAL", "-j", KUBE_MARK_MASQ).end();
                ext.w("-A", externalTrafficChain, "-m", "comment", "--comment",
                        "\"route LOCAL traffic for " + name + " external destinations\"", "-m", "addrtype",
                        "--src-type", "LOCAL", "-j", clusterPolicyChain).end();
            }
            if (hasExternalEndpoints) {
                ext.w("-A", externalTrafficChain, "-j", externalPolicyChain).end();
            }
            chains.add(new ChainBody(externalTrafficChain, ext.toString(), ext.lines()));
        }

        if (usesClusterPolicyChain) {
            chains.add(policyChain(clusterPolicyChain, internalTrafficChain.equals(clusterPolicyChain) ? internalMasq
                    : null, name, proto, svc, cat.cluster(), large));
        }
        if (usesLocalPolicyChain) {
            chains.add(policyChain(localPolicyChain, internalTrafficChain.equals(localPolicyChain) ? internalMasq
                    : null, name, proto, svc, cat.local(), large));
        }

        // Per-endpoint chains (kube-proxy's layout only).
        if (!large) {
            for (EndpointInfo ep : cat.reachable()) {
                String sep = sepName(name, proto, ep);
                LineBuffer b = LineBuffer.create(256);
                b.w("-A", sep, "-m", "comment", "--comment", name, "-s", ep.ip(), "-j", KUBE_MARK_MASQ).end();
                b.w("-A", sep, "-m", "comment", "--comment", name);
                if (svc.clientIPAffinity()) {
                    b.w("-m", "recent", "--name", sep, "--set");
                }
                b.w("-m", proto, "-p", proto, "-j", "DNAT", "--to-destination", ep.address()).end();
                chains.add(new ChainBody(sep, b.toString(), b.lines()));
            }
        }
        List<String> names = new ArrayList<>(chains.size());
        int rules = 0;
        for (ChainBody b : chains) {
            names.add(b.chain());
            rules += b.lines();
        }
        r.activeNatChains.addAll(names);
        r.writtenChainRules += rules;
        r.services.put(spn, new ServiceRecord(svc, all, List.copyOf(names), rules, List.copyOf(cat.reachable()),
                hasEndpoints, List.copyOf(top), filterText, filter.lines(), noLocalInternal, noLocalExternal));
        return new Pieces(top, chains);
    }

    /** A KUBE-SVC / KUBE-SVL chain: the internal masquerade rule if it is the internal chain, then the spread. */
    private ChainBody policyChain(String chain, String masq, String name, String proto, ServicePortInfo svc,
                                  List<EndpointInfo> endpoints, boolean large) {
        LineBuffer b = LineBuffer.create(256 + endpoints.size() * 160);
        int lines = 0;
        StringBuilder text = new StringBuilder();
        if (masq != null) {
            text.append(masq);
            lines++;
        }
        if (large) {
            writeFlatEndpointRules(b, proto, svc, chain, endpoints, name);
        } else {
            writeServiceToEndpointRules(b, name, proto, svc, chain, endpoints);
        }
        text.append(b);
        return new ChainBody(chain, text.toString(), lines + b.lines());
    }

    /** kube-proxy's writeServiceToEndpointRules: affinity checks, then the random spread over KUBE-SEP chains. */
    private void writeServiceToEndpointRules(LineBuffer nat, String name, String proto, ServicePortInfo svc,
                                             String svcChain, List<EndpointInfo> endpoints) {
        if (svc.clientIPAffinity()) {
            String seconds = Integer.toString(svc.stickyMaxAgeSeconds());
            for (EndpointInfo ep : endpoints) {
                String sep = sepName(name, proto, ep);
                nat.w("-A", svcChain, "-m", "comment", "--comment", "\"" + name + " -> " + ep.address() + "\"",
                        "-m", "recent", "--name", sep, "--rcheck", "--seconds", seconds, "--reap", "-j", sep).end();
            }
        }
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            EndpointInfo ep = endpoints.get(i);
            nat.w("-A", svcChain, "-m", "comment", "--comment", "\"" + name + " -> " + ep.address() + "\"");
            if (i < n - 1) {
                nat.w("-m", "statistic", "--mode", "random", "--probability", probability(n - i));
            }
            nat.w("-j", sepName(name, proto, ep)).end();
        }
    }

    /**
     * Large cluster mode: what the KUBE-SEP chains did, inside the Service chain — masquerade traffic from the
     * endpoints (hairpin), refresh/check the affinity lists (still named after the KUBE-SEP chains), DNAT.
     */
    private void writeFlatEndpointRules(LineBuffer nat, String proto, ServicePortInfo svc, String svcChain,
                                        List<EndpointInfo> endpoints, String name) {
        for (EndpointInfo ep : endpoints) {
            nat.w("-A", svcChain, "-s", ep.ip(), "-j", KUBE_MARK_MASQ).end();
        }
        if (svc.clientIPAffinity()) {
            String seconds = Integer.toString(svc.stickyMaxAgeSeconds());
            for (EndpointInfo ep : endpoints) {
                String sep = sepName(name, proto, ep);
                nat.w("-A", svcChain, "-m", "recent", "--name", sep, "--rcheck", "--seconds", seconds, "--reap",
                        "-m", "recent", "--name", sep, "--set", "-m", proto, "-p", proto, "-j", "DNAT",
                        "--to-destination", ep.address()).end();
            }
        }
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            EndpointInfo ep = endpoints.get(i);
            nat.w("-A", svcChain);
            if (i < n - 1) {
                nat.w("-m", "statistic", "--mode", "random", "--probability", probability(n - i));
            }
            if (svc.clientIPAffinity()) {
                nat.w("-m", "recent", "--name", sepName(name, proto, ep), "--set");
            }
            nat.w("-m", proto, "-p", proto, "-j", "DNAT", "--to-destination", ep.address()).end();
        }
    }

    /** kube-proxy's computeProbability: {@code %0.10f} of 1/n, cached. */
    String probability(int n) {
        while (probabilities.size() <= n) {
            probabilities.add(String.format(Locale.ROOT, "%.10f", 1.0 / probabilities.size()));
        }
        return probabilities.get(n);
    }

    private SvcNames namesOf(ServicePortName spn, ServicePortInfo svc) {
        SvcNames n = svcNames.get(spn);
        String proto = svc.protocol().toLowerCase(Locale.ROOT);
        if (n == null || !n.protocol().equals(proto)) {
            String name = spn.toString();
            n = new SvcNames(name, proto, ChainNames.clusterPolicyChain(name, proto),
                    ChainNames.localPolicyChain(name, proto), ChainNames.externalChain(name, proto));
            svcNames.put(spn, n);
        }
        return n;
    }

    private String sepName(String name, String proto, EndpointInfo ep) {
        String key = name + proto + ep.address();
        return sepNames.computeIfAbsent(key, k -> ChainNames.SEP_PREFIX + ChainNames.hash16(k));
    }
}
