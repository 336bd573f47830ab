package io.kube4j.proxy.ipvs;

import io.kube4j.proxy.ProxySyncException;
import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.exec.RecordingCommandRunner;
import io.kube4j.proxy.model.ProxyState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static io.kube4j.proxy.ipvs.IpvsFixtures.clusterIP;
import static io.kube4j.proxy.ipvs.IpvsFixtures.name;
import static io.kube4j.proxy.ipvs.IpvsFixtures.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** IpvsProxier against the recording runner: what it reads, what it applies and in which order, failures, cleanup. */
class IpvsProxierTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    /** A working node with the golden node's addresses and nothing programmed yet. */
    private static RecordingCommandRunner node() {
        return IpvsSupportTest.working()
                .respond("ip -4 -o addr show", 0, IpvsFixtures.ADDR_SHOW, "")
                .respond("ip -4 -o addr show dev kube-ipvs0", 0, IpvsFixtures.ADDR_SHOW.lines()
                        .filter(l -> l.contains("kube-ipvs0")).map(l -> l + "\n").reduce("", String::concat), "");
    }

    private IpvsProxier proxier(RecordingCommandRunner r, IpvsProxier.Config config, Clock clock) {
        return new IpvsProxier(config, r, meters, clock);
    }

    private static IpvsProxier.Config config() {
        return IpvsProxier.Config.defaults(IpvsFixtures.NODE, "10.244.0.0/16");
    }

    @Test
    void fullSyncAppliesTheGoldenRenderingsInOrder() throws IOException {
        RecordingCommandRunner r = node();
        SyncResult result = proxier(r, config(), Clock.fixed(T0, ZoneOffset.UTC)).sync(IpvsFixtures.golden(), true);

        assertThat(stdin(r, "ipset -exist restore")).isEqualTo(golden("golden-ipset.txt"));
        assertThat(stdin(r, "ipvsadm --restore")).isEqualTo(golden("golden-ipvsadm.txt"));
        assertThat(stdin(r, "iptables-restore --noflush")).isEqualTo(golden("golden-iptables.txt"));
        String[] dummy = golden("golden-dummy.txt").split("# unbind\n");
        assertThat(r.calls("ip -force -batch -")).extracting(RecordingCommandRunner.Call::stdin)
                .containsExactly(dummy[0].replace("# bind\n", ""), dummy[1]);
        List<String> order = r.calls().stream().map(RecordingCommandRunner.Call::command)
                .filter(c -> c.startsWith("ipset -exist") || c.startsWith("ipvsadm --restore")
                        || c.startsWith("ip -force") || c.startsWith("iptables-restore") || c.startsWith("sysctl"))
                .toList();
        assertThat(order).containsExactly(
                "sysctl -w net.ipv4.vs.conntrack=1", "sysctl -w net.ipv4.vs.expire_nodest_conn=1",
                "sysctl -w net.ipv4.vs.expire_quiescent_template=1", "sysctl -w net.ipv4.ip_forward=1",
                "ipset -exist restore", "ipvsadm --restore", "ip -force -batch -", "iptables-restore --noflush",
                "ip -force -batch -");
        assertThat(r.calls("ip link add kube-ipvs0 type dummy")).hasSize(1);
        assertThat(result.full()).isTrue();
        assertThat(result.rules()).isEqualTo(12 + 12); // virtual + real servers of the golden table
        assertThat(result.chains()).isEqualTo(17 + 11);
        // the golden LoadBalancer has external Local and a local endpoint: no service lacks local endpoints
        assertThat(meters.get("kubeproxy_sync_proxy_rules_no_local_endpoints_total").tag("traffic_policy", "external")
                .gauge().value()).isZero();
    }

    @Test
    void localPolicyWithoutLocalEndpointsIsAGauge() {
        RecordingCommandRunner r = node();
        ProxyState s = new IpvsFixtures().service(new io.kube4j.proxy.model.ServicePortInfo(name("ns", "s", "", "TCP"),
                "NodePort", "10.96.0.5", 80, "TCP", 30500, List.of(), List.of(), false, 0, true, false, 0),
                ready("10.244.2.1", 8080, false)).state();
        proxier(r, config(), Clock.systemUTC()).sync(s, true);
        assertThat(meters.get("kubeproxy_sync_proxy_rules_no_local_endpoints_total").tag("traffic_policy", "external")
                .gauge().value()).isEqualTo(1);
        assertThat(meters.get("kubeproxy_sync_proxy_rules_no_local_endpoints_total").tag("traffic_policy", "internal")
                .gauge().value()).isZero();
    }

    @Test
    void secondSyncDoesNotRepeatStartupWorkNorTheSupportCheck() {
        RecordingCommandRunner r = node().respond("ip link show kube-ipvs0", 0, "7: kube-ipvs0: <BROADCAST,NOARP>\n", "");
        IpvsProxier p = proxier(r, config(), Clock.fixed(T0, ZoneOffset.UTC));
        p.sync(ProxyState.empty(), true);
        p.sync(ProxyState.empty(), false);
        assertThat(r.calls("sysctl")).hasSize(4);
        assertThat(r.calls("ipset --version")).hasSize(1);
        assertThat(r.calls("ip link add")).isEmpty();
        // nothing to change in IPVS: no ipvsadm --restore at all
        assertThat(r.calls("ipvsadm --restore")).isEmpty();
    }

    @Test
    void unavailableIpvsFailsEverySyncWithTheReasonAndChecksOnce() {
        RecordingCommandRunner r = IpvsSupportTest.noIpvs();
        IpvsProxier p = proxier(r, config(), Clock.systemUTC());
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> p.sync(ProxyState.empty(), true))
                    .isInstanceOf(ProxySyncException.class)
                    .hasMessageStartingWith("IPVS proxy mode is unavailable on this node: the kernel has no IPVS")
                    .hasCauseInstanceOf(IpvsUnavailableException.class);
        }
        assertThat(r.calls("cat /proc/net/ip_vs")).hasSize(1);
        assertThat(r.calls("ipset -exist restore")).isEmpty();
        // an IpvsProxier that never synced leaves the gauge names to the mode proxy-agent falls back to
        assertThat(meters.find("kubeproxy_sync_proxy_rules_no_local_endpoints_total").gauges()).isEmpty();
    }

    @Test
    void failedIptablesRestoreCountsAndKeepsTheDrainingMemory() {
        ProxyState oneEndpoint = new IpvsFixtures().service(clusterIP(name("ns", "s", "", "TCP"), "10.96.0.5", 80),
                ready("10.244.2.1", 8080, false)).state();
        ProxyState noEndpoint = new IpvsFixtures().service(clusterIP(name("ns", "s", "", "TCP"), "10.96.0.5", 80)).state();
        RecordingCommandRunner r = node()
                .respond("ipvsadm -Sn", 0, "-A -t 10.96.0.5:80 -s rr\n-a -t 10.96.0.5:80 -r 10.244.2.1:8080 -m -w 1\n", "")
                .respond("iptables-restore", 1, "", "iptables-restore: line 12 failed\n");
        MutableClock clock = new MutableClock(T0);
        IpvsProxier p = proxier(r, config(), clock);
        assertThatThrownBy(() -> p.sync(noEndpoint, true)).isInstanceOf(ProxySyncException.class)
                .hasMessage("iptables-restore --noflush of the IPVS-mode rules exited 1: iptables-restore: line 12 failed");
        assertThat(meters.get("kubeproxy_sync_proxy_rules_iptables_restore_failures_total").counter().count()).isEqualTo(1);
        assertThat(stdin(r, "ipvsadm --restore")).isEqualTo("-e -t 10.96.0.5:80 -r 10.244.2.1:8080 -m -w 0\n");

        // the kernel now has it at weight 0; the failed sync did not record when draining began, so it starts now
        r.respond("iptables-restore", 0, "", "")
                .respond("ipvsadm -Sn", 0, "-A -t 10.96.0.5:80 -s rr\n-a -t 10.96.0.5:80 -r 10.244.2.1:8080 -m -w 0\n", "");
        r.clear();
        clock.now = T0.plusSeconds(60);
        p.sync(noEndpoint, true);
        assertThat(r.calls("ipvsadm --restore")).isEmpty();
        r.clear();
        clock.now = T0.plusSeconds(75);
        p.sync(noEndpoint, true);
        assertThat(stdin(r, "ipvsadm --restore")).isEqualTo("-d -t 10.96.0.5:80 -r 10.244.2.1:8080\n");
        // and an endpoint that returns before that is re-weighted instead
        r.clear();
        p.sync(oneEndpoint, true);
        assertThat(stdin(r, "ipvsadm --restore")).isEqualTo("-e -t 10.96.0.5:80 -r 10.244.2.1:8080 -m -w 1\n");
    }

    @Test
    void strictArpAndTimeoutsAreSetAtTheFirstSync() {
        RecordingCommandRunner r = node();
        IpvsProxier.Config c = new IpvsProxier.Config(IpvsFixtures.NODE, "", false, 14, "wrr", true, List.of(),
                Duration.ofMinutes(15), null, Duration.ofSeconds(30), null);
        proxier(r, c, Clock.systemUTC()).sync(ProxyState.empty(), true);
        assertThat(r.calls("sysctl -w net.ipv4.conf.all.arp_ignore=1")).hasSize(1);
        assertThat(r.calls("sysctl -w net.ipv4.conf.all.arp_announce=2")).hasSize(1);
        assertThat(r.calls("ipvsadm --set 900 0 30")).hasSize(1);
        assertThat(r.calls("ipvsadm -A -t 198.51.100.0:20000 -s wrr")).hasSize(1);
    }

    @Test
    void cleanupWithoutIpvsRemovesRulesBeforeSetsAndLeavesIpvsAlone() {
        String nat = """
                *nat
                :PREROUTING ACCEPT [0:0]
                :KUBE-SERVICES - [0:0]
                -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                COMMIT
                """;
        RecordingCommandRunner r = IpvsSupportTest.noIpvs()
                .respond("ip link show kube-ipvs0", 1, "", "does not exist")
                .respond("iptables-save -t nat", 0, nat, "")
                .respond("iptables-save -t filter", 0, "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", "")
                .respond("ipset list -n", 0, "KUBE-CLUSTER-IP\nOTHER\nKUBE-LOOP-BACK\n", "");
        proxier(r, config(), Clock.systemUTC()).cleanup();
        List<String> cmds = r.calls().stream().map(RecordingCommandRunner.Call::command).toList();
        assertThat(cmds).noneMatch(c -> c.startsWith("ipvsadm -C") || c.startsWith("ip link del"));
        assertThat(cmds).containsSubsequence("iptables-restore --noflush", "ipset destroy KUBE-LOOP-BACK",
                "ipset destroy KUBE-CLUSTER-IP");
        assertThat(cmds).filteredOn(c -> c.startsWith("ipset destroy")).hasSize(2);
        assertThat(stdin(r, "iptables-restore --noflush")).isEqualTo("""
                *nat
                -D PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                :KUBE-SERVICES - [0:0]
                -X KUBE-SERVICES
                COMMIT
                """);
    }

    @Test
    void cleanupWithIpvsClearsTheTableAndDeletesTheDummyDeviceAndReportsFailures() {
        RecordingCommandRunner r = IpvsSupportTest.working()
                .respond("ip link show kube-ipvs0", 0, "7: kube-ipvs0: <BROADCAST,NOARP>\n", "")
                .respond("ipset list -n", 0, "KUBE-IPVS-IPS\n", "")
                .respond("ipset destroy KUBE-IPVS-IPS", 1, "", "ipset v7.17: Set cannot be destroyed: it is in use by a kernel component\n");
        assertThatThrownBy(() -> proxier(r, config(), Clock.systemUTC()).cleanup())
                .isInstanceOf(ProxySyncException.class)
                .hasMessageContaining("ipvs cleanup incomplete: ipset destroy KUBE-IPVS-IPS exited 1: ipset v7.17: Set cannot be destroyed");
        assertThat(r.calls("ipvsadm -C")).hasSize(1);
        assertThat(r.calls("ip link del kube-ipvs0")).hasSize(1);
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of(new Object[] {"", "", 14, "rr", List.of()}, "ipvs: nodeName must be set"),
                Arguments.of(new Object[] {"n", "10.244.0.0/33", 14, "rr", List.of()}, "ipvs: clusterCidr: not an IPv4 CIDR (prefix length 0..32): '10.244.0.0/33'"),
                Arguments.of(new Object[] {"n", "", 32, "rr", List.of()}, "ipvs: masqueradeBit 32 is not in [0, 31]"),
                Arguments.of(new Object[] {"n", "", 14, "fastest", List.of()}, "ipvs: unknown scheduler 'fastest' (ipvsadm knows rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq)"),
                Arguments.of(new Object[] {"n", "", 14, "rr", List.of("192.0.2.0")}, "ipvs: nodePortAddresses: not an IPv4 CIDR (a.b.c.d/n): '192.0.2.0'"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badConfigs")
    @SuppressWarnings("unchecked")
    void badConfigIsAClearError(Object[] a, String message) {
        assertThatThrownBy(() -> new IpvsProxier.Config((String) a[0], (String) a[1], false, (Integer) a[2],
                (String) a[3], false, (List<String>) a[4], null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void configDefaults() {
        IpvsProxier.Config c = new IpvsProxier.Config("n", null, false, 14, null, false, null, null, null, null, null);
        assertThat(c.scheduler()).isEqualTo("rr");
        assertThat(c.clusterCidr()).isEmpty();
        assertThat(c.nodePortAddresses()).isEmpty();
        assertThat(c.gracefulTerminationPeriod()).isEqualTo(Duration.ofSeconds(15));
    }

    private static String stdin(RecordingCommandRunner r, String command) {
        List<RecordingCommandRunner.Call> calls = r.calls(command);
        assertThat(calls).as(command).hasSize(1);
        return calls.get(0).stdin();
    }

    private static String golden(String file) throws IOException {
        try (InputStream in = IpvsProxierTest.class.getResourceAsStream("/ipvs/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
