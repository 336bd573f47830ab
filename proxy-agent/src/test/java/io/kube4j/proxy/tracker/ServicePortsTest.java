package io.kube4j.proxy.tracker;

import io.kube4j.proxy.model.Ipv4;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.kube4j.proxy.tracker.K8sObjects.service;
import static org.assertj.core.api.Assertions.assertThat;

/** Which Services become which {@link ServicePortInfo}s: kube-proxy's serviceToServiceMap rules, one row each. */
class ServicePortsTest {

    private static final ServicePortName HTTP = new ServicePortName("ns", "web", "http", "TCP");

    static Stream<Arguments> cases() {
        return Stream.of(
                row("ClusterIP: one port with its fields", service("ns", "web", "10.96.0.10").build(), m -> {
                    assertThat(m).containsOnlyKeys(HTTP);
                    ServicePortInfo i = m.get(HTTP);
                    assertThat(i.type()).isEqualTo("ClusterIP");
                    assertThat(i.clusterIP()).isEqualTo("10.96.0.10");
                    assertThat(i.port()).isEqualTo(80);
                    assertThat(i.protocol()).isEqualTo("TCP");
                    assertThat(i.nodePort()).isZero();
                    assertThat(i.clientIPAffinity()).isFalse();
                    assertThat(i.stickyMaxAgeSeconds()).isZero();
                    assertThat(i.externalPolicyLocal()).isFalse();
                    assertThat(i.internalPolicyLocal()).isFalse();
                    assertThat(i.healthCheckNodePort()).isZero();
                    assertThat(i.externalIPs()).isEmpty();
                    assertThat(i.loadBalancerIPs()).isEmpty();
                }),
                row("type unset means ClusterIP", service("ns", "web", "10.96.0.10").editSpec().withType(null).endSpec().build(),
                        m -> assertThat(m.get(HTTP).type()).isEqualTo("ClusterIP")),
                row("headless (None) is skipped",
                        service("ns", "web", "None").editSpec().withClusterIPs("None").endSpec().build(),
                        m -> assertThat(m).isEmpty()),
                row("empty clusterIP is skipped",
                        service("ns", "web", "").editSpec().withClusterIPs().endSpec().build(),
                        m -> assertThat(m).isEmpty()),
                row("ExternalName is skipped",
                        service("ns", "web", "10.96.0.10").editSpec().withType("ExternalName")
                                .withExternalName("example.org").endSpec().build(),
                        m -> assertThat(m).isEmpty()),
                row("IPv6-only is skipped (IPv4 proxy)",
                        service("ns", "web", "fd00::10").editSpec().withClusterIPs("fd00::10").endSpec().build(),
                        m -> assertThat(m).isEmpty()),
                row("dual-stack with IPv6 first uses the IPv4 ClusterIP",
                        service("ns", "web", "fd00::10").editSpec().withClusterIPs("fd00::10", "10.96.0.11").endSpec().build(),
                        m -> assertThat(m.get(HTTP).clusterIP()).isEqualTo("10.96.0.11")),
                row("labelled for another proxy is skipped",
                        service("ns", "web", "10.96.0.10").editMetadata()
                                .addToLabels("service.kubernetes.io/service-proxy-name", "other").endMetadata().build(),
                        m -> assertThat(m).isEmpty()),
                row("one ServicePortInfo per port, keyed by name and protocol",
                        service("ns", "web", "10.96.0.10").editSpec()
                                .addToPorts(new ServicePortBuilder().withName("dns").withPort(53).withProtocol("UDP").build())
                                .addToPorts(new ServicePortBuilder().withName("dns-tcp").withPort(53).withProtocol("TCP").build())
                                .endSpec().build(),
                        m -> {
                            assertThat(m).containsOnlyKeys(HTTP, new ServicePortName("ns", "web", "dns", "UDP"),
                                    new ServicePortName("ns", "web", "dns-tcp", "TCP"));
                            assertThat(m.get(new ServicePortName("ns", "web", "dns", "UDP")).protocol()).isEqualTo("UDP");
                        }),
                row("unnamed port is \"\" and protocol defaults to TCP",
                        service("ns", "web", "10.96.0.10").editSpec()
                                .withPorts(new ServicePortBuilder().withPort(8443).build()).endSpec().build(),
                        m -> {
                            ServicePortName unnamed = new ServicePortName("ns", "web", "", "TCP");
                            assertThat(m).containsOnlyKeys(unnamed);
                            assertThat(unnamed.toString()).isEqualTo("ns/web");
                            assertThat(m.get(unnamed).port()).isEqualTo(8443);
                        }),
                row("invalid port (0) is ignored",
                        service("ns", "web", "10.96.0.10").editSpec()
                                .addToPorts(new ServicePortBuilder().withName("bad").withPort(0).build()).endSpec().build(),
                        m -> assertThat(m).containsOnlyKeys(HTTP)),
                row("NodePort keeps its node port",
                        service("ns", "web", "10.96.0.10").editSpec().withType("NodePort")
                                .editFirstPort().withNodePort(30080).endPort().endSpec().build(),
                        m -> {
                            assertThat(m.get(HTTP).type()).isEqualTo("NodePort");
                            assertThat(m.get(HTTP).nodePort()).isEqualTo(30080);
                        }),
                row("externalIPs: IPv4 only",
                        service("ns", "web", "10.96.0.10").editSpec().withExternalIPs("192.0.2.1", "2001:db8::1", "192.0.2.2")
                                .endSpec().build(),
                        m -> assertThat(m.get(HTTP).externalIPs()).containsExactly("192.0.2.1", "192.0.2.2")),
                row("load-balancer ingress: IPv4 VIPs only (hostname-only and ipMode Proxy left out)",
                        service("ns", "web", "10.96.0.10").editSpec().withType("LoadBalancer").endSpec()
                                .withNewStatus().withNewLoadBalancer().withIngress(
                                        new LoadBalancerIngressBuilder().withIp("203.0.113.1").build(),
                                        new LoadBalancerIngressBuilder().withHostname("lb.example.org").build(),
                                        new LoadBalancerIngressBuilder().withIp("203.0.113.2").withIpMode("Proxy").build(),
                                        new LoadBalancerIngressBuilder().withIp("203.0.113.3").withIpMode("VIP").build())
                                .endLoadBalancer().endStatus().build(),
                        m -> assertThat(m.get(HTTP).loadBalancerIPs()).containsExactly("203.0.113.1", "203.0.113.3")),
                row("ClientIP affinity defaults to 10800 s",
                        service("ns", "web", "10.96.0.10").editSpec().withSessionAffinity("ClientIP").endSpec().build(),
                        m -> {
                            assertThat(m.get(HTTP).clientIPAffinity()).isTrue();
                            assertThat(m.get(HTTP).stickyMaxAgeSeconds()).isEqualTo(10800);
                        }),
                row("ClientIP affinity with its timeout",
                        service("ns", "web", "10.96.0.10").editSpec().withSessionAffinity("ClientIP")
                                .withNewSessionAffinityConfig().withNewClientIP().withTimeoutSeconds(60).endClientIP()
                                .endSessionAffinityConfig().endSpec().build(),
                        m -> assertThat(m.get(HTTP).stickyMaxAgeSeconds()).isEqualTo(60)),
                row("sessionAffinity None has no timeout",
                        service("ns", "web", "10.96.0.10").editSpec().withSessionAffinity("None").endSpec().build(),
                        m -> assertThat(m.get(HTTP).clientIPAffinity()).isFalse()),
                row("externalTrafficPolicy Local on a NodePort Service",
                        service("ns", "web", "10.96.0.10").editSpec().withType("NodePort")
                                .withExternalTrafficPolicy("Local").withHealthCheckNodePort(32000).endSpec().build(),
                        m -> {
                            assertThat(m.get(HTTP).externalPolicyLocal()).isTrue();
                            assertThat(m.get(HTTP).healthCheckNodePort()).as("only LoadBalancer Services get health checks").isZero();
                        }),
                row("externalTrafficPolicy Local means nothing on a ClusterIP Service without externalIPs",
                        service("ns", "web", "10.96.0.10").editSpec().withExternalTrafficPolicy("Local").endSpec().build(),
                        m -> assertThat(m.get(HTTP).externalPolicyLocal()).isFalse()),
                row("externalTrafficPolicy Local counts on a ClusterIP Service with externalIPs",
                        service("ns", "web", "10.96.0.10").editSpec().withExternalTrafficPolicy("Local")
                                .withExternalIPs("192.0.2.1").endSpec().build(),
                        m -> assertThat(m.get(HTTP).externalPolicyLocal()).isTrue()),
                row("externalTrafficPolicy Cluster",
                        service("ns", "web", "10.96.0.10").editSpec().withType("NodePort")
                                .withExternalTrafficPolicy("Cluster").endSpec().build(),
                        m -> assertThat(m.get(HTTP).externalPolicyLocal()).isFalse()),
                row("LoadBalancer with Local policy keeps its healthCheckNodePort",
                        service("ns", "web", "10.96.0.10").editSpec().withType("LoadBalancer")
                                .withExternalTrafficPolicy("Local").withHealthCheckNodePort(32000).endSpec().build(),
                        m -> {
                            assertThat(m.get(HTTP).externalPolicyLocal()).isTrue();
                            assertThat(m.get(HTTP).healthCheckNodePort()).isEqualTo(32000);
                        }),
                row("internalTrafficPolicy Local",
                        service("ns", "web", "10.96.0.10").editSpec().withInternalTrafficPolicy("Local").endSpec().build(),
                        m -> assertThat(m.get(HTTP).internalPolicyLocal()).isTrue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void servicePorts(String name, Service svc, Consumer<Map<ServicePortName, ServicePortInfo>> expect) {
        expect.accept(ServicePorts.of(svc));
    }

    private static Arguments row(String name, Service svc, Consumer<Map<ServicePortName, ServicePortInfo>> expect) {
        return Arguments.of(name, svc, expect);
    }

    @ParameterizedTest(name = "{0} is IPv4: {1}")
    @MethodSource("ips")
    void ipv4(String ip, boolean expected) {
        assertThat(Ipv4.isCanonical(ip)).isEqualTo(expected);
    }

    static Stream<Arguments> ips() {
        return Stream.of(Arguments.of("10.0.0.1", true), Arguments.of("255.255.255.255", true),
                Arguments.of("0.0.0.0", true), Arguments.of("256.0.0.1", false), Arguments.of("10.0.0", false),
                Arguments.of("10.0.0.1.", false), Arguments.of("10.0.0.01", false), Arguments.of("fd00::1", false),
                Arguments.of("example.org", false), Arguments.of("", false), Arguments.of(null, false),
                Arguments.of("1.2.3.4.5", false), Arguments.of("-1.2.3.4", false));
    }
}
