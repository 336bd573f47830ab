package io.kube4j.proxy.iptables;

import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static io.kube4j.proxy.iptables.States.clusterIp;
import static io.kube4j.proxy.iptables.States.name;
import static io.kube4j.proxy.iptables.States.nodePort;
import static io.kube4j.proxy.iptables.States.ready;
import static io.kube4j.proxy.iptables.States.readyLocal;
import static io.kube4j.proxy.iptables.States.states;
import static io.kube4j.proxy.iptables.States.terminating;
import static org.assertj.core.api.Assertions.assertThat;

/** What the renderer writes for each kind of Service, rule by rule (kube-proxy's proxier_test.go cases). */
class IptablesRendererTest {

    static final ServicePortName WEB = name("ns1", "web", "http", "TCP");
    static final String W = "ns1/web:http";
    static final String SVC = ChainNames.clusterPolicyChain(W, "tcp");
    static final String SVL = ChainNames.localPolicyChain(W, "tcp");
    static final String EXT = ChainNames.externalChain(W, "tcp");

    static String sep(String ep) {
        return ChainNames.endpointChain(W, "tcp", ep);
    }

    static IptablesProxier.Config base() {
        return IptablesProxier.Config.defaults("node-a").withClusterCidr("10.244.0.0/16");
    }

    static ServicePortInfo svc(String type, int nodePort, List<String> externalIPs, List<String> lbIPs,
                               boolean affinity, boolean extLocal, boolean intLocal, int hcPort) {
        return new ServicePortInfo(WEB, type, "172.30.0.41", 80, "TCP", nodePort, externalIPs, lbIPs, affinity,
                affinity ? 10800 : 0, extLocal, intLocal, hcPort);
    }

    /** One case: a state, a config, lines that must be in the output and lines that must not. */
    record Case(String name, ProxyState state, UnaryOperator<IptablesProxier.Config> config, List<String> present,
                List<String> absent) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static Stream<Case> cases() {
        return Stream.of(
                new Case("ClusterIP spreads over its endpoints and masquerades off-cluster clients",
                        states().add(clusterIp(WEB, "172.30.0.41", 80), ready("10.180.0.1", 80), ready("10.180.1.1", 80)).build(),
                        c -> c,
                        List.of("-A KUBE-SERVICES -m comment --comment \"ns1/web:http cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j " + SVC,
                                "-A " + SVC + " -m comment --comment \"ns1/web:http cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ",
                                "-A " + SVC + " -m comment --comment \"ns1/web:http -> 10.180.0.1:80\" -m statistic --mode random --probability 0.5000000000 -j " + sep("10.180.0.1:80"),
                                "-A " + SVC + " -m comment --comment \"ns1/web:http -> 10.180.1.1:80\" -j " + sep("10.180.1.1:80"),
                                "-A " + sep("10.180.0.1:80") + " -m comment --comment ns1/web:http -s 10.180.0.1 -j KUBE-MARK-MASQ",
                                "-A " + sep("10.180.0.1:80") + " -m comment --comment ns1/web:http -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80",
                                ":" + SVC + " - [0:0]", ":" + sep("10.180.1.1:80") + " - [0:0]"),
                        List.of(EXT, SVL, "REJECT")),
                new Case("no endpoints: REJECT in filter, no nat chains",
                        states().add(nodePort(WEB, "172.30.0.41", 80, 3001)).build(),
                        c -> c,
                        List.of("-A KUBE-SERVICES -m comment --comment \"ns1/web:http has no endpoints\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j REJECT",
                                "-A KUBE-EXTERNAL-SERVICES -m comment --comment \"ns1/web:http has no endpoints\" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j REJECT"),
                        List.of(SVC, EXT, "KUBE-SEP-")),
                new Case("NodePort goes through KUBE-NODEPORTS and the EXT chain, masqueraded",
                        states().add(nodePort(WEB, "172.30.0.41", 80, 3001), ready("10.180.0.1", 80)).build(),
                        c -> c,
                        List.of("-A KUBE-NODEPORTS -m comment --comment ns1/web:http -m tcp -p tcp --dport 3001 -j " + EXT,
                                "-A " + EXT + " -m comment --comment \"masquerade traffic for ns1/web:http external destinations\" -j KUBE-MARK-MASQ",
                                "-A " + EXT + " -j " + SVC,
                                "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS"),
                        List.of(SVL)),
                new Case("externalIPs and load-balancer IPs go to the EXT chain",
                        states().add(svc("LoadBalancer", 3001, List.of("192.168.99.11"), List.of("1.2.3.4"), false, false, false, 0), ready("10.180.0.1", 80)).build(),
                        c -> c,
                        List.of("-A KUBE-SERVICES -m comment --comment \"ns1/web:http external IP\" -m tcp -p tcp -d 192.168.99.11 --dport 80 -j " + EXT,
                                "-A KUBE-SERVICES -m comment --comment \"ns1/web:http loadbalancer IP\" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j " + EXT),
                        List.of()),
                new Case("ClientIP affinity checks and sets the recent list named after the endpoint chain",
                        states().add(svc("ClusterIP", 0, List.of(), List.of(), true, false, false, 0), ready("10.180.0.1", 80), ready("10.180.1.1", 80)).build(),
                        c -> c,
                        List.of("-A " + SVC + " -m comment --comment \"ns1/web:http -> 10.180.0.1:80\" -m recent --name " + sep("10.180.0.1:80") + " --rcheck --seconds 10800 --reap -j " + sep("10.180.0.1:80"),
                                "-A " + sep("10.180.1.1:80") + " -m comment --comment ns1/web:http -m recent --name " + sep("10.180.1.1:80") + " --set -m tcp -p tcp -j DNAT --to-destination 10.180.1.1:80"),
                        List.of()),
                new Case("externalTrafficPolicy Local: KUBE-SVL for outside traffic, pods and the node short-circuit to KUBE-SVC",
                        states().add(svc("NodePort", 3001, List.of(), List.of(), false, true, false, 30000), readyLocal("10.180.0.1", 80), ready("10.180.2.1", 80)).build(),
                        c -> c,
                        List.of("-A " + EXT + " -m comment --comment \"pod traffic for ns1/web:http external destinations\" -s 10.244.0.0/16 -j " + SVC,
                                "-A " + EXT + " -m comment --comment \"masquerade LOCAL traffic for ns1/web:http external destinations\" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ",
                                "-A " + EXT + " -m comment --comment \"route LOCAL traffic for ns1/web:http external destinations\" -m addrtype --src-type LOCAL -j " + SVC,
                                "-A " + EXT + " -j " + SVL,
                                "-A " + SVL + " -m comment --comment \"ns1/web:http -> 10.180.0.1:80\" -j " + sep("10.180.0.1:80"),
                                "-A KUBE-NODEPORTS -m comment --comment \"ns1/web:http health check node port\" -m tcp -p tcp --dport 30000 -j ACCEPT"),
                        List.of("masquerade traffic for", "-A " + SVL + " -m comment --comment \"ns1/web:http -> 10.180.2.1:80\"")),
                new Case("externalTrafficPolicy Local without local endpoints: outside traffic dropped",
                        states().add(svc("NodePort", 3001, List.of(), List.of(), false, true, false, 0), ready("10.180.2.1", 80)).build(),
                        c -> c,
                        List.of("-A KUBE-EXTERNAL-SERVICES -m comment --comment \"ns1/web:http has no local endpoints\" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP",
                                "-A " + EXT + " -m comment --comment \"route LOCAL traffic for ns1/web:http external destinations\" -m addrtype --src-type LOCAL -j " + SVC),
                        List.of("-j " + SVL, ":" + SVL)),
                new Case("internalTrafficPolicy Local: ClusterIP to KUBE-SVL, dropped without local endpoints",
                        states().add(svc("ClusterIP", 0, List.of(), List.of(), false, false, true, 0), ready("10.180.2.1", 80)).build(),
                        c -> c,
                        List.of("-A KUBE-SERVICES -m comment --comment \"ns1/web:http has no local endpoints\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j DROP"),
                        List.of(":" + SVC, ":" + SVL)),
                new Case("internalTrafficPolicy Local with a local endpoint",
                        states().add(svc("ClusterIP", 0, List.of(), List.of(), false, false, true, 0), readyLocal("10.180.0.1", 80), ready("10.180.2.1", 80)).build(),
                        c -> c,
                        List.of("-A KUBE-SERVICES -m comment --comment \"ns1/web:http cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j " + SVL,
                                "-A " + SVL + " -m comment --comment \"ns1/web:http cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ"),
                        List.of(":" + SVC, "10.180.2.1")),
                new Case("both policies Local on a NodePort: KUBE-SVC still exists for the short-circuit (kube-proxy's UsesClusterEndpoints)",
                        states().add(svc("NodePort", 3001, List.of(), List.of(), false, true, true, 0), readyLocal("10.180.0.1", 80), ready("10.180.2.1", 80)).build(),
                        c -> c,
                        List.of(":" + SVC + " - [0:0]", ":" + SVL + " - [0:0]",
                                "-A KUBE-SERVICES -m comment --comment \"ns1/web:http cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j " + SVL,
                                "-A " + EXT + " -m comment --comment \"pod traffic for ns1/web:http external destinations\" -s 10.244.0.0/16 -j " + SVC,
                                "-A " + SVC + " -m comment --comment \"ns1/web:http -> 10.180.2.1:80\" -j " + sep("10.180.2.1:80"),
                                "-A " + EXT + " -j " + SVL),
                        List.of()),
                new Case("no ready endpoint: serving terminating ones are used, not-serving ones never",
                        states().add(clusterIp(WEB, "172.30.0.41", 80), terminating("10.180.0.1", 80, true), terminating("10.180.1.1", 80, false)).build(),
                        c -> c,
                        List.of("-A " + SVC + " -m comment --comment \"ns1/web:http -> 10.180.0.1:80\" -j " + sep("10.180.0.1:80")),
                        List.of("10.180.1.1", "REJECT")),
                new Case("terminating endpoints are ignored while a ready one exists",
                        states().add(clusterIp(WEB, "172.30.0.41", 80), terminating("10.180.0.1", 80, true), ready("10.180.1.1", 80)).build(),
                        c -> c,
                        List.of("-A " + SVC + " -m comment --comment \"ns1/web:http -> 10.180.1.1:80\" -j " + sep("10.180.1.1:80")),
                        List.of("10.180.0.1")),
                new Case("masqueradeAll masquerades every ClusterIP packet",
                        states().add(clusterIp(WEB, "172.30.0.41", 80), ready("10.180.0.1", 80)).build(),
                        c -> c.withMasqueradeAll(true),
                        List.of("-A " + SVC + " -m comment --comment \"ns1/web:http cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-MARK-MASQ"),
                        List.of("! -s 10.244.0.0/16")),
                new Case("no clusterCidr: no off-cluster masquerade and no pod short-circuit (no-op local detector)",
                        states().add(svc("NodePort", 3001, List.of(), List.of(), false, true, false, 0), readyLocal("10.180.0.1", 80)).build(),
                        c -> c.withClusterCidr(null),
                        List.of("-A " + EXT + " -m comment --comment \"route LOCAL traffic for ns1/web:http external destinations\" -m addrtype --src-type LOCAL -j " + SVC),
                        List.of("cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-MARK-MASQ", "! -s 10.244", "pod traffic for")),
                new Case("several ports, named, and UDP",
                        states().add(clusterIp(name("ns2", "dns", "dns", "UDP"), "172.30.0.10", 53), ready("10.180.0.5", 53))
                                .add(clusterIp(name("ns2", "dns", "dns-tcp", "TCP"), "172.30.0.10", 53), ready("10.180.0.5", 53)).build(),
                        c -> c,
                        List.of("-A KUBE-SERVICES -m comment --comment \"ns2/dns:dns cluster IP\" -m udp -p udp -d 172.30.0.10 --dport 53 -j " + ChainNames.clusterPolicyChain("ns2/dns:dns", "udp"),
                                "-A KUBE-SERVICES -m comment --comment \"ns2/dns:dns-tcp cluster IP\" -m tcp -p tcp -d 172.30.0.10 --dport 53 -j " + ChainNames.clusterPolicyChain("ns2/dns:dns-tcp", "tcp"),
                                "-m udp -p udp -j DNAT --to-destination 10.180.0.5:53"),
                        List.of()),
                new Case("localhost NodePorts off: loopback excluded, no KUBE-FIREWALL",
                        states().add(nodePort(WEB, "172.30.0.41", 80, 3001), ready("10.180.0.1", 80)).build(),
                        c -> c.withLocalhostNodePorts(false),
                        List.of("-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS"),
                        List.of("KUBE-FIREWALL")),
                new Case("localhost NodePorts on: kube-proxy's martian protection",
                        states().add(nodePort(WEB, "172.30.0.41", 80, 3001), ready("10.180.0.1", 80)).build(),
                        c -> c,
                        List.of(":KUBE-FIREWALL - [0:0]",
                                "-A KUBE-FIREWALL -m comment --comment \"block incoming localnet connections\" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP"),
                        List.of("! -d 127.0.0.0/8 -j KUBE-NODEPORTS")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void renders(Case c) {
        String text = render(c.config().apply(base()), c.state(), null);
        for (String line : c.present()) {
            assertThat(text).as(c.name()).contains(line + "\n");
        }
        for (String s : c.absent()) {
            assertThat(text).as(c.name()).doesNotContain(s);
        }
    }

    static String render(IptablesProxier.Config config, ProxyState state, List<String> nodeIps) {
        return new IptablesRenderer(config).render(state, null, null,
                new IptablesRenderer.HostFacts(true, false, nodeIps)).text(List.of());
    }

    @Test
    void probabilitiesAreKubeProxys() {
        EndpointInfo[] eps = new EndpointInfo[5];
        for (int i = 0; i < 5; i++) {
            eps[i] = ready("10.180.0." + (i + 1), 80);
        }
        String text = render(base(), states().add(clusterIp(WEB, "172.30.0.41", 80), eps).build(), null);
        assertThat(text).containsSubsequence("--probability 0.2000000000", "--probability 0.2500000000",
                "--probability 0.3333333333", "--probability 0.5000000000", "-j " + sep("10.180.0.5:80") + "\n");
    }

    @Test
    void nodePortAddressesWriteOneRulePerAddress() {
        String text = render(base().withNodePortAddresses(List.of("192.168.0.0/16")),
                states().add(nodePort(WEB, "172.30.0.41", 80, 3001), ready("10.180.0.1", 80)).build(),
                List.of("192.168.1.2", "192.168.7.7"));
        assertThat(text).contains("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -d 192.168.1.2 -j KUBE-NODEPORTS\n")
                .contains("-d 192.168.7.7 -j KUBE-NODEPORTS\n").doesNotContain("addrtype --dst-type LOCAL -j KUBE-NODEPORTS");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyJumpTargetIsDeclaredBeforeUse(Case c) {
        String text = render(c.config().apply(base()), c.state(), null);
        assertThat(text).startsWith("*filter\n").contains("COMMIT\n*nat\n").endsWith("COMMIT\n");
        // every chain a rule jumps to is declared before it
        List<String> lines = text.lines().toList();
        java.util.Set<String> declared = new java.util.HashSet<>(List.of("KUBE-MARK-MASQ", "ACCEPT", "DROP", "REJECT",
                "RETURN", "DNAT", "MARK", "MASQUERADE"));
        for (String l : lines) {
            if (l.startsWith(":")) {
                declared.add(l.substring(1, l.indexOf(' ')));
            } else if (l.contains(" -j ")) {
                String target = l.substring(l.indexOf(" -j ") + 4).split(" ")[0];
                assertThat(declared).as(l).contains(target);
            }
        }
    }

    @Test
    void largeClusterModeWritesNoEndpointChainsAndOrdersByChainName() {
        ProxyState big = States.many(250, 5); // 1,250 endpoints > 1,000
        String text = render(base(), big, null);
        String name = "bench/svc-7:http";
        String svc = ChainNames.clusterPolicyChain(name, "tcp");
        assertThat(text).doesNotContain("KUBE-SEP-")
                .contains("-A " + svc + " -s 10.244.0.36 -j KUBE-MARK-MASQ\n")
                .contains("-A " + svc + " -m statistic --mode random --probability 0.2000000000 -m tcp -p tcp -j DNAT --to-destination 10.244.0.36:8080\n")
                .contains("-A " + svc + " -m tcp -p tcp -j DNAT --to-destination 10.244.0.40:8080\n")
                .contains("-A KUBE-SERVICES -m comment --comment \"" + name + " cluster IP\" -m tcp -p tcp -d 10.96.0.8 --dport 80 -j " + svc + "\n");
        // chain lines come in descending order, each before the rules that use it
        List<String> chains = text.lines().filter(l -> l.startsWith(":KUBE-SVC-")).toList();
        assertThat(chains).hasSize(250).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(text.indexOf(":" + svc + " ")).isLessThan(text.indexOf("-j " + svc + "\n"));
        assertThat(text.lastIndexOf("-A KUBE-SERVICES")).isEqualTo(text.indexOf("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports"));
    }

    @Test
    void largeClusterModeKeepsAffinity() {
        States s = states();
        ProxyState many = States.many(250, 5);
        many.services().forEach((n, info) -> s.add(info, many.endpointsOf(n).toArray(EndpointInfo[]::new)));
        s.add(svc("ClusterIP", 0, List.of(), List.of(), true, false, false, 0), ready("10.180.0.1", 80), ready("10.180.1.1", 80));
        String text = render(base(), s.build(), null);
        assertThat(text).contains("-A " + SVC + " -m recent --name " + sep("10.180.0.1:80") + " --rcheck --seconds 10800 --reap -m recent --name " + sep("10.180.0.1:80") + " --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80\n")
                .contains("-A " + SVC + " -m statistic --mode random --probability 0.5000000000 -m recent --name " + sep("10.180.0.1:80") + " --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80\n");
    }
}
