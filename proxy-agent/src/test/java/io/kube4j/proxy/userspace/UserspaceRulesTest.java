package io.kube4j.proxy.userspace;

import io.kube4j.proxy.model.ServicePortName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules of one Service port, by kind of address and by where the proxy listens (kube-proxy's *PortalArgs). */
class UserspaceRulesTest {

    private static final ServicePortName SVC = new ServicePortName("ns", "svc", "p", "TCP");
    private static final ServicePortName UDP = new ServicePortName("ns", "dns", "", "UDP");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("ClusterIP, proxy on every address: REDIRECT from containers, DNAT to the host IP from the host",
                        "0.0.0.0", new UserspaceRules.Portal(SVC, "TCP", 40000, "10.96.0.1", 80, List.of(), List.of(), 0),
                        List.of("-A KUBE-PORTALS-CONTAINER -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 10.96.0.1/32 -j REDIRECT --to-ports 40000",
                                "-A KUBE-PORTALS-HOST -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 10.96.0.1/32 -j DNAT --to-destination 192.0.2.2:40000")),
                Arguments.of("ClusterIP, proxy on one address: DNAT to it from both",
                        "192.0.2.9", new UserspaceRules.Portal(SVC, "TCP", 40000, "10.96.0.1", 80, List.of(), List.of(), 0),
                        List.of("-A KUBE-PORTALS-CONTAINER -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 10.96.0.1/32 -j DNAT --to-destination 192.0.2.9:40000",
                                "-A KUBE-PORTALS-HOST -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 10.96.0.1/32 -j DNAT --to-destination 192.0.2.9:40000")),
                Arguments.of("UDP uses the udp match",
                        "0.0.0.0", new UserspaceRules.Portal(UDP, "UDP", 40001, "10.96.0.10", 53, List.of(), List.of(), 0),
                        List.of("-A KUBE-PORTALS-CONTAINER -m comment --comment \"ns/dns\" -p udp -m udp --dport 53 -d 10.96.0.10/32 -j REDIRECT --to-ports 40001",
                                "-A KUBE-PORTALS-HOST -m comment --comment \"ns/dns\" -p udp -m udp --dport 53 -d 10.96.0.10/32 -j DNAT --to-destination 192.0.2.2:40001")),
                Arguments.of("externalIP: not bridged, or local; from the host only when local",
                        "0.0.0.0", new UserspaceRules.Portal(SVC, "TCP", 40000, "10.96.0.1", 80, List.of("203.0.113.1"), List.of(), 0),
                        List.of("-A KUBE-PORTALS-CONTAINER -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 10.96.0.1/32 -j REDIRECT --to-ports 40000",
                                "-A KUBE-PORTALS-CONTAINER -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 203.0.113.1/32 -m physdev ! --physdev-is-in -j REDIRECT --to-ports 40000",
                                "-A KUBE-PORTALS-CONTAINER -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 203.0.113.1/32 -m addrtype --dst-type LOCAL -j REDIRECT --to-ports 40000",
                                "-A KUBE-PORTALS-HOST -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 10.96.0.1/32 -j DNAT --to-destination 192.0.2.2:40000",
                                "-A KUBE-PORTALS-HOST -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 203.0.113.1/32 -m addrtype --dst-type LOCAL -j DNAT --to-destination 192.0.2.2:40000")),
                Arguments.of("load-balancer IP: like a ClusterIP",
                        "0.0.0.0", new UserspaceRules.Portal(SVC, "TCP", 40000, "10.96.0.1", 80, List.of(), List.of("198.51.100.1"), 0),
                        List.of("-A KUBE-PORTALS-CONTAINER -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 10.96.0.1/32 -j REDIRECT --to-ports 40000",
                                "-A KUBE-PORTALS-CONTAINER -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 198.51.100.1/32 -j REDIRECT --to-ports 40000",
                                "-A KUBE-PORTALS-HOST -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 10.96.0.1/32 -j DNAT --to-destination 192.0.2.2:40000",
                                "-A KUBE-PORTALS-HOST -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 198.51.100.1/32 -j DNAT --to-destination 192.0.2.2:40000")),
                Arguments.of("NodePort: any local address, and new connections to the proxy port accepted",
                        "0.0.0.0", new UserspaceRules.Portal(SVC, "TCP", 40000, "10.96.0.1", 80, List.of(), List.of(), 30080),
                        List.of("-A KUBE-PORTALS-CONTAINER -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 10.96.0.1/32 -j REDIRECT --to-ports 40000",
                                "-A KUBE-PORTALS-HOST -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 80 -d 10.96.0.1/32 -j DNAT --to-destination 192.0.2.2:40000",
                                "-A KUBE-NODEPORT-CONTAINER -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 30080 -j REDIRECT --to-ports 40000",
                                "-A KUBE-NODEPORT-HOST -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 30080 -j DNAT --to-destination 192.0.2.2:40000",
                                "-A KUBE-NODEPORT-NON-LOCAL -m comment --comment \"ns/svc:p\" -p tcp -m tcp --dport 40000 -m state --state NEW -j ACCEPT")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rules(String name, String bind, UserspaceRules.Portal portal, List<String> expected) {
        UserspaceRules.Rendered r = new UserspaceRules(bind, "192.0.2.2").render(List.of(portal), List.of());
        assertThat(r.text().lines().filter(l -> l.startsWith("-A ")).toList()).containsExactlyElementsOf(expected);
        assertThat(r.rules()).isEqualTo(expected.size());
        assertThat(r.text()).startsWith("*nat\n:KUBE-PORTALS-CONTAINER - [0:0]\n").endsWith("COMMIT\n");
    }
}
