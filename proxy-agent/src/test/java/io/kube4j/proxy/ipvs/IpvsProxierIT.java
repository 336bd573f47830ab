package io.kube4j.proxy.ipvs;

import io.kube4j.proxy.ProxySyncException;
import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.exec.ProcessCommandRunner;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortName;
import io.kube4j.proxy.testsupport.PrivateNetns;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * IPVS mode against the real tools inside a private network namespace, branching on the real support check (never a
 * skip): on a kernel WITHOUT IPVS (this one) the unavailable error from {@link IpvsSupport} and from {@code sync()},
 * the rendered ipset and iptables inputs accepted by the real {@code ipset restore} / {@code iptables-restore}, and
 * {@code cleanup()} leaving {@code iptables-save} and {@code ipset list -n} as they were; on a kernel WITH IPVS a full
 * sync applied for real and checked with {@code ipvsadm -Sn}, then cleanup.
 */
class IpvsProxierIT {

    private static final Logger log = LoggerFactory.getLogger(IpvsProxierIT.class);

    private PrivateNetns ns;
    private CommandRunner runner;

    @BeforeEach
    void namespace() {
        ns = PrivateNetns.create("ipvs");
        runner = ns.runner();
    }

    @AfterEach
    void removeNamespace() {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void ipvsModeInAPrivateNamespace() {
        boolean ipvs = IpvsSupport.available(runner, "rr");
        log.info("IpvsProxierIT: IPVS is {} in this kernel: taking the {} branch", ipvs ? "available" : "NOT available",
                ipvs ? "apply-for-real" : "unavailable-error + rendered-input-acceptance");
        String iptablesBefore = iptablesSave();
        String ipsetsBefore = run("ipset", "list", "-n");
        if (ipvs) {
            fullSyncForReal();
        } else {
            unavailable();
        }
        new IpvsProxier(IpvsProxier.Config.defaults(IpvsFixtures.NODE, "10.244.0.0/16"), runner, new SimpleMeterRegistry())
                .cleanup();
        assertThat(iptablesSave()).isEqualTo(iptablesBefore);
        assertThat(run("ipset", "list", "-n")).isEqualTo(ipsetsBefore);
        assertThat(runner.run("ip", "link", "show", IpvsProxier.DUMMY_DEVICE).ok()).isFalse();
        if (ipvs) {
            assertThat(run("ipvsadm", "-Sn")).isEmpty();
        }
    }

    private void unavailable() {
        IpvsUnavailableException e = catchThrowableOfType(() -> IpvsSupport.check(runner, "rr"), IpvsUnavailableException.class);
        assertThat(e).as("IpvsSupport.check must throw where available() said no").isNotNull();
        assertThat(e.getMessage()).startsWith("IPVS proxy mode is unavailable on this node: ")
                .contains("modprobe -a").contains("mode iptables").contains("ipvs-fallback=iptables");
        log.info("IpvsProxierIT: the unavailable error reads: {}", e.getMessage());
        IpvsProxier proxier = new IpvsProxier(IpvsProxier.Config.defaults(IpvsFixtures.NODE, "10.244.0.0/16"), runner,
                new SimpleMeterRegistry());
        assertThatThrownBy(() -> proxier.sync(IpvsFixtures.golden(), true))
                .isInstanceOf(ProxySyncException.class).hasMessage(e.getMessage());

        // the rendered ipset input is accepted by the real ipset, and the diff of a second sync lands exactly
        // (rendered for the golden node's two addresses, so that the NodePort sets and rules are exercised too)
        IpvsPlanner.Plan plan = goldenNodePlan(IpvsFixtures.golden());
        apply(List.of("ipset", "-exist", "restore"), IpSets.restoreInput(IpSets.parseSave(run("ipset", "save")), plan.sets()));
        assertEntries(IpSets.parseSave(run("ipset", "save")), plan.sets());
        IpvsPlanner.Plan smaller = goldenNodePlan(withoutService(IpvsFixtures.golden(), "shop", "front"));
        apply(List.of("ipset", "-exist", "restore"), IpSets.restoreInput(IpSets.parseSave(run("ipset", "save")), smaller.sets()));
        assertEntries(IpSets.parseSave(run("ipset", "save")), smaller.sets());

        // ipsets belong to the network namespace: the host does not see this one's sets
        String marker = "KUBE4J-IT-" + UUID.randomUUID().toString().substring(0, 8);
        run("ipset", "create", marker, "hash:ip");
        assertThat(new ProcessCommandRunner().run("ipset", "list", "-n").orThrow().stdout().lines()).doesNotContain(marker);
        run("ipset", "destroy", marker);

        // the rendered iptables input is accepted by the real iptables-restore, the jumps are not duplicated by a
        // second sync, and a second identical restore changes nothing
        String nat = run("iptables-save", "-t", "nat");
        String filter = run("iptables-save", "-t", "filter");
        apply(List.of("iptables-restore", "--noflush"), IpvsIptablesRules.render(plan.sets(), false, "10.244.0.0/16", 14,
                IpvsIptablesRules.presentJumps(nat, filter)));
        String first = iptablesSave();
        assertThat(first).contains("-A KUBE-SERVICES ! -s 10.244.0.0/16 -m comment --comment \"Kubernetes service cluster ip"
                        + " + port for masquerade purpose\" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ")
                .contains("-A KUBE-NODE-PORT -p tcp -m comment --comment \"Kubernetes nodeport TCP port for masquerade purpose\""
                        + " -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ")
                .contains("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES")
                .contains("-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT");
        Set<IpvsIptablesRules.Jump> present = IpvsIptablesRules.presentJumps(run("iptables-save", "-t", "nat"),
                run("iptables-save", "-t", "filter"));
        assertThat(present).containsExactlyInAnyOrderElementsOf(IpvsIptablesRules.JUMPS);
        apply(List.of("iptables-restore", "--noflush"), IpvsIptablesRules.render(plan.sets(), false, "10.244.0.0/16", 14, present));
        assertThat(iptablesSave()).isEqualTo(first);
        // the IPVS-mode rule count as iptables-save shows it matches what was rendered
        long rendered = IpvsIptablesRules.render(plan.sets(), false, "10.244.0.0/16", 14, Set.of()).lines()
                .filter(l -> l.startsWith("-A ") || l.startsWith("-I ")).count();
        assertThat(first.lines().filter(l -> l.startsWith("-A ")).count()).isEqualTo(rendered);

        // UDP and SCTP NodePorts with Local policy (the sets and rules the golden scenario does not have)
        ProxyState udpSctp = new IpvsFixtures()
                .service(new io.kube4j.proxy.model.ServicePortInfo(IpvsFixtures.name("ns", "u", "", "UDP"), "NodePort",
                        "10.96.1.1", 53, "UDP", 30053, List.of(), List.of(), false, 0, true, false, 0),
                        IpvsFixtures.ready("10.244.1.9", 5353, true))
                .service(new io.kube4j.proxy.model.ServicePortInfo(IpvsFixtures.name("ns", "s", "", "SCTP"), "NodePort",
                        "10.96.1.2", 9999, "SCTP", 30999, List.of(), List.of(), false, 0, true, false, 0),
                        IpvsFixtures.ready("10.244.1.9", 9999, true))
                .state();
        IpvsPlanner.Plan other = goldenNodePlan(udpSctp);
        apply(List.of("ipset", "-exist", "restore"), IpSets.restoreInput(IpSets.parseSave(run("ipset", "save")), other.sets()));
        assertEntries(IpSets.parseSave(run("ipset", "save")), other.sets());
        apply(List.of("iptables-restore", "--noflush"), IpvsIptablesRules.render(other.sets(), false, "10.244.0.0/16", 14,
                IpvsIptablesRules.presentJumps(run("iptables-save", "-t", "nat"), run("iptables-save", "-t", "filter"))));
        assertThat(iptablesSave()).contains("-A KUBE-NODE-PORT -p udp -m comment --comment \"Kubernetes nodeport UDP port"
                        + " with externalTrafficPolicy=local\" -m set --match-set KUBE-NODE-PORT-LOCAL-UDP dst -j RETURN")
                .contains("--match-set KUBE-NODE-PORT-SCTP-HASH dst,dst -j KUBE-MARK-MASQ")
                .doesNotContain("KUBE-NODE-PORT-TCP");
    }

    private void fullSyncForReal() {
        // a node address for the NodePort virtual servers (dummy links exist where IPVS passed the check)
        run("ip", "link", "add", "eth-it0", "type", "dummy");
        run("ip", "addr", "add", "192.0.2.2/24", "dev", "eth-it0");
        run("ip", "link", "set", "eth-it0", "up");
        IpvsProxier proxier = new IpvsProxier(IpvsProxier.Config.defaults(IpvsFixtures.NODE, "10.244.0.0/16"), runner,
                new SimpleMeterRegistry());
        proxier.sync(IpvsFixtures.golden(), true);
        IpvsPlanner.Plan plan = plan(IpvsFixtures.golden());
        assertThat(IpvsTable.parseSave(run("ipvsadm", "-Sn")).render()).isEqualTo(plan.table().render());
        assertThat(NodeAddresses.parse(run("ip", "-4", "-o", "addr", "show", "dev", IpvsProxier.DUMMY_DEVICE)))
                .extracting(NodeAddresses.Address::ip).containsExactlyInAnyOrderElementsOf(plan.bindAddresses());
        assertEntries(IpSets.parseSave(run("ipset", "save")), plan.sets());

        // a service removed: its virtual servers go, its VIP leaves kube-ipvs0
        ProxyState smaller = withoutService(IpvsFixtures.golden(), "shop", "front");
        proxier.sync(smaller, true);
        IpvsPlanner.Plan smallerPlan = plan(smaller);
        assertThat(IpvsTable.parseSave(run("ipvsadm", "-Sn")).render()).isEqualTo(smallerPlan.table().render());
        assertThat(NodeAddresses.parse(run("ip", "-4", "-o", "addr", "show", "dev", IpvsProxier.DUMMY_DEVICE)))
                .extracting(NodeAddresses.Address::ip).doesNotContain("10.96.0.30", "203.0.113.10");
        run("ip", "link", "del", "eth-it0");
    }

    /** The plan for the golden node's addresses ({@link IpvsFixtures#ADDR_SHOW}). */
    private static IpvsPlanner.Plan goldenNodePlan(ProxyState state) {
        List<NodeAddresses.Address> all = NodeAddresses.parse(IpvsFixtures.ADDR_SHOW);
        return IpvsPlanner.plan(state, "rr", NodeAddresses.nodePortIPs(all, IpvsProxier.DUMMY_DEVICE, List.of()),
                NodeAddresses.allExcept(all, IpvsProxier.DUMMY_DEVICE));
    }

    /** The plan for this namespace's own addresses (as the proxier computes it). */
    private IpvsPlanner.Plan plan(ProxyState state) {
        List<NodeAddresses.Address> all = NodeAddresses.parse(run("ip", "-4", "-o", "addr", "show"));
        return IpvsPlanner.plan(state, "rr", NodeAddresses.nodePortIPs(all, IpvsProxier.DUMMY_DEVICE, List.of()),
                NodeAddresses.allExcept(all, IpvsProxier.DUMMY_DEVICE));
    }

    private static ProxyState withoutService(ProxyState s, String namespace, String name) {
        TreeMap<ServicePortName, io.kube4j.proxy.model.ServicePortInfo> services = new TreeMap<>(s.services());
        services.keySet().removeIf(n -> n.namespace().equals(namespace) && n.name().equals(name));
        return new ProxyState(services, s.endpoints(), Set.of(namespace + "/" + name), s.triggerTimes());
    }

    private static void assertEntries(IpSets actual, IpSets wanted) {
        for (String set : IpSets.names()) {
            assertThat(actual.entries(set)).as(set).containsExactlyInAnyOrderElementsOf(wanted.entries(set));
        }
    }

    /** nat and filter as iptables-save prints them, without its timestamp comments and packet counters. */
    private String iptablesSave() {
        return (run("iptables-save", "-t", "nat") + run("iptables-save", "-t", "filter")).lines()
                .filter(l -> !l.startsWith("#"))
                .map(l -> l.replaceAll("\\[\\d+:\\d+\\]", "[0:0]"))
                .reduce("", (a, b) -> a + b + "\n");
    }

    private String run(String... argv) {
        return runner.run(List.of(argv), new byte[0], Duration.ofSeconds(30)).orThrow().stdout();
    }

    private void apply(List<String> argv, String input) {
        runner.run(argv, input.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30)).orThrow();
    }
}
