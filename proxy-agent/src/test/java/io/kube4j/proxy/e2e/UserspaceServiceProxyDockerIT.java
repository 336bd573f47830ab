package io.kube4j.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.proxy.exec.ProcessCommandRunner;
import io.kube4j.proxy.model.ServicePortName;
import io.kube4j.proxy.userspace.UserspaceProxier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The userspace mode for real, without netfilter ({@code redirect=false}): each NodePort Service is served by a
 * Reactor Netty listener on 127.0.0.1 at its NodePort, which carries every new connection to one of the Service's
 * ready Docker pods (three httpd pods of a Deployment that each answer their own name). Distribution, ClientIP
 * affinity, no endpoints, failover to the next endpoint when one dies behind the proxy's back, scale to 1, and the
 * listeners closed by cleanup().
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UserspaceServiceProxyDockerIT {

    private static ServiceCluster cluster;
    private static UserspaceProxier proxier;
    private static InProcessProxy proxy;
    private static Set<String> webPods;

    @BeforeAll
    static void start() {
        cluster = ServiceCluster.start("proxy-us");
        cluster.deploy("web", 3);
        webPods = new HashSet<>(cluster.awaitReadyPods("app=web", 3).stream().map(p -> p.getMetadata().getName())
                .toList());
        proxier = new UserspaceProxier(new UserspaceProxier.Config(cluster.nodeName(), "127.0.0.1", "", false, null,
                null, null), new ProcessCommandRunner(), new SimpleMeterRegistry());
        proxy = InProcessProxy.start(cluster.client(), cluster.nodeName(), cluster.namespace(), proxier);
        cluster.createService(IptablesServiceProxyDockerIT.service("web", "NodePort", "app: web", ""));
        cluster.createService(IptablesServiceProxyDockerIT.service("web-sticky", "NodePort", "app: web",
                "sessionAffinity: ClientIP"));
        cluster.createService(IptablesServiceProxyDockerIT.service("nothing", "NodePort", "app: nothing", ""));
        cluster.awaitReadyEndpoints("web", 3);
        cluster.awaitReadyEndpoints("web-sticky", 3);
    }

    @AfterAll
    static void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    /** Where the proxier listens for the Service's port "http" (waits until it does). */
    private static int port(String service) {
        ServicePortName name = new ServicePortName(cluster.namespace(), service, "http", "TCP");
        InetSocketAddress a = await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> proxier.listenAddress(name), x -> x != null);
        return a.getPort();
    }

    /** Waits until the listener carries connections to a web pod (the proxier has the endpoints). */
    private static void awaitAnswering(int port) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> webPods.contains(HttpProbe.get("127.0.0.1", port)));
    }

    @Test
    @Order(1)
    void newConnectionsSpreadOverAllThreePods() throws IOException {
        int port = port("web");
        awaitAnswering(port);
        Map<String, Integer> seen = HttpProbe.distribution("127.0.0.1", port, 300);
        System.out.println("userspace mode, 300 new connections to 127.0.0.1:" + port + " -> " + seen);
        assertThat(seen.keySet()).isEqualTo(webPods);
        assertThat(seen.values()).allSatisfy(n -> assertThat(n).isBetween(60, 141)); // 20%..47% of 300
    }

    @Test
    @Order(2)
    void clientIpAffinityPinsTheClientToOnePod() throws IOException {
        int port = port("web-sticky");
        awaitAnswering(port);
        Map<String, Integer> seen = HttpProbe.distribution("127.0.0.1", port, 30);
        System.out.println("userspace mode, ClientIP affinity, 30 new connections -> " + seen);
        assertThat(seen).hasSize(1);
        assertThat(webPods).containsAll(seen.keySet());
    }

    @Test
    @Order(3)
    void aServiceWithoutEndpointsIsRefusedOrClosedAtOnce() {
        int port = port("nothing");
        // no timeout: the connection is refused, or accepted and closed without an answer
        assertThatThrownBy(() -> HttpProbe.get("127.0.0.1", port)).isInstanceOf(IOException.class)
                .isNotInstanceOf(SocketTimeoutException.class);
    }

    @Test
    @Order(4)
    void aPodThatDiesBehindTheProxysBackIsSkipped() throws IOException {
        int port = port("web");
        Pod victim = cluster.readyPods("app=web").get(0);
        cluster.node().dockerKill(cluster.node().containerId(victim, "web"));
        // the endpoint is still listed until the readiness probe notices; the proxy must retry the next one
        Map<String, Integer> seen = HttpProbe.distribution("127.0.0.1", port, 30);
        System.out.println("userspace mode, " + victim.getMetadata().getName() + " killed, 30 new connections -> "
                + seen);
        assertThat(seen.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(30);
        assertThat(webPods).containsAll(seen.keySet());
        // the node agent restarts it; the next test wants all three back
        cluster.awaitReadyEndpoints("web", 3);
    }

    @Test
    @Order(5)
    void scaledToOneOnlyThatPodAnswersWithinTwoSeconds() {
        int port = port("web");
        ScaleToOne.assertOnlyTheSurvivorAnswers(cluster, proxy, "userspace", () -> HttpProbe.get("127.0.0.1", port));
    }

    @Test
    @Order(6)
    void cleanupClosesTheListeners() {
        int port = port("web");
        proxy.close();
        assertThatThrownBy(() -> HttpProbe.get("127.0.0.1", port)).isInstanceOf(java.net.ConnectException.class);
    }
}
