package io.kube4j.proxy.ipvs;

import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.kube4j.proxy.ipvs.IpvsFixtures.clusterIP;
import static io.kube4j.proxy.ipvs.IpvsFixtures.name;
import static io.kube4j.proxy.ipvs.IpvsFixtures.notReady;
import static io.kube4j.proxy.ipvs.IpvsFixtures.ready;
import static io.kube4j.proxy.ipvs.IpvsFixtures.servingTerminating;
import static org.assertj.core.api.Assertions.assertThat;

/** What IPVS table the planner wants for one Service, case by case (rendered as ipvsadm -Sn text). */
class IpvsPlannerTest {

    private static final ServicePortName SVC = name("ns", "svc", "", "TCP");
    private static final List<String> NODE_IPS = List.of("192.0.2.2", "192.0.2.3");

    private static ServicePortInfo nodePort(boolean externalLocal, boolean internalLocal, boolean affinity) {
        return new ServicePortInfo(SVC, "NodePort", "10.96.0.5", 80, "TCP", 30500, List.of(), List.of(), affinity,
                affinity ? 600 : 0, externalLocal, internalLocal, 0);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("cluster IP: ready endpoints only", "rr",
                        new IpvsFixtures().service(clusterIP(SVC, "10.96.0.5", 80),
                                ready("10.244.2.1", 8080, false), notReady("10.244.2.2", 8080, false)), """
                        -A -t 10.96.0.5:80 -s rr
                        -a -t 10.96.0.5:80 -r 10.244.2.1:8080 -m -w 1
                        """),
                Arguments.of("no endpoints: virtual server without real servers", "rr",
                        new IpvsFixtures().service(clusterIP(SVC, "10.96.0.5", 80)), """
                        -A -t 10.96.0.5:80 -s rr
                        """),
                Arguments.of("none ready: serving-terminating fallback", "rr",
                        new IpvsFixtures().service(clusterIP(SVC, "10.96.0.5", 80),
                                servingTerminating("10.244.2.1", 8080, false), notReady("10.244.2.2", 8080, false)), """
                        -A -t 10.96.0.5:80 -s rr
                        -a -t 10.96.0.5:80 -r 10.244.2.1:8080 -m -w 1
                        """),
                Arguments.of("scheduler from the config", "sh",
                        new IpvsFixtures().service(clusterIP(SVC, "10.96.0.5", 80), ready("10.244.2.1", 8080, false)), """
                        -A -t 10.96.0.5:80 -s sh
                        -a -t 10.96.0.5:80 -r 10.244.2.1:8080 -m -w 1
                        """),
                Arguments.of("node port on both node IPs, with affinity", "rr",
                        new IpvsFixtures().service(nodePort(false, false, true), ready("10.244.2.1", 8080, false)), """
                        -A -t 10.96.0.5:80 -s rr -p 600
                        -a -t 10.96.0.5:80 -r 10.244.2.1:8080 -m -w 1
                        -A -t 192.0.2.2:30500 -s rr -p 600
                        -a -t 192.0.2.2:30500 -r 10.244.2.1:8080 -m -w 1
                        -A -t 192.0.2.3:30500 -s rr -p 600
                        -a -t 192.0.2.3:30500 -r 10.244.2.1:8080 -m -w 1
                        """),
                Arguments.of("external Local: node ports use the local endpoint, the cluster IP all", "rr",
                        new IpvsFixtures().service(nodePort(true, false, false),
                                ready("10.244.1.1", 8080, true), ready("10.244.2.1", 8080, false)), """
                        -A -t 10.96.0.5:80 -s rr
                        -a -t 10.96.0.5:80 -r 10.244.1.1:8080 -m -w 1
                        -a -t 10.96.0.5:80 -r 10.244.2.1:8080 -m -w 1
                        -A -t 192.0.2.2:30500 -s rr
                        -a -t 192.0.2.2:30500 -r 10.244.1.1:8080 -m -w 1
                        -A -t 192.0.2.3:30500 -s rr
                        -a -t 192.0.2.3:30500 -r 10.244.1.1:8080 -m -w 1
                        """),
                Arguments.of("external Local without local endpoints: cluster-wide ones (kubernetes#97081)", "rr",
                        new IpvsFixtures().service(nodePort(true, false, false), ready("10.244.2.1", 8080, false)), """
                        -A -t 10.96.0.5:80 -s rr
                        -a -t 10.96.0.5:80 -r 10.244.2.1:8080 -m -w 1
                        -A -t 192.0.2.2:30500 -s rr
                        -a -t 192.0.2.2:30500 -r 10.244.2.1:8080 -m -w 1
                        -A -t 192.0.2.3:30500 -s rr
                        -a -t 192.0.2.3:30500 -r 10.244.2.1:8080 -m -w 1
                        """),
                Arguments.of("internal Local: the cluster IP uses the local endpoint only", "rr",
                        new IpvsFixtures().service(nodePort(false, true, false),
                                ready("10.244.1.1", 8080, true), ready("10.244.2.1", 8080, false)), """
                        -A -t 10.96.0.5:80 -s rr
                        -a -t 10.96.0.5:80 -r 10.244.1.1:8080 -m -w 1
                        -A -t 192.0.2.2:30500 -s rr
                        -a -t 192.0.2.2:30500 -r 10.244.1.1:8080 -m -w 1
                        -a -t 192.0.2.2:30500 -r 10.244.2.1:8080 -m -w 1
                        -A -t 192.0.2.3:30500 -s rr
                        -a -t 192.0.2.3:30500 -r 10.244.1.1:8080 -m -w 1
                        -a -t 192.0.2.3:30500 -r 10.244.2.1:8080 -m -w 1
                        """),
                // kube-proxy's UsesClusterEndpoints is true for any externally accessible port, and its IPVS
                // syncEndpoint falls back to the cluster list when a Local policy finds no local endpoint
                Arguments.of("both policies Local, no local endpoint, NodePort: cluster-wide ones (kubernetes#97081)",
                        "rr", new IpvsFixtures().service(nodePort(true, true, false), ready("10.244.2.1", 8080, false)), """
                        -A -t 10.96.0.5:80 -s rr
                        -a -t 10.96.0.5:80 -r 10.244.2.1:8080 -m -w 1
                        -A -t 192.0.2.2:30500 -s rr
                        -a -t 192.0.2.2:30500 -r 10.244.2.1:8080 -m -w 1
                        -A -t 192.0.2.3:30500 -s rr
                        -a -t 192.0.2.3:30500 -r 10.244.2.1:8080 -m -w 1
                        """),
                Arguments.of("UDP service", "rr",
                        new IpvsFixtures().service(clusterIP(name("ns", "dns", "dns", "UDP"), "10.96.0.10", 53),
                                ready("10.244.2.9", 53, false)), """
                        -A -u 10.96.0.10:53 -s rr
                        -a -u 10.96.0.10:53 -r 10.244.2.9:53 -m -w 1
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void table(String name, String scheduler, IpvsFixtures fixture, String expected) {
        IpvsPlanner.Plan plan = IpvsPlanner.plan(fixture.state(), scheduler, NODE_IPS, NODE_IPS);
        assertThat(plan.table().render()).isEqualTo(expected);
    }

    @Test
    void localPolicyWithoutLocalEndpointsIsCounted() {
        IpvsPlanner.Plan plan = IpvsPlanner.plan(new IpvsFixtures()
                .service(nodePort(true, true, false), ready("10.244.2.1", 8080, false)).state(), "rr", NODE_IPS, NODE_IPS);
        assertThat(plan.noLocalInternal()).containsExactly("ns/svc");
        assertThat(plan.noLocalExternal()).containsExactly("ns/svc");
    }

    @Test
    void externalAndLoadBalancerIPsThatAreNodeAddressesAreNotBound() {
        ServicePortInfo svc = new ServicePortInfo(SVC, "LoadBalancer", "10.96.0.5", 80, "TCP", 0,
                List.of("192.0.2.2", "198.51.100.1"), List.of("192.0.2.3", "203.0.113.1"), false, 0, false, false, 0);
        IpvsPlanner.Plan plan = IpvsPlanner.plan(new IpvsFixtures().service(svc).state(), "rr", NODE_IPS, NODE_IPS);
        assertThat(plan.bindAddresses()).containsExactly("10.96.0.5", "198.51.100.1", "203.0.113.1");
        assertThat(plan.sets().entries(IpSets.IPVS_IPS)).containsExactlyInAnyOrder("10.96.0.5", "198.51.100.1", "203.0.113.1");
        assertThat(plan.sets().entries(IpSets.EXTERNAL_IP)).containsExactly("192.0.2.2,tcp:80", "198.51.100.1,tcp:80");
        assertThat(plan.sets().entries(IpSets.LOAD_BALANCER)).containsExactly("192.0.2.3,tcp:80", "203.0.113.1,tcp:80");
    }

    @Test
    void udpNodePortAndLocalSetsAndHairpinEntries() {
        ServicePortName udp = name("ns", "u", "", "UDP");
        ServicePortInfo svc = new ServicePortInfo(udp, "NodePort", "10.96.0.6", 53, "UDP", 30053, List.of(), List.of(),
                false, 0, true, false, 0);
        IpvsPlanner.Plan plan = IpvsPlanner.plan(new IpvsFixtures().service(svc, ready("10.244.1.4", 5353, true),
                notReady("10.244.1.5", 5353, true)).state(), "rr", NODE_IPS, NODE_IPS);
        assertThat(plan.sets().entries(IpSets.NODE_PORT_UDP)).containsExactly("30053");
        assertThat(plan.sets().entries(IpSets.NODE_PORT_LOCAL_UDP)).containsExactly("30053");
        assertThat(plan.sets().entries(IpSets.NODE_PORT_TCP)).isEmpty();
        // every local endpoint, ready or not, as kube-proxy does
        assertThat(plan.sets().entries(IpSets.LOOP_BACK))
                .containsExactly("10.244.1.4,udp:5353,10.244.1.4", "10.244.1.5,udp:5353,10.244.1.5");
    }

    @Test
    void sctpNodePortsUseHashIpPortEntriesPerNodeIP() {
        ServicePortName sctp = name("ns", "sc", "", "SCTP");
        ServicePortInfo svc = new ServicePortInfo(sctp, "NodePort", "10.96.0.8", 9999, "SCTP", 30999, List.of(), List.of(),
                false, 0, true, false, 0);
        IpvsPlanner.Plan plan = IpvsPlanner.plan(new IpvsFixtures().service(svc, ready("10.244.1.4", 9999, true)).state(),
                "rr", NODE_IPS, NODE_IPS);
        assertThat(plan.sets().entries(IpSets.NODE_PORT_SCTP)).containsExactly("192.0.2.2,sctp:30999", "192.0.2.3,sctp:30999");
        assertThat(plan.sets().entries(IpSets.NODE_PORT_LOCAL_SCTP)).containsExactly("192.0.2.2,sctp:30999", "192.0.2.3,sctp:30999");
        assertThat(plan.table().render()).isEqualTo("""
                -A --sctp-service 10.96.0.8:9999 -s rr
                -a --sctp-service 10.96.0.8:9999 -r 10.244.1.4:9999 -m -w 1
                -A --sctp-service 192.0.2.2:30999 -s rr
                -a --sctp-service 192.0.2.2:30999 -r 10.244.1.4:9999 -m -w 1
                -A --sctp-service 192.0.2.3:30999 -s rr
                -a --sctp-service 192.0.2.3:30999 -r 10.244.1.4:9999 -m -w 1
                """);
        assertThat(IpvsIptablesRules.render(plan.sets(), false, "", 14, java.util.Set.of())).contains(
                "-A KUBE-NODE-PORT -p sctp -m comment --comment \"Kubernetes nodeport SCTP port with externalTrafficPolicy=local"
                        + " with type 'hash ip:port'\" -m set --match-set KUBE-NODE-PORT-LOCAL-SCTP-HASH dst,dst -j RETURN\n");
    }

    @Test
    void noNodeAddressesMeansNoNodePortServers() {
        IpvsPlanner.Plan plan = IpvsPlanner.plan(new IpvsFixtures().service(nodePort(false, false, false)).state(),
                "rr", List.of(), List.of());
        assertThat(plan.table().render()).isEqualTo("-A -t 10.96.0.5:80 -s rr\n");
        assertThat(plan.sets().entries(IpSets.NODE_PORT_TCP)).isEmpty();
    }

    @Test
    void nodeAddressesSkipLoopbackLinkLocalAndTheDummyDeviceAndHonourNodePortAddresses() {
        List<NodeAddresses.Address> all = NodeAddresses.parse(IpvsFixtures.ADDR_SHOW);
        assertThat(NodeAddresses.nodePortIPs(all, IpvsProxier.DUMMY_DEVICE, List.of())).containsExactly("192.0.2.2", "192.0.2.3");
        assertThat(NodeAddresses.nodePortIPs(all, IpvsProxier.DUMMY_DEVICE, List.of("192.0.2.3/32"))).containsExactly("192.0.2.3");
        assertThat(NodeAddresses.allExcept(all, IpvsProxier.DUMMY_DEVICE)).containsExactly("192.0.2.2", "192.0.2.3");
    }
}
