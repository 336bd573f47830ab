package io.kube4j.proxy.ipvs;

import io.kube4j.proxy.model.Ipv4;
import io.kube4j.proxy.Proxier;
import io.kube4j.proxy.ProxySyncException;
import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.model.ProxyState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * kube-proxy's IPVS mode: every Service VIP is bound to the dummy interface {@code kube-ipvs0} and is an IPVS virtual
 * server (scheduler {@code rr} by default) whose real servers are the Service's endpoints; ipsets and a small fixed
 * set of iptables rules that match them do masquerading, NodePorts and filtering. Each sync reads what the kernel
 * has ({@code ipvsadm -Sn}, {@code ipset save}, {@code ip addr}, {@code iptables-save}) and applies only the
 * difference: {@code ipset -exist restore}, {@code ipvsadm --restore}, {@code ip -batch}, one
 * {@code iptables-restore --noflush}. Every sync is a full one (as in kube-proxy's IPVS mode).
 *
 * <p>IPVS support is checked once ({@link IpvsSupport}); where it is missing every sync fails with the
 * {@link IpvsUnavailableException}'s message.
 */
public final class IpvsProxier implements Proxier {

    /** kube-proxy's {@code defaultDummyDevice}. */
    public static final String DUMMY_DEVICE = "kube-ipvs0";

    /** The schedulers ipvsadm knows. */
    public static final List<String> SCHEDULERS = List.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq");

    private static final Logger log = LoggerFactory.getLogger(IpvsProxier.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * Settings of IPVS mode (kube-proxy's {@code KubeProxyIPVSConfiguration} plus the shared ones it uses).
     *
     * @param nodeName                  this node (endpoints on it are local)
     * @param clusterCidr               pod CIDR for the "masquerade off-cluster traffic" rule; null/empty: unknown
     * @param masqueradeAll             masquerade all ClusterIP traffic
     * @param masqueradeBit             fwmark bit for KUBE-MARK-MASQ (0..31, default 14)
     * @param scheduler                 IPVS scheduler (default {@code rr}; one of {@link #SCHEDULERS})
     * @param strictArp                 set arp_ignore=1/arp_announce=2 so the VIPs on kube-ipvs0 are not answered
     *                                  for by ARP (needed by L2 load balancers such as MetalLB)
     * @param nodePortAddresses         CIDRs whose node addresses get NodePort virtual servers; empty: all
     * @param tcpTimeout                IPVS tcp timeout, null: leave the kernel's
     * @param tcpFinTimeout             IPVS tcpfin timeout, null: leave the kernel's
     * @param udpTimeout                IPVS udp timeout, null: leave the kernel's
     * @param gracefulTerminationPeriod how long a removed TCP endpoint stays at weight 0 before deletion
     */
    public record Config(String nodeName, String clusterCidr, boolean masqueradeAll, int masqueradeBit,
                         String scheduler, boolean strictArp, List<String> nodePortAddresses, Duration tcpTimeout,
                         Duration tcpFinTimeout, Duration udpTimeout, Duration gracefulTerminationPeriod) {

        public static final Duration DEFAULT_GRACEFUL_TERMINATION = Duration.ofSeconds(15);

        public Config {
            if (nodeName == null || nodeName.isBlank()) {
                throw new IllegalArgumentException("ipvs: nodeName must be set");
            }
            clusterCidr = clusterCidr == null ? "" : clusterCidr.strip();
            if (!clusterCidr.isEmpty()) {
                try {
                    Ipv4.validateCidr(clusterCidr);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("ipvs: clusterCidr: " + e.getMessage(), e);
                }
            }
            if (masqueradeBit < 0 || masqueradeBit > 31) {
                throw new IllegalArgumentException("ipvs: masqueradeBit " + masqueradeBit + " is not in [0, 31]");
            }
            scheduler = scheduler == null || scheduler.isBlank() ? "rr" : scheduler.strip();
            if (!SCHEDULERS.contains(scheduler)) {
                throw new IllegalArgumentException("ipvs: unknown scheduler '" + scheduler + "' (ipvsadm knows "
                        + String.join(", ", SCHEDULERS) + ")");
            }
            nodePortAddresses = nodePortAddresses == null ? List.of() : List.copyOf(nodePortAddresses);
            for (String c : nodePortAddresses) {
                try {
                    Ipv4.validateCidr(c);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("ipvs: nodePortAddresses: " + e.getMessage(), e);
                }
            }
            for (Duration d : new Duration[] {tcpTimeout, tcpFinTimeout, udpTimeout}) {
                if (d != null && (d.isNegative() || d.toSeconds() > Integer.MAX_VALUE)) {
                    throw new IllegalArgumentException("ipvs: timeouts must be between 0 and " + Integer.MAX_VALUE + " s, got " + d);
                }
            }
            gracefulTerminationPeriod = gracefulTerminationPeriod == null ? DEFAULT_GRACEFUL_TERMINATION : gracefulTerminationPeriod;
            if (gracefulTerminationPeriod.isNegative()) {
                throw new IllegalArgumentException("ipvs: gracefulTerminationPeriod must not be negative");
            }
        }

        /** kube-proxy's defaults: rr, bit 14, no strict ARP, all node addresses, kernel timeouts. */
        public static Config defaults(String nodeName, String clusterCidr) {
            return new Config(nodeName, clusterCidr, false, 14, "rr", false, List.of(), null, null, null, null);
        }
    }

    private final Config config;
    private final CommandRunner runner;
    private final Clock clock;
    private final Counter restoreFailures;
    private final MeterRegistry meters;
    private boolean gaugesRegistered;
    private final AtomicInteger noLocalInternal = new AtomicInteger();
    private final AtomicInteger noLocalExternal = new AtomicInteger();

    private IpvsUnavailableException support; // why IPVS is unusable, once checked; null when usable
    private boolean supportChecked;
    private boolean initialized;
    private Map<String, Instant> draining = Map.of();

    public IpvsProxier(Config config, CommandRunner runner, MeterRegistry meters) {
        this(config, runner, meters, Clock.systemUTC());
    }

    IpvsProxier(Config config, CommandRunner runner, MeterRegistry meters, Clock clock) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.runner = java.util.Objects.requireNonNull(runner, "runner");
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
        java.util.Objects.requireNonNull(meters, "meters");
        this.restoreFailures = Counter.builder("kubeproxy_sync_proxy_rules_iptables_restore_failures_total")
                .description("Cumulative proxy iptables restore failures").register(meters);
        this.meters = meters;
    }

    /**
     * Registered at the first successful sync, not in the constructor: an IpvsProxier whose support check failed
     * (proxy-agent falling back to iptables mode) must not hold these names with its own, never-updated values.
     */
    private void registerGauges() {
        Gauge.builder("kubeproxy_sync_proxy_rules_no_local_endpoints_total", noLocalInternal, AtomicInteger::get)
                .description("Number of services with a Local traffic policy and no endpoints")
                .tag("traffic_policy", "internal").register(meters);
        Gauge.builder("kubeproxy_sync_proxy_rules_no_local_endpoints_total", noLocalExternal, AtomicInteger::get)
                .description("Number of services with a Local traffic policy and no endpoints")
                .tag("traffic_policy", "external").register(meters);
    }

    @Override
    public String mode() {
        return "ipvs";
    }

    public Config config() {
        return config;
    }

    @Override
    public SyncResult sync(ProxyState state, boolean full) {
        ensureSupported();
        long t0 = System.nanoTime();
        try {
            if (!initialized) {
                initializeKernel();
            }
            if (!runner.run("ip", "link", "show", DUMMY_DEVICE).ok()) {
                run("ip", "link", "add", DUMMY_DEVICE, "type", "dummy");
            }
            List<NodeAddresses.Address> bound = NodeAddresses.parse(run("ip", "-4", "-o", "addr", "show", "dev", DUMMY_DEVICE));
            List<NodeAddresses.Address> all = NodeAddresses.parse(run("ip", "-4", "-o", "addr", "show"));
            IpvsTable currentTable = IpvsTable.parseSave(run("ipvsadm", "-Sn"));
            IpSets currentSets = IpSets.parseSave(run("ipset", "save"));
            String natSave = run("iptables-save", "-t", "nat");
            String filterSave = run("iptables-save", "-t", "filter");

            IpvsPlanner.Plan plan = IpvsPlanner.plan(state, config.scheduler(),
                    NodeAddresses.nodePortIPs(all, DUMMY_DEVICE, config.nodePortAddresses()),
                    NodeAddresses.allExcept(all, DUMMY_DEVICE));
            Instant now = clock.instant();
            IpvsTableDiff.Result diff = IpvsTableDiff.compute(currentTable, plan.table(), draining, now,
                    config.gracefulTerminationPeriod());
            String ipsetInput = IpSets.restoreInput(currentSets, plan.sets());
            String iptablesInput = IpvsIptablesRules.render(plan.sets(), config.masqueradeAll(), config.clusterCidr(),
                    config.masqueradeBit(), IpvsIptablesRules.presentJumps(natSave, filterSave));
            List<String> boundIps = bound.stream().map(NodeAddresses.Address::ip).toList();
            String bindInput = DummyDevice.bindInput(boundIps, plan.bindAddresses(), DUMMY_DEVICE);
            String unbindInput = DummyDevice.unbindInput(boundIps, plan.bindAddresses(), DUMMY_DEVICE);
            long t1 = System.nanoTime();

            // sets first (the iptables rules reference them), then virtual servers and their addresses, then the
            // rules, and only then what became stale
            runInput(List.of("ipset", "-exist", "restore"), ipsetInput);
            if (!diff.restoreInput().isEmpty()) {
                runInput(List.of("ipvsadm", "--restore"), diff.restoreInput());
            }
            if (!bindInput.isEmpty()) {
                runInput(List.of("ip", "-force", "-batch", "-"), bindInput);
            }
            CommandRunner.Result r = runner.run(List.of("iptables-restore", "--noflush"),
                    iptablesInput.getBytes(StandardCharsets.UTF_8), TIMEOUT);
            if (!r.ok()) {
                restoreFailures.increment();
                throw new ProxySyncException("iptables-restore --noflush of the IPVS-mode rules exited " + r.exitCode()
                        + ": " + r.stderr().strip());
            }
            if (!unbindInput.isEmpty()) {
                runInput(List.of("ip", "-force", "-batch", "-"), unbindInput);
            }
            long t2 = System.nanoTime();

            draining = Map.copyOf(diff.draining());
            initialized = true;
            if (!gaugesRegistered) {
                registerGauges();
                gaugesRegistered = true;
            }
            noLocalInternal.set(plan.noLocalInternal().size());
            noLocalExternal.set(plan.noLocalExternal().size());
            if (log.isDebugEnabled()) {
                log.debug("ipvs sync: {} virtual servers, {} real servers, {} ipvsadm commands, {} draining",
                        plan.table().virtualServerCount(), plan.table().realServerCount(), diff.commands(), draining.size());
            }
            return new SyncResult(true, plan.table().virtualServerCount() + plan.table().realServerCount(),
                    IpSets.ALL.size() + IpvsIptablesRules.CHAINS.size(),
                    Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1));
        } catch (CommandRunner.CommandException | IllegalArgumentException | IllegalStateException e) {
            throw new ProxySyncException("ipvs sync failed: " + e.getMessage(), e);
        }
    }

    /** Checks IPVS support once; throws {@link ProxySyncException} with the reason when it is missing. */
    private void ensureSupported() {
        if (!supportChecked) {
            try {
                IpvsSupport.check(runner, config.scheduler());
            } catch (IpvsUnavailableException e) {
                support = e;
            }
            supportChecked = true;
        }
        if (support != null) {
            throw new ProxySyncException(support.getMessage(), support);
        }
    }

    /** kube-proxy's start-up sysctls and IPVS timeouts. */
    private void initializeKernel() {
        // IPVS needs connection tracking for the masquerade rules; drop connections to deleted real servers at once
        sysctl("net.ipv4.vs.conntrack", "1");
        sysctl("net.ipv4.vs.expire_nodest_conn", "1");
        sysctl("net.ipv4.vs.expire_quiescent_template", "1");
        sysctl("net.ipv4.ip_forward", "1");
        if (config.strictArp()) {
            sysctl("net.ipv4.conf.all.arp_ignore", "1");
            sysctl("net.ipv4.conf.all.arp_announce", "2");
        }
        if (config.tcpTimeout() != null || config.tcpFinTimeout() != null || config.udpTimeout() != null) {
            // 0 leaves a value unchanged
            run("ipvsadm", "--set", seconds(config.tcpTimeout()), seconds(config.tcpFinTimeout()), seconds(config.udpTimeout()));
        }
    }

    private static String seconds(Duration d) {
        return d == null ? "0" : Long.toString(d.toSeconds());
    }

    private void sysctl(String key, String value) {
        run("sysctl", "-w", key + "=" + value);
    }

    private String run(String... argv) {
        return runner.run(List.of(argv), new byte[0], TIMEOUT).orThrow().stdout();
    }

    private void runInput(List<String> argv, String input) {
        runner.run(argv, input.getBytes(StandardCharsets.UTF_8), TIMEOUT).orThrow();
    }

    /**
     * Removes what IPVS mode creates, whether or not this process made it (kube-proxy's {@code CleanupLeftovers}):
     * the IPVS table ({@code ipvsadm -C}, only where IPVS exists), {@code kube-ipvs0}, the jumps and chains of
     * {@link IpvsIptablesRules} and then the ipsets (which cannot be destroyed while a rule references them).
     * Works where IPVS is missing; tries every step and then throws one exception naming all that failed.
     */
    @Override
    public void cleanup() {
        List<String> failures = new ArrayList<>();
        if (runner.available("ipvsadm")
                && (runner.run("cat", "/proc/net/ip_vs").ok() || runner.run("ipvsadm", "-Ln").ok())) {
            collect(failures, () -> run("ipvsadm", "-C"));
        }
        if (runner.available("ip") && runner.run("ip", "link", "show", DUMMY_DEVICE).ok()) {
            collect(failures, () -> run("ip", "link", "del", DUMMY_DEVICE));
        }
        if (runner.available("iptables-save") && runner.available("iptables-restore")) {
            collect(failures, this::cleanupIptables);
        }
        if (runner.available("ipset")) {
            collect(failures, () -> {
                Set<String> existing = new java.util.HashSet<>(List.of(run("ipset", "list", "-n").split("\n")));
                for (String set : IpSets.names()) {
                    if (existing.contains(set)) {
                        run("ipset", "destroy", set);
                    }
                }
            });
        }
        draining = Map.of();
        initialized = false;
        if (!failures.isEmpty()) {
            throw new ProxySyncException("ipvs cleanup incomplete: " + String.join("; ", failures));
        }
    }

    private void cleanupIptables() {
        String input = IpvsIptablesRules.cleanupInput(run("iptables-save", "-t", "nat"), run("iptables-save", "-t", "filter"));
        if (input != null) {
            runInput(List.of("iptables-restore", "--noflush"), input);
        }
    }

    private static void collect(List<String> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e.getMessage());
        }
    }
}
