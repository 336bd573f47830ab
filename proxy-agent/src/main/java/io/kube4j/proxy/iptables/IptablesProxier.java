package io.kube4j.proxy.iptables;

import io.kube4j.proxy.Proxier;
import io.kube4j.proxy.ProxySyncException;
import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.exec.CommandRunner.CommandException;
import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.kube4j.proxy.iptables.ChainNames.KUBE_EXTERNAL_SERVICES;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_FIREWALL;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_FORWARD;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_MARK_MASQ;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_NODEPORTS;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_POSTROUTING;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_PROXY_CANARY;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_PROXY_FIREWALL;
import static io.kube4j.proxy.iptables.ChainNames.KUBE_SERVICES;

/**
 * The iptables proxy mode (kube-proxy's default, {@code pkg/proxy/iptables}): each sync renders the whole rule set
 * (or, in a partial sync, the top-level chains plus the chains of the changed Services) and applies filter and nat
 * in one {@code iptables-restore --noflush}, deleting stale per-Service chains in the same input, so that every
 * sync is atomic. Jumps from the built-in chains are ensured with {@code iptables -C}/{@code -I} on full syncs only
 * when missing. After a sync, conntrack entries of UDP flows to removed endpoints are deleted.
 *
 * <p>Where it differs from kube-proxy, on purpose: the output is deterministic (sorted Services and endpoints);
 * stale chains are found from {@code iptables-save} only on full syncs (partial syncs know them from memory);
 * {@link #cleanup()} also removes KUBE-FIREWALL, which kube-proxy leaves to kubelet (kube4j has no kubelet that
 * would own it); there is no canary-chain monitor (the sync loop's periodic full sync repairs tampering).
 */
public final class IptablesProxier implements Proxier {

    private static final Logger log = LoggerFactory.getLogger(IptablesProxier.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> IPTABLES = List.of("iptables", "-w", "5", "-W", "100000");
    private static final List<String> RESTORE = List.of("iptables-restore", "-w", "5", "-W", "100000", "--noflush",
            "--counters");
    private static final Pattern RESTORE_LINE = Pattern.compile("line:? (\\d+)");
    private static final Pattern INET = Pattern.compile("\\binet (\\d+\\.\\d+\\.\\d+\\.\\d+)/");
    private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+)");

    /** A jump from a built-in chain to one of ours (kube-proxy's {@code iptablesJumpChain}). */
    record Jump(String table, String dstChain, String srcChain, String comment, List<String> extraArgs) {

        /** The rule's arguments as given to {@code iptables -C/-I/-D}. */
        List<String> args() {
            List<String> a = new ArrayList<>(extraArgs);
            if (!comment.isEmpty()) {
                a.addAll(List.of("-m", "comment", "--comment", comment));
            }
            a.addAll(List.of("-j", dstChain));
            return a;
        }

        /** The rule as {@code iptables-save} prints it. */
        String saved() {
            StringBuilder b = new StringBuilder("-A ").append(srcChain);
            for (String x : extraArgs) {
                b.append(' ').append(x);
            }
            if (!comment.isEmpty()) {
                b.append(" -m comment --comment \"").append(comment).append('"');
            }
            return b.append(" -j ").append(dstChain).toString();
        }
    }

    private static final List<String> NEW = List.of("-m", "conntrack", "--ctstate", "NEW");

    /** kube-proxy's iptablesJumpChains followed by the kubelet's KUBE-FIREWALL jumps, in kube-proxy's order. */
    static final List<Jump> JUMPS = List.of(
            new Jump("filter", KUBE_EXTERNAL_SERVICES, "INPUT", "kubernetes externally-visible service portals", NEW),
            new Jump("filter", KUBE_EXTERNAL_SERVICES, "FORWARD", "kubernetes externally-visible service portals", NEW),
            new Jump("filter", KUBE_NODEPORTS, "INPUT", "kubernetes health check service ports", List.of()),
            new Jump("filter", KUBE_SERVICES, "FORWARD", "kubernetes service portals", NEW),
            new Jump("filter", KUBE_SERVICES, "OUTPUT", "kubernetes service portals", NEW),
            new Jump("filter", KUBE_FORWARD, "FORWARD", "kubernetes forwarding rules", List.of()),
            new Jump("filter", KUBE_PROXY_FIREWALL, "INPUT", "kubernetes load balancer firewall", NEW),
            new Jump("filter", KUBE_PROXY_FIREWALL, "OUTPUT", "kubernetes load balancer firewall", NEW),
            new Jump("filter", KUBE_PROXY_FIREWALL, "FORWARD", "kubernetes load balancer firewall", NEW),
            new Jump("nat", KUBE_SERVICES, "OUTPUT", "kubernetes service portals", List.of()),
            new Jump("nat", KUBE_SERVICES, "PREROUTING", "kubernetes service portals", List.of()),
            new Jump("nat", KUBE_POSTROUTING, "POSTROUTING", "kubernetes postrouting rules", List.of()),
            new Jump("filter", KUBE_FIREWALL, "INPUT", "", List.of()),
            new Jump("filter", KUBE_FIREWALL, "OUTPUT", "", List.of()));

    /** Chains cleanup() flushes and deletes besides the per-Service ones (kube-proxy's CleanupLeftovers + KUBE-FIREWALL). */
    static final Map<String, List<String>> CLEANUP_CHAINS = Map.of(
            "nat", List.of(KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ, KUBE_PROXY_CANARY),
            "filter", List.of(KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL,
                    KUBE_PROXY_CANARY, KUBE_FIREWALL));

    /**
     * Settings of the iptables proxier (kube-proxy's {@code --cluster-cidr}, {@code --masquerade-all},
     * {@code --iptables-masquerade-bit}, {@code --nodeport-addresses}, {@code --iptables-localhost-nodeports}).
     *
     * @param nodeName           this node's name (endpoints on it are "local")
     * @param clusterCidr        the pod network ({@code 10.244.0.0/16}); traffic to a ClusterIP from outside it is
     *                           masqueraded; null: kube-proxy's no-op local-traffic detector (no such rule, no
     *                           pod short-circuit in KUBE-EXT chains)
     * @param masqueradeAll      masquerade every packet sent to a ClusterIP
     * @param masqueradeBit      the fwmark bit marking packets to masquerade (14 → {@code 0x4000}), 0..31
     * @param nodePortAddresses  CIDRs whose local addresses answer NodePorts; empty: every local address
     *                           ({@code -m addrtype --dst-type LOCAL})
     * @param localhostNodePorts NodePorts also answer on 127.0.0.0/8 (sets {@code route_localnet=1} and installs the
     *                           martian-protection rule in KUBE-FIREWALL); ignored when nodePortAddresses excludes
     *                           loopback, as in kube-proxy
     * @param restoreTimeout     how long one iptables-restore (or iptables-save) may take
     */
    public record Config(String nodeName, String clusterCidr, boolean masqueradeAll, int masqueradeBit,
                                 List<String> nodePortAddresses, boolean localhostNodePorts, Duration restoreTimeout) {

        /** kube-proxy's default masquerade bit (mark 0x4000). */
        public static final int DEFAULT_MASQUERADE_BIT = 14;

        public Config {
            if (nodeName == null || nodeName.isBlank()) {
                throw new IllegalArgumentException("iptables proxier: nodeName is required");
            }
            if (clusterCidr != null && clusterCidr.isBlank()) {
                clusterCidr = null;
            }
            if (clusterCidr != null) {
                clusterCidr = Ipv4Cidr.parse("iptables proxier clusterCidr", clusterCidr).text();
            }
            if (masqueradeBit < 0 || masqueradeBit > 31) {
                throw new IllegalArgumentException("iptables proxier: masqueradeBit must be 0..31, got " + masqueradeBit);
            }
            nodePortAddresses = nodePortAddresses == null ? List.of() : List.copyOf(nodePortAddresses);
            for (String c : nodePortAddresses) {
                Ipv4Cidr.parse("iptables proxier nodePortAddresses", c);
            }
            if (restoreTimeout == null) {
                restoreTimeout = Duration.ofSeconds(60);
            }
            if (restoreTimeout.isNegative() || restoreTimeout.isZero()) {
                throw new IllegalArgumentException("iptables proxier: restoreTimeout must be positive, got " + restoreTimeout);
            }
        }

        /** kube-proxy's defaults for {@code nodeName}: no cluster CIDR, bit 14, all addresses, localhost NodePorts. */
        public static Config defaults(String nodeName) {
            return new Config(nodeName, null, false, DEFAULT_MASQUERADE_BIT, List.of(), true, Duration.ofSeconds(60));
        }

        public Config withClusterCidr(String cidr) {
            return new Config(nodeName, cidr, masqueradeAll, masqueradeBit, nodePortAddresses, localhostNodePorts,
                    restoreTimeout);
        }

        public Config withMasqueradeAll(boolean all) {
            return new Config(nodeName, clusterCidr, all, masqueradeBit, nodePortAddresses, localhostNodePorts,
                    restoreTimeout);
        }

        public Config withNodePortAddresses(List<String> cidrs) {
            return new Config(nodeName, clusterCidr, masqueradeAll, masqueradeBit, cidrs, localhostNodePorts,
                    restoreTimeout);
        }

        public Config withLocalhostNodePorts(boolean enabled) {
            return new Config(nodeName, clusterCidr, masqueradeAll, masqueradeBit, nodePortAddresses, enabled,
                    restoreTimeout);
        }

        /** The masquerade mark as iptables prints it ({@code 0x4000} for bit 14). */
        public String masqueradeMark() {
            return "0x" + Integer.toHexString(1 << masqueradeBit);
        }

        /**
         * Whether NodePorts answer on localhost: requested, and loopback is among the NodePort addresses (all addresses,
         * or a CIDR containing 127.0.0.1) — kube-proxy's {@code ContainsIPv4Loopback} rule.
         */
        public boolean effectiveLocalhostNodePorts() {
            if (!localhostNodePorts) {
                return false;
            }
            if (nodePortAddresses.isEmpty()) {
                return true;
            }
            return nodePortAddresses.stream().anyMatch(c -> Ipv4Cidr.parse("nodePortAddresses", c).contains("127.0.0.1"));
        }
    }

    /** What the last successful sync applied. */
    private record Applied(Map<ServicePortName, ServiceRecord> services, Set<String> natChains,
                           boolean largeClusterMode, String filterText, String natTail) {
    }

    private final Config config;
    private final CommandRunner runner;
    private final IptablesRenderer renderer;
    private final Counter restoreFailures;
    private final Counter partialRestoreFailures;
    private final AtomicInteger filterRules = new AtomicInteger();
    private final AtomicInteger natRules = new AtomicInteger();
    private final AtomicInteger noLocalInternal = new AtomicInteger();
    private final AtomicInteger noLocalExternal = new AtomicInteger();

    private Applied applied;
    private boolean needFullSync = true;
    /** A restore failed: it may have committed some sections, so the next full sync re-reads the tables. */
    private boolean rescan;
    private boolean hostPrepared;
    private boolean randomFully;
    private boolean conntrackTcpLiberal;

    public IptablesProxier(Config config, CommandRunner runner, MeterRegistry meters) {
        this.config = Objects.requireNonNull(config, "config");
        this.runner = Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(meters, "meters");
        this.renderer = new IptablesRenderer(config);
        this.restoreFailures = Counter.builder("kubeproxy_sync_proxy_rules_iptables_restore_failures_total")
                .description("Cumulative proxy iptables restore failures").register(meters);
        this.partialRestoreFailures = Counter.builder(
                        "kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total")
                .description("Cumulative proxy iptables partial restore failures").register(meters);
        Gauge.builder("kubeproxy_sync_proxy_rules_iptables_total", filterRules, AtomicInteger::get)
                .tag("table", "filter").description("Total number of iptables rules owned by kube-proxy")
                .register(meters);
        Gauge.builder("kubeproxy_sync_proxy_rules_iptables_total", natRules, AtomicInteger::get)
                .tag("table", "nat").description("Total number of iptables rules owned by kube-proxy")
                .register(meters);
        Gauge.builder("kubeproxy_sync_proxy_rules_no_local_endpoints_total", noLocalInternal, AtomicInteger::get)
                .tag("traffic_policy", "internal")
                .description("Number of services with a Local traffic policy and no endpoints").register(meters);
        Gauge.builder("kubeproxy_sync_proxy_rules_no_local_endpoints_total", noLocalExternal, AtomicInteger::get)
                .tag("traffic_policy", "external")
                .description("Number of services with a Local traffic policy and no endpoints").register(meters);
    }

    @Override
    public String mode() {
        return "iptables";
    }

    public Config config() {
        return config;
    }

    @Override
    public synchronized SyncResult sync(ProxyState state, boolean full) {
        Objects.requireNonNull(state, "state");
        boolean doFull = full || needFullSync || applied == null
                || applied.largeClusterMode() != isLargeCluster(state);
        long applyNanos = 0;
        SavedTables saved = null;
        List<String> nodeIps;
        try {
            long t = System.nanoTime();
            if (doFull) {
                prepareHost();
                if (applied == null || rescan) {
                    // first sync of this instance (or after a failed restore): learn what is there (chains left by a
                    // previous process, jumps). Other full syncs know their chains from memory: iptables-save of a
                    // 10k-Service table costs seconds with the nft backend.
                    saved = SavedTables.parse(save());
                    rescan = false;
                }
                ensureJumps(saved);
            }
            nodeIps = config.nodePortAddresses().isEmpty() ? null : nodePortIps();
            applyNanos += System.nanoTime() - t;
        } catch (CommandException e) {
            needFullSync = true;
            throw new ProxySyncException("iptables proxier: cannot prepare the sync: " + e.getMessage(), e);
        }

        long renderStart = System.nanoTime();
        IptablesRenderer.Rendering r = renderer.render(state, doFull ? null : state.changedServices(),
                doFull ? null : new IptablesRenderer.Previous(applied.services(), applied.filterText(),
                        applied.natTail()),
                new IptablesRenderer.HostFacts(randomFully, conntrackTcpLiberal, nodeIps));
        Set<String> stale = new TreeSet<>();
        if (doFull) {
            // chains left by a previous process (first sync), by us (memory), or both (after a failed restore; a
            // remembered chain that is gone is simply re-created by its chain line, then deleted)
            Set<String> existing = new HashSet<>();
            if (saved != null) {
                existing.addAll(saved.chains("nat"));
            }
            if (applied != null) {
                existing.addAll(applied.natChains());
            }
            for (String chain : existing) {
                if (ChainNames.isServiceChain(chain) && !r.activeNatChains.contains(chain)) {
                    stale.add(chain);
                }
            }
        } else {
            for (String chain : applied.natChains()) {
                if (!r.activeNatChains.contains(chain)) {
                    stale.add(chain);
                }
            }
        }
        byte[] input = r.text(stale).getBytes(StandardCharsets.US_ASCII);
        long renderNanos = System.nanoTime() - renderStart;

        if (input.length > 0) {
            long restoreStart = System.nanoTime();
            restore(input, doFull);
            applyNanos += System.nanoTime() - restoreStart;
        }

        Applied before = applied;
        applied = new Applied(Map.copyOf(r.services), Set.copyOf(r.activeNatChains), r.largeClusterMode,
                r.filterText, r.tail);
        needFullSync = false;
        filterRules.set(r.filterRules);
        natRules.set(r.natRuleCount());
        noLocalInternal.set(r.noLocalInternal);
        noLocalExternal.set(r.noLocalExternal);
        if (before != null) {
            clearStaleConntrack(before.services(), applied.services());
        }
        log.debug("iptables {} sync: {} services, {} endpoints, {} stale chains deleted, {} bytes restored",
                doFull ? "full" : "partial", state.services().size(), r.totalEndpoints, stale.size(), input.length);
        return new SyncResult(doFull, r.filterRules + r.natRuleCount(), r.chainCount(),
                Duration.ofNanos(renderNanos), Duration.ofNanos(applyNanos));
    }

    /** The restore input a full sync of {@code state} would apply, without applying it or touching the host. */
    public String render(ProxyState state) {
        return renderer.render(state, null, null,
                new IptablesRenderer.HostFacts(randomFully, conntrackTcpLiberal, null)).text(List.of());
    }

    private static boolean isLargeCluster(ProxyState state) {
        int total = 0;
        for (ServicePortName n : state.services().keySet()) {
            total += state.endpointsOf(n).size();
        }
        return total > IptablesRenderer.LARGE_CLUSTER_ENDPOINTS_THRESHOLD;
    }

    private void restore(byte[] input, boolean full) {
        CommandRunner.Result res;
        try {
            res = runner.run(RESTORE, input, config.restoreTimeout());
        } catch (CommandException e) {
            failed(full);
            throw new ProxySyncException("iptables-restore failed: " + e.getMessage(), e);
        }
        if (!res.ok()) {
            failed(full);
            throw new ProxySyncException("iptables-restore exited " + res.exitCode() + ": " + res.stderr().strip()
                    + offendingLines(res.stderr(), input));
        }
    }

    private void failed(boolean full) {
        needFullSync = true;
        rescan = true;
        restoreFailures.increment();
        if (!full) {
            partialRestoreFailures.increment();
        }
    }

    /** The line iptables-restore names in its error and the lines around it (kube-proxy's ExtractLines). */
    static String offendingLines(String stderr, byte[] input) {
        Matcher m = RESTORE_LINE.matcher(stderr);
        if (!m.find()) {
            return "";
        }
        int line = Integer.parseInt(m.group(1));
        String[] lines = new String(input, StandardCharsets.US_ASCII).split("\n", -1);
        StringBuilder b = new StringBuilder("\n");
        for (int i = Math.max(1, line - 3); i <= Math.min(lines.length, line + 3); i++) {
            b.append(i == line ? "=> " : "   ").append(i).append(": ").append(lines[i - 1]).append('\n');
        }
        return b.toString().stripTrailing();
    }

    /** One-time host preparation: route_localnet for localhost NodePorts, and what the host supports. */
    private void prepareHost() {
        if (hostPrepared) {
            return;
        }
        if (config.effectiveLocalhostNodePorts()) {
            // kube-proxy: NodePorts on localhost need route_localnet (and the KUBE-FIREWALL rule it renders)
            runner.run(List.of("sysctl", "-w", "net.ipv4.conf.all.route_localnet=1"), new byte[0], COMMAND_TIMEOUT)
                    .orThrow();
        }
        CommandRunner.Result v = runner.run(List.of("iptables", "--version"), new byte[0], COMMAND_TIMEOUT);
        Matcher m = VERSION.matcher(v.stdout());
        // --random-fully needs iptables 1.6.2 (kube-proxy's HasRandomFully)
        randomFully = v.ok() && m.find() && compareVersion(m, 1, 6, 2) >= 0;
        CommandRunner.Result liberal = runner.run(List.of("sysctl", "-n", "net.netfilter.nf_conntrack_tcp_be_liberal"),
                new byte[0], COMMAND_TIMEOUT);
        conntrackTcpLiberal = liberal.ok() && !liberal.stdout().strip().isEmpty() && !liberal.stdout().strip().equals("0");
        hostPrepared = true;
    }

    private static int compareVersion(Matcher m, int major, int minor, int patch) {
        int[] v = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
        int[] w = {major, minor, patch};
        for (int i = 0; i < 3; i++) {
            if (v[i] != w[i]) {
                return Integer.compare(v[i], w[i]);
            }
        }
        return 0;
    }

    private String save() {
        CommandRunner.Result res = runner.run(List.of("iptables-save"), new byte[0], config.restoreTimeout());
        return res.orThrow().stdout();
    }

    /**
     * kube-proxy's EnsureChain + EnsureRule(Prepend) for every jump, running {@code iptables -C/-N/-I} only for
     * jumps missing from {@code saved} (or, without an iptables-save at hand, from {@code iptables -S} of the
     * built-in chains: an {@code iptables -C} that jumps to a 10,000-rule KUBE-SERVICES costs 0.4 s CPU with the nft
     * backend, listing PREROUTING does not).
     */
    private void ensureJumps(SavedTables saved) {
        Map<String, Set<String>> listed = new java.util.HashMap<>();
        Set<String> created = new HashSet<>();
        for (Jump j : JUMPS) {
            String builtin = j.table() + "/" + j.srcChain();
            boolean present;
            if (saved != null) {
                present = saved.hasRule(j.table(), j.saved());
            } else {
                present = listed.computeIfAbsent(builtin, k -> Set.copyOf(
                        iptables(j.table(), List.of("-S", j.srcChain())).orThrow().stdout().lines().toList()))
                        .contains(j.saved());
            }
            if (present) {
                continue;
            }
            List<String> check = new ArrayList<>(List.of("-C", j.srcChain()));
            check.addAll(j.args());
            if (iptables(j.table(), check).ok()) {
                continue; // present (printed differently than we expected)
            }
            if (created.add(j.table() + "/" + j.dstChain())
                    && (saved == null || !saved.chains(j.table()).contains(j.dstChain()))) {
                CommandRunner.Result res = iptables(j.table(), List.of("-N", j.dstChain()));
                if (!res.ok() && !res.stderr().contains("exists")) {
                    res.orThrow();
                }
            }
            List<String> insert = new ArrayList<>(List.of("-I", j.srcChain()));
            insert.addAll(j.args());
            iptables(j.table(), insert).orThrow();
            log.info("iptables: inserted jump {} -> {} in table {}", j.srcChain(), j.dstChain(), j.table());
        }
    }

    private CommandRunner.Result iptables(String table, List<String> args) {
        List<String> argv = new ArrayList<>(IPTABLES);
        argv.add("-t");
        argv.add(table);
        argv.addAll(args);
        return runner.run(argv, new byte[0], COMMAND_TIMEOUT);
    }

    /** Local IPv4 addresses inside nodePortAddresses ({@code ip -o -4 addr show}), sorted. */
    private List<String> nodePortIps() {
        String out = runner.run(List.of("ip", "-o", "-4", "addr", "show"), new byte[0], COMMAND_TIMEOUT).orThrow()
                .stdout();
        List<Ipv4Cidr> cidrs = config.nodePortAddresses().stream().map(c -> Ipv4Cidr.parse("nodePortAddresses", c))
                .toList();
        Set<String> ips = new TreeSet<>();
        Matcher m = INET.matcher(out);
        while (m.find()) {
            String ip = m.group(1);
            if (cidrs.stream().anyMatch(c -> c.contains(ip))) {
                ips.add(ip);
            }
        }
        if (ips.isEmpty()) {
            log.warn("iptables: no local address matches nodePortAddresses {}; NodePorts answer nowhere",
                    config.nodePortAddresses());
        }
        return List.copyOf(ips);
    }

    /**
     * kube-proxy's conntrack cleanup for UDP (which has no connection to reset): flows to endpoints that are gone
     * are deleted so that clients stop sending into the void, and flows to Service IPs that had no endpoint (and so
     * were rejected) are deleted so that the next packet is DNATed.
     */
    private void clearStaleConntrack(Map<ServicePortName, ServiceRecord> before,
                                     Map<ServicePortName, ServiceRecord> after) {
        List<List<String>> commands = new ArrayList<>();
        for (Map.Entry<ServicePortName, ServiceRecord> e : before.entrySet()) {
            ServiceRecord old = e.getValue();
            if (!"UDP".equalsIgnoreCase(old.info().protocol())) {
                continue;
            }
            ServiceRecord now = after.get(e.getKey());
            if (now == old) {
                continue; // left alone by a partial sync
            }
            Set<String> still = new HashSet<>();
            if (now != null) {
                now.endpoints().forEach(ep -> still.add(ep.ip()));
            } else {
                commands.add(List.of("conntrack", "-D", "--orig-dst", old.info().clusterIP(), "-p", "udp"));
            }
            for (EndpointInfo ep : old.endpoints()) {
                if (still.contains(ep.ip())) {
                    continue;
                }
                for (String vip : serviceIps(old.info())) {
                    commands.add(List.of("conntrack", "-D", "--orig-dst", vip, "--dst-nat", ep.ip(), "-p", "udp"));
                }
                if (old.info().nodePort() > 0) {
                    commands.add(List.of("conntrack", "-D", "-p", "udp", "--dport",
                            Integer.toString(old.info().nodePort()), "--dst-nat", ep.ip()));
                }
            }
        }
        for (Map.Entry<ServicePortName, ServiceRecord> e : after.entrySet()) {
            ServiceRecord now = e.getValue();
            if (!"UDP".equalsIgnoreCase(now.info().protocol()) || !now.hasEndpoints()) {
                continue;
            }
            ServiceRecord old = before.get(e.getKey());
            if (old != null && old.hasEndpoints()) {
                continue;
            }
            for (String vip : serviceIps(now.info())) {
                commands.add(List.of("conntrack", "-D", "--orig-dst", vip, "-p", "udp"));
            }
            if (now.info().nodePort() > 0) {
                commands.add(List.of("conntrack", "-D", "-p", "udp", "--dport", Integer.toString(now.info().nodePort())));
            }
        }
        if (commands.isEmpty()) {
            return;
        }
        if (!runner.available("conntrack")) {
            log.warn("iptables: conntrack is not installed; {} stale UDP flow deletions skipped", commands.size());
            return;
        }
        for (List<String> c : commands) {
            try {
                CommandRunner.Result res = runner.run(c, new byte[0], COMMAND_TIMEOUT);
                // conntrack exits 1 with "0 flow entries have been deleted" when nothing matched
                if (!res.ok() && !res.stderr().contains("0 flow entries")) {
                    log.warn("iptables: {} exited {}: {}", String.join(" ", c), res.exitCode(), res.stderr().strip());
                }
            } catch (CommandException ex) {
                log.warn("iptables: {}", ex.getMessage());
            }
        }
    }

    private static List<String> serviceIps(ServicePortInfo info) {
        List<String> ips = new ArrayList<>(1 + info.externalIPs().size() + info.loadBalancerIPs().size());
        ips.add(info.clusterIP());
        ips.addAll(info.externalIPs());
        ips.addAll(info.loadBalancerIPs());
        return ips;
    }

    /**
     * kube-proxy's CleanupLeftovers: removes the jumps from the built-in chains, then flushes and deletes KUBE-SERVICES,
     * KUBE-NODEPORTS, KUBE-POSTROUTING, KUBE-MARK-MASQ, the filter chains and every KUBE-SVC/SVL/EXT/FW/SEP chain,
     * whoever created them. A chain still referenced by a rule that is not ours is left in place and reported.
     */
    @Override
    public synchronized void cleanup() {
        List<String> errors = new ArrayList<>();
        for (Jump j : JUMPS) {
            List<String> del = new ArrayList<>(List.of("-D", j.srcChain()));
            del.addAll(j.args());
            // a rule inserted twice (two agents, or a crash between -C and -I) is deleted twice; bounded
            for (int i = 0; i < 10; i++) {
                try {
                    if (!iptables(j.table(), del).ok()) {
                        break;
                    }
                } catch (CommandException e) {
                    errors.add(e.getMessage());
                    break;
                }
            }
        }
        SavedTables saved;
        try {
            saved = SavedTables.parse(save());
        } catch (CommandException e) {
            errors.add(e.getMessage());
            throw cleanupFailed(errors);
        }
        for (String table : List.of("nat", "filter")) {
            Set<String> existing = saved.chains(table);
            TreeSet<String> candidates = new TreeSet<>();
            for (String c : CLEANUP_CHAINS.get(table)) {
                if (existing.contains(c)) {
                    candidates.add(c);
                }
            }
            if ("nat".equals(table)) {
                for (String c : existing) {
                    if (ChainNames.isServiceChain(c)) {
                        candidates.add(c);
                    }
                }
            }
            // keep chains something else still jumps to (another agent's chain, a hand-made rule)
            Set<String> referenced = new TreeSet<>();
            for (String rule : saved.rules(table)) {
                String from = SavedTables.chainOf(rule);
                if (candidates.contains(from)) {
                    continue;
                }
                String target = jumpTarget(rule);
                if (target != null && candidates.contains(target)) {
                    referenced.add(target);
                }
            }
            if (!referenced.isEmpty()) {
                errors.add("table " + table + ": chains still referenced by rules that are not kube-proxy's, left in "
                        + "place: " + referenced);
                candidates.removeAll(referenced);
            }
            if (candidates.isEmpty()) {
                continue;
            }
            // flush everything, commit, then delete: in descending name order, each in a section of its own, so
            // that iptables-nft's sorted chain-name list (reset at each COMMIT) is always entered at its head
            StringBuilder in = new StringBuilder("*").append(table).append('\n');
            candidates.descendingSet().forEach(c -> in.append(':').append(c).append(" - [0:0]\n"));
            in.append("COMMIT\n*").append(table).append('\n');
            candidates.descendingSet().forEach(c -> in.append("-X ").append(c).append('\n'));
            in.append("COMMIT\n");
            try {
                CommandRunner.Result res = runner.run(RESTORE, in.toString().getBytes(StandardCharsets.US_ASCII),
                        config.restoreTimeout());
                if (!res.ok()) {
                    restoreFailures.increment();
                    errors.add("iptables-restore (" + table + ") exited " + res.exitCode() + ": " + res.stderr().strip());
                }
            } catch (CommandException e) {
                errors.add(e.getMessage());
            }
        }
        if (saved.chains("mangle").contains(KUBE_PROXY_CANARY)) {
            iptables("mangle", List.of("-X", KUBE_PROXY_CANARY));
        }
        applied = null;
        needFullSync = true;
        filterRules.set(0);
        natRules.set(0);
        if (!errors.isEmpty()) {
            throw cleanupFailed(errors);
        }
    }

    /** The chain a saved rule jumps or goes to ({@code -j X} / {@code -g X}), null for other targets. */
    static String jumpTarget(String rule) {
        int i = rule.lastIndexOf(" -j ");
        if (i < 0) {
            i = rule.lastIndexOf(" -g ");
        }
        if (i < 0) {
            return null;
        }
        int start = i + 4;
        int end = rule.indexOf(' ', start);
        return end < 0 ? rule.substring(start) : rule.substring(start, end);
    }

    private static ProxySyncException cleanupFailed(List<String> errors) {
        return new ProxySyncException("iptables cleanup incomplete: " + String.join("; ", errors));
    }
}
