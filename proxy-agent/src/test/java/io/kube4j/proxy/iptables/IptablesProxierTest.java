package io.kube4j.proxy.iptables;

import io.kube4j.proxy.ProxySyncException;
import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.exec.RecordingCommandRunner;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortName;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kube4j.proxy.iptables.States.clusterIp;
import static io.kube4j.proxy.iptables.States.name;
import static io.kube4j.proxy.iptables.States.nodePort;
import static io.kube4j.proxy.iptables.States.ready;
import static io.kube4j.proxy.iptables.States.states;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The proxier's commands (apply, partial sync, failures, cleanup, conntrack) against the recording fake. */
class IptablesProxierTest {

    static final String RESTORE = "iptables-restore -w 5 -W 100000 --noflush --counters";
    final ServicePortName web = name("default", "web", "http", "TCP");
    final ServicePortName api = name("default", "api", "", "TCP");
    final ServicePortName dns = name("kube-system", "dns", "dns", "UDP");

    RecordingCommandRunner runner;
    SimpleMeterRegistry meters;
    IptablesProxier proxier;

    @BeforeEach
    void setUp() {
        runner = new RecordingCommandRunner().respond("iptables --version", 0, "iptables v1.8.9 (nf_tables)\n", "");
        meters = new SimpleMeterRegistry();
        proxier = new IptablesProxier(IptablesProxier.Config.defaults("node-a").withClusterCidr("10.244.0.0/16"),
                runner, meters);
    }

    ProxyState state(String... webEndpoints) {
        States s = states();
        s.add(nodePort(web, "10.96.0.10", 80, 30080),
                java.util.Arrays.stream(webEndpoints).map(ip -> ready(ip, 8080)).toArray(io.kube4j.proxy.model.EndpointInfo[]::new));
        s.add(clusterIp(api, "10.96.0.11", 80), ready("10.244.9.9", 80));
        s.add(clusterIp(dns, "10.96.0.53", 53), ready("10.244.1.5", 53), ready("10.244.2.5", 53));
        return s.build();
    }

    String lastRestore() {
        List<RecordingCommandRunner.Call> calls = runner.calls(RESTORE);
        assertThat(calls).isNotEmpty();
        return calls.get(calls.size() - 1).stdin();
    }

    @Test
    void firstSyncPreparesTheHostEnsuresJumpsAndRestoresBothTablesOnce() {
        runner.respond("iptables -w 5 -W 100000 -t nat -C PREROUTING", 1, "", "iptables: Bad rule.");
        SyncResult r = proxier.sync(state("10.244.1.1"), false);

        assertThat(r.full()).isTrue();
        List<String> cmds = runner.calls().stream().map(RecordingCommandRunner.Call::command).toList();
        assertThat(cmds).containsSubsequence("sysctl -w net.ipv4.conf.all.route_localnet=1", "iptables-save",
                "iptables -w 5 -W 100000 -t nat -C PREROUTING -m comment --comment kubernetes service portals -j KUBE-SERVICES",
                "iptables -w 5 -W 100000 -t nat -N KUBE-SERVICES",
                "iptables -w 5 -W 100000 -t nat -I PREROUTING -m comment --comment kubernetes service portals -j KUBE-SERVICES",
                RESTORE);
        assertThat(runner.calls(RESTORE)).hasSize(1);
        assertThat(lastRestore()).startsWith("*filter\n").contains("COMMIT\n*nat\n").endsWith("COMMIT\n")
                .contains("--random-fully");
        assertThat(r.rules()).isPositive();
        assertThat(meters.get("kubeproxy_sync_proxy_rules_iptables_total").tag("table", "nat").gauge().value())
                .isPositive();
    }

    @Test
    void partialSyncWritesOnlyTheChangedServiceAndDeletesItsStaleChains() {
        proxier.sync(state("10.244.1.1", "10.244.2.1"), true);
        runner.clear();
        ProxyState next = states().add(nodePort(web, "10.96.0.10", 80, 30080), ready("10.244.1.1", 8080),
                        ready("10.244.3.1", 8080)).add(clusterIp(api, "10.96.0.11", 80), ready("10.244.9.9", 80))
                .add(clusterIp(dns, "10.96.0.53", 53), ready("10.244.1.5", 53), ready("10.244.2.5", 53))
                .changed("default/web").build();

        SyncResult r = proxier.sync(next, false);

        assertThat(r.full()).isFalse();
        assertThat(runner.calls("iptables-save")).isEmpty();
        assertThat(runner.calls("iptables -")).isEmpty();
        String in = lastRestore();
        String svc = ChainNames.clusterPolicyChain("default/web:http", "tcp");
        String gone = ChainNames.endpointChain("default/web:http", "tcp", "10.244.2.1:8080");
        assertThat(in).doesNotContain("*filter") // filter unchanged
                .doesNotContain(":KUBE-SERVICES") // top-level unchanged: endpoints changed only
                .contains(":" + svc + " - [0:0]\n")
                .contains(":" + ChainNames.endpointChain("default/web:http", "tcp", "10.244.3.1:8080") + " - [0:0]\n")
                .contains(":" + gone + " - [0:0]\n").contains("-X " + gone + "\n")
                .doesNotContain(ChainNames.clusterPolicyChain("default/api", "tcp"))
                .doesNotContain("kube-system/dns");
        assertThat(r.rules()).isEqualTo(proxier.sync(next, true).rules());
    }

    @Test
    void partialSyncRewritesTopLevelChainsWhenAServiceComesOrGoes() {
        proxier.sync(state("10.244.1.1"), true);
        runner.clear();
        ProxyState next = states().add(nodePort(web, "10.96.0.10", 80, 30080), ready("10.244.1.1", 8080))
                .add(clusterIp(dns, "10.96.0.53", 53), ready("10.244.1.5", 53), ready("10.244.2.5", 53))
                .changed("default/api").build();

        proxier.sync(next, false);

        String in = lastRestore();
        String apiSvc = ChainNames.clusterPolicyChain("default/api", "tcp");
        assertThat(in).contains(":KUBE-SERVICES - [0:0]\n").contains("-X " + apiSvc + "\n")
                .contains("-j " + ChainNames.clusterPolicyChain("default/web:http", "tcp") + "\n")
                .doesNotContain(":" + ChainNames.clusterPolicyChain("default/web:http", "tcp"));
    }

    @Test
    void aServiceThatChangedWithoutBeingNamedIsStillRewritten() {
        proxier.sync(state("10.244.1.1"), true);
        runner.clear();
        proxier.sync(state("10.244.7.7"), false); // changedServices empty

        assertThat(lastRestore()).contains("--to-destination 10.244.7.7:8080");
    }

    @Test
    void nothingChangedMeansNoRestoreAtAll() {
        proxier.sync(state("10.244.1.1"), true);
        runner.clear();
        SyncResult r = proxier.sync(state("10.244.1.1"), false);
        assertThat(r.full()).isFalse();
        assertThat(runner.calls()).isEmpty();
    }

    @Test
    void laterFullSyncsUseMemoryAndListBuiltinChainsInsteadOfIptablesSave() {
        proxier.sync(state("10.244.1.1"), true);
        runner.clear();
        runner.respond("iptables -w 5 -W 100000 -t nat -S PREROUTING", 0,
                "-P PREROUTING ACCEPT\n-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n", "");
        proxier.sync(state("10.244.1.1"), true);

        assertThat(runner.calls("iptables-save")).isEmpty();
        assertThat(runner.calls("iptables -w 5 -W 100000 -t nat -C PREROUTING")).isEmpty();
        assertThat(runner.calls("iptables -w 5 -W 100000 -t nat -S PREROUTING")).hasSize(1);
        assertThat(lastRestore()).contains(":KUBE-SERVICES - [0:0]\n");
    }

    @Test
    void firstFullSyncDeletesStaleChainsOfAPreviousProcessButNeverOthers() {
        runner.respond("iptables-save", 0, """
                *nat
                :PREROUTING ACCEPT [0:0]
                :DOCKER - [0:0]
                :KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]
                :KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]
                :KUBE-SERVICES - [0:0]
                COMMIT
                """, "");
        proxier.sync(state("10.244.1.1"), false);

        assertThat(lastRestore()).contains("-X KUBE-SVC-AAAAAAAAAAAAAAAA\n").contains("-X KUBE-SEP-BBBBBBBBBBBBBBBB\n")
                .doesNotContain("DOCKER").doesNotContain("-X KUBE-SERVICES");
    }

    @Test
    void failedRestoreThrowsWithTheOffendingLineKeepsMemoryAndForcesAFullSync() {
        proxier.sync(state("10.244.1.1"), true);
        runner.respond(RESTORE, 2, "", "iptables-restore v1.8.9 (nf_tables): Chain 'KUBE-X' does not exist\nError occurred at line: 3\n");

        assertThatThrownBy(() -> proxier.sync(state("10.244.5.5"), false))
                .isInstanceOf(ProxySyncException.class)
                .hasMessageContaining("Chain 'KUBE-X' does not exist")
                .hasMessageContaining("=> 3: ");
        assertThat(meters.get("kubeproxy_sync_proxy_rules_iptables_restore_failures_total").counter().count()).isEqualTo(1);
        assertThat(meters.get("kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total").counter().count())
                .isEqualTo(1);

        runner.respond(RESTORE, 0, "", "");
        runner.clear();
        SyncResult r = proxier.sync(state("10.244.5.5"), false);
        assertThat(r.full()).isTrue();
        assertThat(runner.calls("iptables-save")).hasSize(1); // the failed restore may have committed a section
        // memory was kept: the chain of the endpoint applied before the failure is now stale and goes
        assertThat(lastRestore()).contains("-X " + ChainNames.endpointChain("default/web:http", "tcp", "10.244.1.1:8080"));
    }

    @Test
    void removedUdpEndpointsLoseTheirConntrackEntries() {
        proxier.sync(state("10.244.1.1"), true);
        runner.clear();
        ProxyState next = states().add(nodePort(web, "10.96.0.10", 80, 30080), ready("10.244.1.1", 8080))
                .add(clusterIp(api, "10.96.0.11", 80), ready("10.244.9.9", 80))
                .add(clusterIp(dns, "10.96.0.53", 53), ready("10.244.1.5", 53)).changed("kube-system/dns").build();
        runner.respond("conntrack", 1, "", "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n");

        proxier.sync(next, false);

        assertThat(runner.calls("conntrack").stream().map(RecordingCommandRunner.Call::command))
                .containsExactly("conntrack -D --orig-dst 10.96.0.53 --dst-nat 10.244.2.5 -p udp");
    }

    @Test
    void udpServiceGettingItsFirstEndpointClearsRejectedFlows() {
        ProxyState none = states().add(clusterIp(dns, "10.96.0.53", 53)).build();
        proxier.sync(none, true);
        runner.clear();
        proxier.sync(states().add(clusterIp(dns, "10.96.0.53", 53), ready("10.244.1.5", 53)).build(), false);
        assertThat(runner.calls("conntrack").stream().map(RecordingCommandRunner.Call::command))
                .containsExactly("conntrack -D --orig-dst 10.96.0.53 -p udp");
    }

    @Test
    void noLocalEndpointsAreCounted() {
        ProxyState s = states().add(new io.kube4j.proxy.model.ServicePortInfo(web, "NodePort", "10.96.0.10", 80, "TCP",
                30080, List.of(), List.of(), false, 0, true, true, 0), ready("10.244.1.1", 8080)).build();
        proxier.sync(s, true);
        assertThat(meters.get("kubeproxy_sync_proxy_rules_no_local_endpoints_total").tag("traffic_policy", "internal")
                .gauge().value()).isEqualTo(1);
        assertThat(meters.get("kubeproxy_sync_proxy_rules_no_local_endpoints_total").tag("traffic_policy", "external")
                .gauge().value()).isEqualTo(1);
    }

    @Test
    void cleanupRemovesJumpsAndOurChainsOnlyAndLeavesReferencedOnes() {
        runner.respond("iptables-save", 0, """
                *filter
                :INPUT ACCEPT [0:0]
                :KUBE-FORWARD - [0:0]
                :KUBE-FIREWALL - [0:0]
                :DOCKER-USER - [0:0]
                -A INPUT -j KUBE-FIREWALL
                -A DOCKER-USER -j RETURN
                COMMIT
                *nat
                :PREROUTING ACCEPT [0:0]
                :DOCKER - [0:0]
                :KUBE-SERVICES - [0:0]
                :KUBE-MARK-MASQ - [0:0]
                :KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]
                :KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]
                -A KUBE-SERVICES -j KUBE-SVC-AAAAAAAAAAAAAAAA
                -A KUBE-SVC-AAAAAAAAAAAAAAAA -j KUBE-SEP-BBBBBBBBBBBBBBBB
                COMMIT
                """, "");

        assertThatThrownBy(() -> proxier.cleanup()).isInstanceOf(ProxySyncException.class)
                .hasMessageContaining("KUBE-FIREWALL");

        assertThat(runner.calls("iptables -w 5 -W 100000 -t nat -D PREROUTING")).isNotEmpty();
        List<String> restores = runner.calls(RESTORE).stream().map(RecordingCommandRunner.Call::stdin).toList();
        assertThat(restores).hasSize(2);
        assertThat(restores.get(0)).isEqualTo("""
                *nat
                :KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]
                :KUBE-SERVICES - [0:0]
                :KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]
                :KUBE-MARK-MASQ - [0:0]
                COMMIT
                *nat
                -X KUBE-SVC-AAAAAAAAAAAAAAAA
                -X KUBE-SERVICES
                -X KUBE-SEP-BBBBBBBBBBBBBBBB
                -X KUBE-MARK-MASQ
                COMMIT
                """);
        // INPUT still jumps to KUBE-FIREWALL (the fake did not delete the rule): left in place, reported
        assertThat(restores.get(1)).isEqualTo("""
                *filter
                :KUBE-FORWARD - [0:0]
                COMMIT
                *filter
                -X KUBE-FORWARD
                COMMIT
                """);
    }

    @Test
    void badConfigurationIsRejectedWithAClearMessage() {
        assertThatThrownBy(() -> IptablesProxier.Config.defaults("n").withClusterCidr("10.244.0.0"))
                .hasMessageContaining("clusterCidr").hasMessageContaining("10.244.0.0");
        assertThatThrownBy(() -> IptablesProxier.Config.defaults("n").withNodePortAddresses(List.of("300.1.1.1/8")))
                .hasMessageContaining("nodePortAddresses");
        assertThatThrownBy(() -> new IptablesProxier.Config("n", null, false, 32, List.of(), true, null))
                .hasMessageContaining("masqueradeBit");
        assertThat(IptablesProxier.Config.defaults("n").masqueradeMark()).isEqualTo("0x4000");
        assertThat(IptablesProxier.Config.defaults("n").withNodePortAddresses(List.of("192.168.0.0/16"))
                .effectiveLocalhostNodePorts()).isFalse();
        assertThat(IptablesProxier.Config.defaults("n").withNodePortAddresses(List.of("127.0.0.0/8"))
                .effectiveLocalhostNodePorts()).isTrue();
    }
}
