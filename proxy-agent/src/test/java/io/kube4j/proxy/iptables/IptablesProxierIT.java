package io.kube4j.proxy.iptables;

import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import io.kube4j.proxy.testsupport.PrivateNetns;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kube4j.proxy.iptables.States.clusterIp;
import static io.kube4j.proxy.iptables.States.name;
import static io.kube4j.proxy.iptables.States.nodePort;
import static io.kube4j.proxy.iptables.States.ready;
import static io.kube4j.proxy.iptables.States.states;
import static org.assertj.core.api.Assertions.assertThat;

/** The iptables proxier against the real iptables, in a network namespace of the test's own. */
class IptablesProxierIT {

    private PrivateNetns netns;
    private CommandRunner runner;
    private IptablesProxier proxier;
    private String baseline;

    private final ServicePortName web = name("default", "web", "http", "TCP");
    private final ServicePortName dns = name("kube-system", "dns", "dns", "UDP");

    @BeforeEach
    void setUp() {
        netns = PrivateNetns.create("ipt");
        runner = netns.runner();
        // someone else's rules (Docker's, say) that the proxier must leave alone
        runner.run("iptables", "-t", "nat", "-N", "DOCKER").orThrow();
        runner.run("iptables", "-t", "nat", "-A", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER")
                .orThrow();
        runner.run("iptables", "-t", "filter", "-N", "DOCKER-USER").orThrow();
        runner.run("iptables", "-t", "filter", "-A", "FORWARD", "-j", "DOCKER-USER").orThrow();
        baseline = save();
        proxier = new IptablesProxier(IptablesProxier.Config.defaults("node-a").withClusterCidr("10.244.0.0/16"),
                runner, new SimpleMeterRegistry());
    }

    @AfterEach
    void tearDown() {
        if (netns != null) {
            netns.close();
        }
    }

    private String save() {
        return runner.run("iptables-save").orThrow().stdout().lines().filter(l -> !l.startsWith("#"))
                .map(l -> l.replaceAll("\\[\\d+:\\d+]", "[0:0]")).reduce("", (a, b) -> a + b + "\n");
    }

    private ProxyState state(String... webEndpoints) {
        States s = states();
        s.add(nodePort(web, "10.96.0.10", 80, 30080),
                java.util.Arrays.stream(webEndpoints).map(ip -> ready(ip, 8080)).toArray(io.kube4j.proxy.model.EndpointInfo[]::new));
        s.add(clusterIp(dns, "10.96.0.53", 53), ready("10.244.1.5", 53));
        return s.build();
    }

    @Test
    void fullSyncIsAppliedAndVisibleInIptablesSave() {
        SyncResult r = proxier.sync(state("10.244.1.1", "10.244.2.1"), true);

        assertThat(r.full()).isTrue();
        String saved = save();
        String svc = ChainNames.clusterPolicyChain("default/web:http", "tcp");
        String sep = ChainNames.endpointChain("default/web:http", "tcp", "10.244.1.1:8080");
        assertThat(saved)
                .contains("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES")
                .contains("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING")
                .contains("-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment \"default/web:http cluster IP\" -m tcp --dport 80 -j " + svc)
                .contains("-A " + svc + " -m comment --comment \"default/web:http -> 10.244.1.1:8080\" -m statistic --mode random --probability 0.50000000000 -j " + sep)
                .contains("-A " + sep + " -p tcp -m comment --comment \"default/web:http\" -m tcp -j DNAT --to-destination 10.244.1.1:8080")
                .contains("-A KUBE-NODEPORTS -p tcp -m comment --comment \"default/web:http\" -m tcp --dport 30080 -j " + ChainNames.externalChain("default/web:http", "tcp"))
                .contains("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT")
                .contains("-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment \"block incoming localnet connections\" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP");
        assertThat(runner.run("sysctl", "-n", "net.ipv4.conf.all.route_localnet").stdout().strip()).isEqualTo("1");

        // a second full sync changes nothing and inserts no second jump
        proxier.sync(state("10.244.1.1", "10.244.2.1"), true);
        assertThat(save()).isEqualTo(saved);
    }

    @Test
    void partialSyncRewritesTheChangedServiceAndDeletesItsStaleChains() {
        proxier.sync(state("10.244.1.1", "10.244.2.1"), true);
        String gone = ChainNames.endpointChain("default/web:http", "tcp", "10.244.2.1:8080");
        assertThat(save()).contains(":" + gone);

        ProxyState next = states().add(nodePort(web, "10.96.0.10", 80, 30080), ready("10.244.1.1", 8080),
                ready("10.244.3.1", 8080)).add(clusterIp(dns, "10.96.0.53", 53), ready("10.244.1.5", 53))
                .changed("default/web").build();
        SyncResult r = proxier.sync(next, false);

        assertThat(r.full()).isFalse();
        String saved = save();
        assertThat(saved).doesNotContain(gone)
                .contains(ChainNames.endpointChain("default/web:http", "tcp", "10.244.3.1:8080"))
                .contains("--to-destination 10.244.1.5:53");
        // the partial result equals what a full sync renders
        proxier.sync(next, true);
        assertThat(save()).isEqualTo(saved);
    }

    @Test
    void fullSyncRepairsTampering() {
        proxier.sync(state("10.244.1.1"), true);
        String good = save();
        String svc = ChainNames.clusterPolicyChain("default/web:http", "tcp");
        runner.run("iptables", "-t", "nat", "-D", "PREROUTING", "-m", "comment", "--comment",
                "kubernetes service portals", "-j", "KUBE-SERVICES").orThrow();
        runner.run("iptables", "-t", "nat", "-F", svc).orThrow();
        runner.run("iptables", "-t", "filter", "-F", "KUBE-FORWARD").orThrow();
        assertThat(save()).isNotEqualTo(good);

        proxier.sync(state("10.244.1.1"), true);

        assertThat(save()).isEqualTo(good);
    }

    @Test
    void staleChainsOfAPreviousProcessAreRemoved() {
        IptablesProxier previous = new IptablesProxier(IptablesProxier.Config.defaults("node-a"), runner,
                new SimpleMeterRegistry());
        ServicePortName old = name("old", "gone", "", "TCP");
        previous.sync(states().add(clusterIp(old, "10.96.9.9", 80), ready("10.244.9.9", 80)).build(), true);
        assertThat(save()).contains(ChainNames.clusterPolicyChain("old/gone", "tcp"));

        proxier.sync(state("10.244.1.1"), true);

        String saved = save();
        assertThat(saved).doesNotContain(ChainNames.clusterPolicyChain("old/gone", "tcp"))
                .doesNotContain(ChainNames.endpointChain("old/gone", "tcp", "10.244.9.9:80"))
                .contains(ChainNames.clusterPolicyChain("default/web:http", "tcp"));
    }

    @Test
    void cleanupRestoresTheBaselineEvenFromAnotherInstance() {
        ServicePortInfo lb = new ServicePortInfo(web, "LoadBalancer", "10.96.0.10", 80, "TCP", 30080,
                List.of("192.0.2.10"), List.of("198.51.100.7"), true, 600, true, false, 31000);
        proxier.sync(states().add(lb, ready("10.244.1.1", 8080)).add(clusterIp(dns, "10.96.0.53", 53)).build(), true);
        assertThat(save()).isNotEqualTo(baseline);

        IptablesProxier fresh = new IptablesProxier(IptablesProxier.Config.defaults("node-a"), runner,
                new SimpleMeterRegistry());
        fresh.cleanup();

        assertThat(save()).isEqualTo(baseline);
        fresh.cleanup(); // idempotent
        assertThat(save()).isEqualTo(baseline);
    }

    @Test
    void largeClusterModeIsAppliedAndPartiallyUpdated() {
        ProxyState big = States.many(250, 5); // 1,250 endpoints: no KUBE-SEP chains
        SyncResult first = proxier.sync(big, true);
        String svc = ChainNames.clusterPolicyChain("bench/svc-7:http", "tcp");
        String saved = save();
        assertThat(saved).doesNotContain("KUBE-SEP-")
                .contains("-A " + svc + " -s 10.244.0.36/32 -j KUBE-MARK-MASQ")
                .contains("-A " + svc + " -p tcp -m tcp -j DNAT --to-destination 10.244.0.40:8080");
        assertThat(first.chains()).isGreaterThan(250);

        java.util.Map<ServicePortName, List<io.kube4j.proxy.model.EndpointInfo>> eps = new java.util.HashMap<>(big.endpoints());
        ServicePortName n = name("bench", "svc-7", "http", "TCP");
        eps.put(n, List.of(ready("10.250.0.1", 8080)));
        ProxyState next = new ProxyState(big.services(), eps, java.util.Set.of("bench/svc-7"), java.util.Map.of());
        assertThat(proxier.sync(next, false).full()).isFalse();

        String partial = save();
        assertThat(partial).contains("-A " + svc + " -p tcp -m tcp -j DNAT --to-destination 10.250.0.1:8080")
                .doesNotContain("10.244.0.40:8080");
        proxier.sync(next, true);
        assertThat(save()).isEqualTo(partial);

        // a Service deleted in a partial sync: its chain goes in the same restore
        java.util.TreeMap<ServicePortName, ServicePortInfo> fewer = new java.util.TreeMap<>(next.services());
        fewer.remove(name("bench", "svc-9", "http", "TCP"));
        proxier.sync(new ProxyState(fewer, eps, java.util.Set.of("bench/svc-9"), java.util.Map.of()), false);
        assertThat(save()).doesNotContain(ChainNames.clusterPolicyChain("bench/svc-9:http", "tcp")).contains(svc);

        proxier.cleanup();
        assertThat(save()).isEqualTo(baseline);
    }
}
