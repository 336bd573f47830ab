package io.kube4j.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.proxy.exec.ProcessCommandRunner;
import io.kube4j.proxy.iptables.IptablesProxier;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The iptables mode for real, in the HOST's network namespace (the traffic must reach Docker pods): a Deployment of
 * three httpd pods that each answer their own name, on one real node agent, behind Services programmed by the proxy
 * agent application ({@code ProxyAgentApplication}, mode iptables, in-process) from the apiserver's Services and
 * EndpointSlices; at the end its {@code --cleanup} path removes what it made.
 *
 * <p>The list, in order: 300 requests on new connections spread over all three pods (each 20%–47%); a
 * NodePort on 127.0.0.1, the node's address and from "another machine" (a namespace behind a veth, whose traffic is
 * forwarded through Docker's FORWARD chain); ClientIP affinity pins the host to one pod; a Service without endpoints
 * refuses at once; pod → Service and pod → itself through its Service (hairpin); scale to 1 → only the survivor
 * answers within 2 s; {@code --cleanup} leaves iptables-save as it was before the proxy started.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IptablesServiceProxyDockerIT {

    private static final String CLUSTER_CIDR = "10.244.0.0/16";
    private static final String ROUTE_LOCALNET = "net.ipv4.conf.all.route_localnet";

    private static ServiceCluster cluster;
    private static InProcessProxy proxy;
    private static String baseline;
    private static String routeLocalnetBefore;
    private static Set<String> webPods;
    private static Pod client;
    private static Service web;
    private static Service webNodePort;
    private static Service sticky;
    private static Service empty;
    private static Service clientSelf;

    @BeforeAll
    static void start() {
        Requirements.requireBinary("iptables-restore");
        cluster = ServiceCluster.start("proxy-ipt");
        cluster.deploy("web", 3);
        cluster.runPod("client", Map.of("role", "client"));
        webPods = new HashSet<>(cluster.awaitReadyPods("app=web", 3).stream().map(p -> p.getMetadata().getName())
                .toList());
        client = cluster.awaitReadyPods("role=client", 1).get(0);

        // Two kube-proxies cannot share one network namespace (each deletes the other's chains as stale): wait,
        // bounded, until no other proxy (another test, a `./kube4j up`) has KUBE-* chains in the host's tables.
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> foreignKubeChains().isEmpty());
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("another kube-proxy is programming this host's netfilter (chains "
                    + foreignKubeChains() + " for 60 s); this test needs the host's tables to itself", e);
        }
        // After the node's network and pods exist: Docker's own rules for them are part of the baseline.
        baseline = withoutDockerRules(ServiceCluster.iptablesSave());
        routeLocalnetBefore = new ProcessCommandRunner().run("sysctl", "-n", ROUTE_LOCALNET).orThrow().stdout().trim();

        proxy = InProcessProxy.startApplication(ApiServerInstance.shared().url(), cluster.nodeName(), "iptables",
                "kube4j.proxy.cluster-cidr=" + CLUSTER_CIDR);
        assertThat(proxy.proxier()).isInstanceOf(IptablesProxier.class);

        web = cluster.createService(service("web", "ClusterIP", "app: web", ""));
        webNodePort = cluster.createService(service("web-nodeport", "NodePort", "app: web", ""));
        sticky = cluster.createService(service("web-sticky", "ClusterIP", "app: web", "sessionAffinity: ClientIP"));
        empty = cluster.createService(service("nothing", "ClusterIP", "app: nothing", ""));
        clientSelf = cluster.createService(service("client", "ClusterIP", "role: client", ""));
        cluster.awaitReadyEndpoints("web", 3);
        cluster.awaitReadyEndpoints("web-nodeport", 3);
        cluster.awaitReadyEndpoints("web-sticky", 3);
        cluster.awaitReadyEndpoints("client", 1);
    }

    @AfterAll
    static void stop() {
        try {
            if (proxy != null) {
                proxy.close(); // idempotent: the last test already cleaned up when it ran
            }
        } finally {
            try {
                if (routeLocalnetBefore != null) {
                    new ProcessCommandRunner().run("sysctl", "-w", ROUTE_LOCALNET + "=" + routeLocalnetBefore);
                }
            } finally {
                if (cluster != null) {
                    cluster.close();
                }
            }
        }
    }

    static String service(String name, String type, String selector, String extraSpec) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: NAME
                spec:
                  type: TYPE
                  selector: {SELECTOR}
                  ports:
                  - {name: http, port: 80, targetPort: 8080, protocol: TCP}
                  EXTRA
                """.replace("NAME", name).replace("TYPE", type).replace("SELECTOR", selector)
                .replace("EXTRA", extraSpec);
    }

    private static String clusterIP(Service s) {
        return s.getSpec().getClusterIP();
    }

    private static int nodePort(Service s) {
        return s.getSpec().getPorts().get(0).getNodePort();
    }

    /** Waits (bounded) until the Service answers, i.e. the proxy has programmed it. */
    private static void awaitAnswering(String host, int port) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> webPods.contains(HttpProbe.get(host, port)));
    }

    @Test
    @Order(1)
    void clusterIpSpreadsNewConnectionsOverAllThreePods() throws IOException {
        awaitAnswering(clusterIP(web), 80);
        Map<String, Integer> seen = HttpProbe.distribution(clusterIP(web), 80, 300);
        System.out.println("iptables mode, 300 new connections to " + clusterIP(web) + ":80 -> " + seen);
        assertThat(seen.keySet()).isEqualTo(webPods);
        assertThat(seen.values()).allSatisfy(n -> assertThat(n).isBetween(60, 141)); // 20%..47% of 300
    }

    @Test
    @Order(2)
    void nodePortAnswersOnLoopbackAndOnTheNodeAddress() throws IOException {
        int port = nodePort(webNodePort);
        for (String address : List.of("127.0.0.1", cluster.nodeAddress())) {
            awaitAnswering(address, port);
            Map<String, Integer> seen = HttpProbe.distribution(address, port, 30);
            System.out.println("iptables mode, NodePort " + address + ":" + port + " -> " + seen);
            assertThat(webPods).containsAll(seen.keySet());
        }
    }

    @Test
    @Order(3)
    void nodePortAnswersTrafficForwardedFromAnotherMachine() throws IOException {
        try (ExternalClient other = ExternalClient.create()) {
            int port = nodePort(webNodePort);
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                answers.add(other.get(other.hostAddress(), port));
            }
            System.out.println("iptables mode, NodePort " + other.hostAddress() + ":" + port + " from outside -> "
                    + answers);
            assertThat(webPods).containsAll(answers);
        }
    }

    @Test
    @Order(4)
    void clientIpAffinityPinsTheHostToOnePod() throws IOException {
        awaitAnswering(clusterIP(sticky), 80);
        Map<String, Integer> seen = HttpProbe.distribution(clusterIP(sticky), 80, 30);
        System.out.println("iptables mode, ClientIP affinity, 30 new connections -> " + seen);
        assertThat(seen).hasSize(1);
        assertThat(webPods).containsAll(seen.keySet());
    }

    @Test
    @Order(5)
    void aServiceWithoutEndpointsRefusesAtOnce() {
        // REJECT (icmp-port-unreachable) makes connect() fail with "Connection refused" instead of timing out
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThatThrownBy(() -> HttpProbe.get(clusterIP(empty), 80)).isExactlyInstanceOf(ConnectException.class)
                        .hasMessageContaining("refused"));
    }

    @Test
    @Order(6)
    void aPodReachesTheServiceAndItselfThroughItsService() throws IOException {
        for (int i = 0; i < 5; i++) {
            assertThat(cluster.httpFromPod(client, clusterIP(web), 80)).isIn(webPods);
        }
        // hairpin: the client pod is the only endpoint of the "client" Service
        assertThat(cluster.httpFromPod(client, clusterIP(clientSelf), 80)).isEqualTo(client.getMetadata().getName());
    }

    @Test
    @Order(7)
    void scaledToOneOnlyThatPodAnswersWithinTwoSeconds() {
        ScaleToOne.assertOnlyTheSurvivorAnswers(cluster, proxy, "iptables", () -> HttpProbe.get(clusterIP(web), 80));
    }

    @Test
    @Order(8)
    void cleanupLeavesIptablesAsBefore() {
        proxy.stop();
        assertThat(InProcessProxy.runCleanupCommand()).as("exit code of proxy-agent --cleanup").isZero();
        String after = withoutDockerRules(ServiceCluster.iptablesSave());
        List<String> before = List.of(baseline.split("\n"));
        List<String> now = List.of(after.split("\n"));
        assertThat(now).as("iptables-save after cleanup(): left behind %s, missing %s",
                        now.stream().filter(l -> !before.contains(l)).toList(),
                        before.stream().filter(l -> !now.contains(l)).toList())
                .isEqualTo(before);
    }

    /** KUBE-* chain declarations in the host's tables (another proxy at work here), e.g. {@code nat:KUBE-SERVICES}. */
    private static List<String> foreignKubeChains() {
        List<String> out = new ArrayList<>();
        String table = "";
        for (String line : ServiceCluster.iptablesSave().split("\n")) {
            if (line.startsWith("*")) {
                table = line.substring(1);
            } else if (line.startsWith(":KUBE-")) {
                out.add(table + line.substring(0, line.indexOf(' ')));
            }
        }
        return out;
    }

    /**
     * iptables-save without the lines Docker writes for its networks (its DOCKER* chains, jumps to them and the
     * per-bridge FORWARD/MASQUERADE rules): other tests on this host create and remove Docker networks while this
     * test runs, and those are not the proxy's doing.
     */
    static String withoutDockerRules(String save) {
        StringBuilder b = new StringBuilder();
        for (String line : save.split("\n")) {
            if (line.startsWith(":DOCKER") || line.startsWith("-A DOCKER") || line.contains("-j DOCKER")
                    || line.matches(".* (-i|-o) (br-[0-9a-f]+|docker0)( .*|$)")) {
                continue;
            }
            b.append(line).append('\n');
        }
        return b.toString();
    }
}
