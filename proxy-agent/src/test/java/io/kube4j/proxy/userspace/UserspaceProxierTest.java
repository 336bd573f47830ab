package io.kube4j.proxy.userspace;

import io.kube4j.proxy.ProxySyncException;
import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.exec.RecordingCommandRunner;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortName;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.kube4j.proxy.userspace.UserspaceFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The proxier's side effects with the recording command runner: the iptables-restore text (golden file), the jumps,
 * the listeners; real sockets are opened (ephemeral ports), no netfilter is touched.
 */
class UserspaceProxierTest {

    private static final ServicePortName WEB = name("ns1", "web", "http", "TCP");
    private static final ServicePortName DNS = name("ns1", "dns", "dns", "UDP");
    private static final ServicePortName SHOP = name("ns2", "shop", "https", "TCP");
    private static final ServicePortName LB = name("ns2", "lb", "", "TCP");
    private static final ServicePortName SCTP = name("ns2", "signal", "", "SCTP");

    private final RecordingCommandRunner runner = new RecordingCommandRunner();
    private UserspaceProxier proxier;

    @AfterEach
    void tearDown() {
        if (proxier != null) {
            proxier.cleanup();
        }
    }

    private UserspaceProxier redirecting() {
        return new UserspaceProxier(new UserspaceProxier.Config("node-1", "0.0.0.0", "", true, null, null, "10.0.0.5"),
                runner, new SimpleMeterRegistry());
    }

    @Test
    void rendersTheGoldenRulesetAndAddsMissingJumps() throws IOException {
        int nodePort1 = freePort();
        int nodePort2 = freePort();
        proxier = redirecting();
        runner.respond("iptables -w -t nat -C", 1, "", "iptables: Bad rule (does a matching rule exist in that chain?).");
        runner.respond("iptables -w -t filter -C", 1, "", "iptables: Bad rule (does a matching rule exist in that chain?).");
        ProxyState state = state()
                .add(clusterIP(WEB, "10.96.0.10", 80), ready("10.244.1.2", 8080), ready("10.244.1.3", 8080))
                .add(clusterIP(DNS, "10.96.0.53", 53), ready("10.244.1.4", 53))
                .add(service(SHOP, "NodePort", "10.96.1.1", 443, nodePort1, List.of("203.0.113.7"), List.of(), true),
                        ready("10.244.2.2", 8443))
                .add(service(LB, "LoadBalancer", "10.96.2.2", 8080, nodePort2, List.of(), List.of("198.51.100.9"), false))
                .add(clusterIP(SCTP, "10.96.3.3", 9999), ready("10.244.3.3", 9999))
                .build();

        SyncResult r = proxier.sync(state, true);

        List<RecordingCommandRunner.Call> restores = runner.calls("iptables-restore");
        assertThat(restores).hasSize(1);
        assertThat(restores.get(0).argv()).containsExactly("iptables-restore", "-w", "--noflush");
        assertThat(restores.get(0).stdin()).isEqualTo(golden("golden-redirect.txt", Map.of(
                "web", port(WEB), "dns", port(DNS), "shop", port(SHOP), "lb", port(LB),
                "nodePort1", nodePort1, "nodePort2", nodePort2)));
        // the jumps were checked before the restore, which added them
        assertThat(runner.calls("iptables -w -t").stream().map(RecordingCommandRunner.Call::command).toList())
                .hasSize(5).allMatch(c -> c.contains(" -C "));
        assertThat(proxier.listenAddress(SCTP)).isNull();
        // 4 listeners + rules: web 2, dns 2, shop 2 + 3 (externalIP) + 3 (NodePort), lb 2 + 2 (LB IP) + 3 (NodePort)
        assertThat(r.rules()).isEqualTo(4 + 2 + 2 + 8 + 7);
        assertThat(r.chains()).isEqualTo(5);
        // the NodePorts are held by the proxier
        assertThatThrownBy(() -> new ServerSocket(nodePort1).close()).isInstanceOf(IOException.class);

        // second (full) sync, jumps in place: same chains, no jump lines, same proxy ports
        runner.clear();
        runner.respond("iptables -w -t nat -C", 0, "", "");
        runner.respond("iptables -w -t filter -C", 0, "", "");
        int webPort = port(WEB);
        assertThat(proxier.sync(state, true).full()).isTrue();
        assertThat(port(WEB)).isEqualTo(webPort);
        String text = runner.calls("iptables-restore").get(0).stdin();
        assertThat(text).doesNotContain("-I PREROUTING").doesNotContain("-A OUTPUT").contains(":KUBE-PORTALS-HOST - [0:0]");

        // a partial sync with only an endpoint change: the load balancer changes, netfilter is not touched
        runner.clear();
        ProxyState moved = state()
                .add(clusterIP(WEB, "10.96.0.10", 80), ready("10.244.1.9", 8080))
                .add(clusterIP(DNS, "10.96.0.53", 53), ready("10.244.1.4", 53))
                .add(service(SHOP, "NodePort", "10.96.1.1", 443, nodePort1, List.of("203.0.113.7"), List.of(), true),
                        ready("10.244.2.2", 8443))
                .add(service(LB, "LoadBalancer", "10.96.2.2", 8080, nodePort2, List.of(), List.of("198.51.100.9"), false))
                .build();
        SyncResult partial = proxier.sync(moved, false);
        assertThat(partial.full()).isFalse();
        assertThat(partial.rules()).isEqualTo(r.rules());
        assertThat(runner.calls()).isEmpty();
        assertThat(proxier.loadBalancer().endpoints(WEB)).containsExactly("10.244.1.9:8080");

        // a partial sync whose rules changed (a Service port gone) rewrites the chains
        runner.clear();
        ProxyState fewer = state()
                .add(clusterIP(WEB, "10.96.0.10", 80), ready("10.244.1.9", 8080))
                .add(clusterIP(DNS, "10.96.0.53", 53), ready("10.244.1.4", 53))
                .build();
        assertThat(proxier.sync(fewer, false).full()).isTrue();
        assertThat(runner.calls("iptables-restore").get(0).stdin()).doesNotContain("ns2/");
    }

    @Test
    void removedServicesLoseListenerRulesAndHeldPorts() throws IOException {
        int nodePort = freePort();
        proxier = redirecting();
        ProxyState both = state()
                .add(clusterIP(WEB, "10.96.0.10", 80), ready("10.244.1.2", 8080))
                .add(service(SHOP, "NodePort", "10.96.1.1", 443, nodePort, List.of(), List.of(), false))
                .build();
        proxier.sync(both, true);
        int shopPort = port(SHOP);
        runner.clear();

        proxier.sync(state().add(clusterIP(WEB, "10.96.0.10", 80), ready("10.244.1.2", 8080)).build(), true);

        assertThat(proxier.listenAddress(SHOP)).isNull();
        String text = runner.calls("iptables-restore").get(0).stdin();
        assertThat(text).doesNotContain("ns2/shop").contains("ns1/web:http");
        new ServerSocket(nodePort).close(); // released
        if (shopPort != port(WEB)) {
            new ServerSocket(shopPort).close(); // listener closed
        }
    }

    @Test
    void aFailedRestoreIsReportedWithIptablesOwnWords() {
        proxier = redirecting();
        runner.respond("iptables-restore", 2, "", "iptables-restore: line 7 failed");
        assertThatThrownBy(() -> proxier.sync(state().add(clusterIP(WEB, "10.96.0.10", 80)).build(), true))
                .isInstanceOf(ProxySyncException.class)
                .hasMessageContaining("iptables-restore -w --noflush exited 2")
                .hasMessageContaining("line 7 failed");
        assertThat(proxier.listenAddress(WEB)).as("the listener is open, and remembered").isNotNull();
    }

    @Test
    void withoutRedirectNoCommandRunsAndPortsAreServedDirectly() {
        int p1 = freePort();
        int p2 = freePort();
        proxier = new UserspaceProxier(new UserspaceProxier.Config("node-1", "127.0.0.1", "", false, null, null, null),
                runner, new SimpleMeterRegistry());
        SyncResult r = proxier.sync(state()
                .add(clusterIP(WEB, "10.96.0.10", p1), ready("127.0.0.1", 1))
                .add(service(SHOP, "NodePort", "10.96.1.1", 443, p2, List.of(), List.of(), false))
                .build(), true);
        assertThat(proxier.listenAddress(WEB)).isEqualTo(new InetSocketAddress("127.0.0.1", p1));
        assertThat(proxier.listenAddress(SHOP)).isEqualTo(new InetSocketAddress("127.0.0.1", p2));
        assertThat(r.rules()).isEqualTo(2);
        assertThat(r.chains()).isZero();
        assertThat(runner.calls()).isEmpty();
    }

    @Test
    void withoutRedirectTwoServicesOnOnePortIsReportedForTheSecondWhileTheSyncSucceeds() {
        int p = freePort();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        proxier = new UserspaceProxier(new UserspaceProxier.Config("node-1", "127.0.0.1", "", false, null, null, null),
                runner, meters);
        ProxyState clash = state()
                .add(clusterIP(WEB, "10.96.0.10", p))
                .add(clusterIP(LB, "10.96.0.11", p))
                .build();
        proxier.sync(clash, true);
        assertThat(proxier.unserved()).singleElement().asString()
                .contains(LB + " cannot be served on 127.0.0.1:" + p + "/TCP")
                .contains("already served for " + WEB);
        assertThat(meters.get("kubeproxy_userspace_unserved_service_ports").gauge().value()).isEqualTo(1.0);
        assertThat(proxier.listenAddress(WEB)).as("the first one (in name order) is served").isNotNull();
        assertThat(proxier.listenAddress(LB)).isNull();

        // the clash goes away (WEB deleted): the next sync serves LB on that port
        proxier.sync(state().add(clusterIP(LB, "10.96.0.11", p)).build(), false);
        assertThat(proxier.unserved()).isEmpty();
        assertThat(meters.get("kubeproxy_userspace_unserved_service_ports").gauge().value()).isZero();
        assertThat(proxier.listenAddress(LB)).isEqualTo(new InetSocketAddress("127.0.0.1", p));
    }

    @Test
    void badConfigIsRejectedClearly() {
        assertThatThrownBy(() -> new UserspaceProxier.Config("n", "127.0.0.1", "", true, null, null, null))
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> new UserspaceProxier.Config("n", "localhost", "", false, null, null, null))
                .hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> new UserspaceProxier.Config("n", "0.0.0.0", "9-1", true, null, null, null))
                .hasMessageContaining("9-1");
    }

    @Test
    void cleanupDeletesOnlyTheJumpsAndChainsOfTheMode() {
        proxier = redirecting();
        runner.respond("iptables-save -t nat", 0, String.join("\n",
                "*nat",
                ":PREROUTING ACCEPT [0:0]",
                ":OUTPUT ACCEPT [0:0]",
                ":DOCKER - [0:0]",
                ":KUBE-PORTALS-CONTAINER - [0:0]",
                ":KUBE-NODEPORT-HOST - [0:0]",
                ":KUBE-SERVICES - [0:0]",
                "-A PREROUTING -m comment --comment \"handle ClusterIPs; NOTE: this must be before the NodePort rules\" -j KUBE-PORTALS-CONTAINER",
                "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
                "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
                "-A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment \"handle service NodePorts; NOTE: this must be the last rule in the chain\" -j KUBE-NODEPORT-HOST",
                "-A KUBE-PORTALS-CONTAINER -d 10.96.0.10/32 -p tcp -m comment --comment \"ns1/web:http\" -m tcp --dport 80 -j REDIRECT --to-ports 40000",
                "COMMIT", ""), "");
        runner.respond("iptables-save -t filter", 0, "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", "");

        proxier.cleanup();

        List<RecordingCommandRunner.Call> restores = runner.calls("iptables-restore");
        assertThat(restores).hasSize(1);
        assertThat(restores.get(0).stdin()).isEqualTo(String.join("\n",
                "*nat",
                "-D PREROUTING -m comment --comment \"handle ClusterIPs; NOTE: this must be before the NodePort rules\" -j KUBE-PORTALS-CONTAINER",
                "-D OUTPUT -m addrtype --dst-type LOCAL -m comment --comment \"handle service NodePorts; NOTE: this must be the last rule in the chain\" -j KUBE-NODEPORT-HOST",
                ":KUBE-PORTALS-CONTAINER - [0:0]",
                ":KUBE-NODEPORT-HOST - [0:0]",
                "-X KUBE-PORTALS-CONTAINER",
                "-X KUBE-NODEPORT-HOST",
                "COMMIT", ""));

        // nothing of ours left: no restore at all
        runner.clear();
        runner.respond("iptables-save -t nat", 0, "*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n", "");
        proxier.cleanup();
        assertThat(runner.calls("iptables-restore")).isEmpty();
    }

    private int port(ServicePortName name) {
        return proxier.listenAddress(name).getPort();
    }

    /** The golden file with {@code ${key}} replaced (proxy ports and NodePorts are only known at run time). */
    static String golden(String file, Map<String, Integer> values) throws IOException {
        try (InputStream in = UserspaceProxierTest.class.getResourceAsStream("/userspace/" + file)) {
            assertThat(in).as("golden file %s", file).isNotNull();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (Map.Entry<String, Integer> e : new TreeMap<>(values).entrySet()) {
                text = text.replace("${" + e.getKey() + "}", Integer.toString(e.getValue()));
            }
            assertThat(text).doesNotContain("${");
            return text;
        }
    }
}
