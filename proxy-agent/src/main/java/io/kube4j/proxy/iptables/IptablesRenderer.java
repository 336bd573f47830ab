package io.kube4j.proxy.iptables;

import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
 * <p>Differences from kube-proxy, on purpose: Services and endpoints are rendered in sorted order (kube-proxy walks
 * Go maps) so that the output is deterministic; the masquerade mark is written as iptables prints it
 * ({@code 0x4000}, kube-proxy passes {@code 0x00004000}); loadBalancerSourceRanges (KUBE-FW chains), topology
 * hints and nfacct counters are not modelled. Not thread-safe: one sync thread.
 */
final class IptablesRenderer {

    /** kube-proxy's largeClusterEndpointsThreshold: above it, per-endpoint comments are dropped. */
    static final int LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;

    /** Inputs that come from the host rather than from the state. */
    record HostFacts(boolean randomFully, boolean conntrackTcpLiberal, List<String> nodeIps) {
    }

    /** Chain names of one Service port, computed once (hashing is the costly part of rendering). */
    private record SvcNames(String name, String protocol, String svc, String svl, String ext) {
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

    /** One rendering: the four buffers and what the proxier must remember if it is applied. */
    static final class Rendering {
        final LineBuffer filterChains = LineBuffer.create(1 << 10);
        final LineBuffer filterRules;
        final LineBuffer natChains;
        final LineBuffer natRules;
        final Set<String> activeNatChains;
        final Map<ServicePortName, ServiceRecord> services = new HashMap<>();
        final boolean full;
        boolean largeClusterMode;
        int totalEndpoints;
        int skippedNatRules;
        int deletedChains;
        int noLocalInternal;
        int noLocalExternal;

        Rendering(boolean full, int services) {
            this.full = full;
            this.filterRules = LineBuffer.create(1 << 12);
            this.natChains = LineBuffer.create(full ? services * 200 + 1024 : 1 << 14);
            this.natRules = LineBuffer.create(full ? services * 1200 + 4096 : services * 150 + 4096);
            this.activeNatChains = new LinkedHashSet<>(services * 8);
        }

        /** Flushes and deletes a stale chain in this same restore. */
        void deleteNatChain(String chain) {
            natChains.chain(chain);
            natRules.w("-X").w(chain).end();
            deletedChains++;
        }

        /** The iptables-restore input: filter, then nat, each committed. */
        String text() {
            StringBuilder out = new StringBuilder(64 + natChains.toString().length() + natRules.toString().length()
                    + filterRules.toString().length() + filterChains.toString().length());
            out.append("*filter\n");
            filterChains.appendTo(out);
            filterRules.appendTo(out);
            out.append("COMMIT\n*nat\n");
            natChains.appendTo(out);
            natRules.appendTo(out);
            out.append("COMMIT\n");
            return out.toString();
        }

        int filterRuleCount() {
            return filterRules.lines();
        }

        /** nat rules in place after this rendering is applied (written + left alone, without the -X lines). */
        int natRuleCount() {
            return natRules.lines() - deletedChains + skippedNatRules;
        }

        /** Chains of both tables in place after this rendering is applied. */
        int chainCount() {
            return filterChains.lines() + 4 + activeNatChains.size();
        }
    }

    /**
     * Renders {@code state}.
     *
     * @param state    what to implement
     * @param write    null: write every Service's chains (full sync); else only the Services (ns/name) in it, the
     *                 others keep their chains as {@code previous} records them (partial sync)
     * @param previous what the last successful sync applied (used when {@code write} is not null)
     * @param host     facts about the host
     */
    Rendering render(ProxyState state, Set<String> write, Map<ServicePortName, ServiceRecord> previous,
                     HostFacts host) {
        boolean full = write == null;
        Rendering r = new Rendering(full, state.services().size());
        if (full) {
            // drop names of Services that are gone; the next maps only hold what this sync uses
            svcNames = new HashMap<>(svcNames.size() + 16);
            sepNames = new HashMap<>(sepNames.size() + 16);
        }
        for (String c : List.of(KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS,
                KUBE_PROXY_FIREWALL)) {
            r.filterChains.chain(c);
        }
        for (String c : List.of(KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ)) {
            r.natChains.chain(c);
        }
        LineBuffer nat = r.natRules;
        nat.w("-A", KUBE_POSTROUTING, "-m", "mark", "!", "--mark", markMask, "-j", "RETURN").end();
        nat.w("-A", KUBE_POSTROUTING, "-j", "MARK", "--xor-mark", mark).end();
        nat.w("-A", KUBE_POSTROUTING, "-m", "comment", "--comment", "\"kubernetes service traffic requiring SNAT\"",
                "-j", "MASQUERADE");
        if (host.randomFully()) {
            nat.w("--random-fully");
        }
        nat.end();
        nat.w("-A", KUBE_MARK_MASQ, "-j", "MARK", "--or-mark", mark).end();
        if (localhostNodePorts) {
            // kube-proxy's mitigation of route_localnet's martian hole (https://issue.k8s.io/90259)
            r.filterChains.chain(KUBE_FIREWALL);
            r.filterRules.w("-A", KUBE_FIREWALL, "-m", "comment", "--comment", "\"block incoming localnet connections\"",
                    "-d", "127.0.0.0/8", "!", "-s", "127.0.0.0/8", "-m", "conntrack", "!", "--ctstate",
                    "RELATED,ESTABLISHED,DNAT", "-j", "DROP").end();
        }

        int totalEndpoints = 0;
        for (ServicePortName name : state.services().keySet()) {
            totalEndpoints += state.endpointsOf(name).size();
        }
        r.totalEndpoints = totalEndpoints;
        r.largeClusterMode = totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD;

        LineBuffer skipped = LineBuffer.discarding();
        for (Map.Entry<ServicePortName, ServicePortInfo> e : state.services().entrySet()) {
            ServicePortName spn = e.getKey();
            ServicePortInfo svc = e.getValue();
            ServiceRecord prev = full ? null : previous.get(spn);
            boolean writeChains = full || prev == null || write.contains(spn.serviceKey());
            renderService(r, spn, svc, state.endpointsOf(spn), writeChains ? null : prev, skipped);
        }

        // NodePorts last in KUBE-SERVICES (kube-proxy: "this must be the last rule in this chain")
        String npComment = "\"kubernetes service nodeports; NOTE: this must be the last rule in this chain\"";
        if (host.nodeIps() == null) {
            nat.w("-A", KUBE_SERVICES, "-m", "comment", "--comment", npComment, "-m", "addrtype", "--dst-type", "LOCAL");
            if (!localhostNodePorts) {
                nat.w("!", "-d", "127.0.0.0/8");
            }
            nat.w("-j", KUBE_NODEPORTS).end();
        } else {
            for (String ip : host.nodeIps()) {
                if (ip.startsWith("127.") && !localhostNodePorts) {
                    continue; // kube-proxy: "--nodeport-addresses includes localhost but localhost NodePorts are off"
                }
                nat.w("-A", KUBE_SERVICES, "-m", "comment", "--comment", npComment, "-d", ip, "-j", KUBE_NODEPORTS).end();
            }
        }

        LineBuffer filter = r.filterRules;
        if (!host.conntrackTcpLiberal()) {
            filter.w("-A", KUBE_FORWARD, "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP").end();
        }
        filter.w("-A", KUBE_FORWARD, "-m", "comment", "--comment", "\"kubernetes forwarding rules\"", "-m", "mark",
                "--mark", markMask, "-j", "ACCEPT").end();
        filter.w("-A", KUBE_FORWARD, "-m", "comment", "--comment", "\"kubernetes forwarding conntrack rule\"", "-m",
                "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT").end();
        return r;
    }

    private void renderService(Rendering r, ServicePortName spn, ServicePortInfo svc, List<EndpointInfo> all,
                               ServiceRecord keep, LineBuffer skipped) {
        SvcNames n = namesOf(spn, svc);
        String name = n.name();
        String proto = n.protocol();
        String port = Integer.toString(svc.port());
        boolean externallyAccessible = svc.nodePort() > 0 || !svc.externalIPs().isEmpty()
                || !svc.loadBalancerIPs().isEmpty();
        boolean externalLocal = svc.externalPolicyLocal() && externallyAccessible;
        boolean internalLocal = svc.internalPolicyLocal();

        Categorized cat = categorize(all, internalLocal, externalLocal, externallyAccessible);
        boolean hasEndpoints = cat.hasAny;
        boolean usesClusterPolicyChain = !cat.cluster.isEmpty() && cat.usesCluster;
        boolean usesLocalPolicyChain = !cat.local.isEmpty() && cat.usesLocal;

        String clusterPolicyChain = n.svc();
        String localPolicyChain = n.svl();
        String internalTrafficChain = clusterPolicyChain;
        boolean hasInternalEndpoints = hasEndpoints;
        if (internalLocal) {
            internalTrafficChain = localPolicyChain;
            if (cat.local.isEmpty()) {
                hasInternalEndpoints = false;
            }
        }
        String externalPolicyChain = clusterPolicyChain;
        boolean hasExternalEndpoints = hasEndpoints;
        if (externalLocal) {
            externalPolicyChain = localPolicyChain;
            if (cat.local.isEmpty()) {
                hasExternalEndpoints = false;
            }
        }
        String externalTrafficChain = n.ext();
        boolean usesExternalTrafficChain = hasEndpoints && externallyAccessible;

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
                r.noLocalInternal++;
            }
            if (!hasExternalEndpoints) {
                externalFilterTarget = "DROP";
                externalFilterComment = "\"" + name + " has no local endpoints\"";
                r.noLocalExternal++;
            }
        }

        LineBuffer filter = r.filterRules;
        LineBuffer nat = r.natRules;
        String clusterIpComment = "\"" + name + " cluster IP\"";

        // Capture the ClusterIP.
        if (hasInternalEndpoints) {
            nat.w("-A", KUBE_SERVICES, "-m", "comment", "--comment", clusterIpComment, "-m", proto, "-p", proto,
                    "-d", svc.clusterIP(), "--dport", port, "-j", internalTrafficChain).end();
        } else {
            filter.w("-A", KUBE_SERVICES, "-m", "comment", "--comment", internalFilterComment, "-m", proto, "-p", proto,
                    "-d", svc.clusterIP(), "--dport", port, "-j", internalFilterTarget).end();
        }

        // Capture externalIPs.
        for (String externalIP : svc.externalIPs()) {
            if (hasEndpoints) {
                nat.w("-A", KUBE_SERVICES, "-m", "comment", "--comment", "\"" + name + " external IP\"", "-m", proto,
                        "-p", proto, "-d", externalIP, "--dport", port, "-j", externalTrafficChain).end();
            }
            if (!hasExternalEndpoints) {
                filter.w("-A", KUBE_EXTERNAL_SERVICES, "-m", "comment", "--comment", externalFilterComment, "-m", proto,
                        "-p", proto, "-d", externalIP, "--dport", port, "-j", externalFilterTarget).end();
            }
        }

        // Capture load-balancer ingress.
        for (String lbip : svc.loadBalancerIPs()) {
            if (hasEndpoints) {
                nat.w("-A", KUBE_SERVICES, "-m", "comment", "--comment", "\"" + name + " loadbalancer IP\"", "-m",
                        proto, "-p", proto, "-d", lbip, "--dport", port, "-j", externalTrafficChain).end();
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
                nat.w("-A", KUBE_NODEPORTS, "-m", "comment", "--comment", name, "-m", proto, "-p", proto,
                        "--dport", nodePort, "-j", externalTrafficChain).end();
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

        List<EndpointInfo> reachable = cat.reachable;
        if (keep != null) {
            // Partial sync, Service unchanged: its chains stay as they are in the kernel.
            r.activeNatChains.addAll(keep.natChains());
            r.skippedNatRules += keep.natRules();
            r.services.put(spn, keep);
            return;
        }

        List<String> chains = new ArrayList<>(reachable.size() + 3);
        int rulesBefore = nat.lines();

        // Internal traffic: masquerade what does not come from a pod (or everything with masqueradeAll).
        if (hasInternalEndpoints) {
            if (config.masqueradeAll()) {
                nat.w("-A", internalTrafficChain, "-m", "comment", "--comment", clusterIpComment, "-m", proto, "-p",
                        proto, "-d", svc.clusterIP(), "--dport", port, "-j", KUBE_MARK_MASQ).end();
            } else if (config.clusterCidr() != null) {
                nat.w("-A", internalTrafficChain, "-m", "comment", "--comment", clusterIpComment, "-m", proto, "-p",
                        proto, "-d", svc.clusterIP(), "--dport", port, "!", "-s", config.clusterCidr(), "-j",
                        KUBE_MARK_MASQ).end();
            }
        }

        // External traffic.
        if (usesExternalTrafficChain) {
            r.natChains.chain(externalTrafficChain);
            chains.add(externalTrafficChain);
            if (!externalLocal) {
                nat.w("-A", externalTrafficChain, "-m", "comment", "--comment",
                        "\"masquerade traffic for " + name + " external destinations\"", "-j", KUBE_MARK_MASQ).end();
            } else {
                if (config.clusterCidr() != null) {
                    // pod -> external destination: as if it went out to the load balancer and came back
                    nat.w("-A", externalTrafficChain, "-m", "comment", "--comment",
                            "\"pod traffic for " + name + " external destinations\"", "-s", config.clusterCidr(),
                            "-j", clusterPolicyChain).end();
                }
                nat.w("-A", externalTrafficChain, "-m", "comment", "--comment",
                        "\"masquerade LOCAL traffic for " + name + " external destinations\"", "-m", "addrtype",
                        "--src-type", "LOCAL", "-j", KUBE_MARK_MASQ).end();
                nat.w("-A", externalTrafficChain, "-m", "comment", "--comment",
                        "\"route LOCAL traffic for " + name + " external destinations\"", "-m", "addrtype",
                        "--src-type", "LOCAL", "-j", clusterPolicyChain).end();
            }
            if (hasExternalEndpoints) {
                nat.w("-A", externalTrafficChain, "-j", externalPolicyChain).end();
            }
        }

        boolean large = r.largeClusterMode;
        if (usesClusterPolicyChain) {
            r.natChains.chain(clusterPolicyChain);
            chains.add(clusterPolicyChain);
            writeServiceToEndpointRules(nat, name, proto, svc, clusterPolicyChain, cat.cluster, large);
        }
        if (usesLocalPolicyChain) {
            r.natChains.chain(localPolicyChain);
            chains.add(localPolicyChain);
            writeServiceToEndpointRules(nat, name, proto, svc, localPolicyChain, cat.local, large);
        }

        // Per-endpoint chains.
        for (EndpointInfo ep : reachable) {
            String sep = sepName(name, proto, ep);
            r.natChains.chain(sep);
            chains.add(sep);
            nat.w("-A", sep);
            if (!large) {
                nat.w("-m", "comment", "--comment", name);
            }
            nat.w("-s", ep.ip(), "-j", KUBE_MARK_MASQ).end();
            nat.w("-A", sep);
            if (!large) {
                nat.w("-m", "comment", "--comment", name);
            }
            if (svc.clientIPAffinity()) {
                nat.w("-m", "recent", "--name", sep, "--set");
            }
            nat.w("-m", proto, "-p", proto, "-j", "DNAT", "--to-destination", ep.address()).end();
        }
        r.activeNatChains.addAll(chains);
        r.services.put(spn, new ServiceRecord(svc, List.copyOf(chains), nat.lines() - rulesBefore, List.copyOf(reachable),
                hasEndpoints));
    }

    private void writeServiceToEndpointRules(LineBuffer nat, String name, String proto, ServicePortInfo svc,
                                             String svcChain, List<EndpointInfo> endpoints, boolean large) {
        if (svc.clientIPAffinity()) {
            String seconds = Integer.toString(svc.stickyMaxAgeSeconds());
            for (EndpointInfo ep : endpoints) {
                String sep = sepName(name, proto, ep);
                nat.w("-A", svcChain);
                if (!large) {
                    nat.w("-m", "comment", "--comment", "\"" + name + " -> " + ep.address() + "\"");
                }
                nat.w("-m", "recent", "--name", sep, "--rcheck", "--seconds", seconds, "--reap", "-j", sep).end();
            }
        }
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            EndpointInfo ep = endpoints.get(i);
            nat.w("-A", svcChain);
            if (!large) {
                nat.w("-m", "comment", "--comment", "\"" + name + " -> " + ep.address() + "\"");
            }
            if (i < n - 1) {
                nat.w("-m", "statistic", "--mode", "random", "--probability", probability(n - i));
            }
            nat.w("-j", sepName(name, proto, ep)).end();
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

    /** kube-proxy's {@code CategorizeEndpoints} (without topology hints). */
    record Categorized(List<EndpointInfo> cluster, List<EndpointInfo> local, List<EndpointInfo> reachable,
                       boolean hasAny, boolean usesCluster, boolean usesLocal) {
    }

    static Categorized categorize(List<EndpointInfo> endpoints, boolean internalLocal, boolean externalLocal,
                                  boolean externallyAccessible) {
        boolean usesCluster = !internalLocal || (externallyAccessible && !externalLocal);
        boolean usesLocal = internalLocal || (externallyAccessible && externalLocal);
        List<EndpointInfo> cluster = List.of();
        boolean hasAny = false;
        if (usesCluster) {
            cluster = new ArrayList<>(endpoints.size());
            for (EndpointInfo ep : endpoints) {
                if (ep.ready()) {
                    cluster.add(ep);
                }
            }
            if (cluster.isEmpty()) {
                // no ready endpoint anywhere: fall back to serving, terminating ones
                for (EndpointInfo ep : endpoints) {
                    if (ep.serving() && ep.terminating()) {
                        cluster.add(ep);
                    }
                }
            }
            hasAny = !cluster.isEmpty();
        }
        if (!usesLocal) {
            return new Categorized(cluster, List.of(), cluster, hasAny, true, false);
        }
        boolean localReady = false;
        boolean localServingTerminating = false;
        for (EndpointInfo ep : endpoints) {
            if (ep.ready()) {
                hasAny = true;
                localReady |= ep.local();
            } else if (ep.serving() && ep.terminating()) {
                hasAny = true;
                localServingTerminating |= ep.local();
            }
        }
        List<EndpointInfo> local = new ArrayList<>();
        if (localReady) {
            for (EndpointInfo ep : endpoints) {
                if (ep.local() && ep.ready()) {
                    local.add(ep);
                }
            }
        } else if (localServingTerminating) {
            for (EndpointInfo ep : endpoints) {
                if (ep.local() && ep.serving() && ep.terminating()) {
                    local.add(ep);
                }
            }
        }
        if (!usesCluster) {
            return new Categorized(cluster, local, local, hasAny, false, true);
        }
        // remote endpoints of the cluster list plus local (maybe terminating) ones, in the state's order
        Set<EndpointInfo> both = new LinkedHashSet<>(cluster);
        both.addAll(local);
        List<EndpointInfo> reachable = new ArrayList<>(both.size());
        for (EndpointInfo ep : endpoints) {
            if (both.contains(ep)) {
                reachable.add(ep);
            }
        }
        return new Categorized(cluster, local, reachable, hasAny, true, true);
    }
}
