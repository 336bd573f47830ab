package io.kube4j.proxy.userspace;

import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.exec.ProcessCommandRunner;
import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import static io.kube4j.proxy.userspace.UserspaceFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The userspace proxy with real sockets: three HTTP backends on 127.0.0.1 answering their own names, the proxy in
 * front of them, every request on a new connection. Without redirect (no netfilter, no root); then with redirect
 * in the host's namespace (root): a made-up ClusterIP and a NodePort on the node's address reach the backends
 * through the OUTPUT DNAT, and cleanup leaves iptables as it found it.
 */
class UserspaceProxierIT {

    private static final ServicePortName WEB = name("it", "web", "http", "TCP");
    private static final ServicePortName STICKY = name("it", "sticky", "http", "TCP");
    private static final ServicePortName EMPTY = name("it", "empty", "", "TCP");
    private static final ServicePortName COUNT = name("it", "count", "", "TCP");
    private static final ServicePortName ECHO = name("it", "echo", "", "UDP");

    private final List<DisposableServer> backends = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private UserspaceProxier proxier;

    @BeforeEach
    void startBackends() {
        for (String n : List.of("b1", "b2", "b3")) {
            backends.add(HttpServer.create().host("127.0.0.1").port(0)
                    .handle((req, res) -> res.sendString(Mono.just(n))).bindNow());
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (proxier != null) {
            proxier.cleanup();
        }
        backends.forEach(b -> b.disposeNow(Duration.ofSeconds(5)));
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private EndpointInfo backend(int i) {
        return ready("127.0.0.1", backends.get(i).port());
    }

    @Test
    void withoutRedirectServesTheServicePortsDirectly() throws Exception {
        proxier = new UserspaceProxier(new UserspaceProxier.Config("node-1", "127.0.0.1", "", false, null, null, null),
                new ProcessCommandRunner(), meters);
        int webPort = freePort();
        int stickyPort = freePort();
        int emptyPort = freePort();
        ServicePortInfo web = clusterIP(WEB, "10.111.0.1", webPort);
        ServicePortInfo sticky = service(STICKY, "ClusterIP", "10.111.0.2", stickyPort, 0, List.of(), List.of(), true);
        ServicePortInfo empty = clusterIP(EMPTY, "10.111.0.3", emptyPort);
        proxier.sync(state().add(web, backend(0), backend(1), backend(2), notReady("127.0.0.1", 9))
                .add(sticky, backend(0), backend(1), backend(2)).add(empty).build(), true);

        // 300 requests, each on a new connection: spread over the three backends (a not-ready endpoint gets none)
        Map<String, Integer> counts = requests(webPort, 300);
        assertThat(counts.keySet()).containsExactlyInAnyOrder("b1", "b2", "b3");
        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(60, 141));

        // ClientIP affinity: every connection from 127.0.0.1 reaches the same backend
        assertThat(requests(stickyPort, 20)).hasSize(1).containsValue(20);

        // no endpoints: the connection is closed at once, nothing is answered
        assertClosedAtOnce(emptyPort);
        assertThat(meters.counter("kubeproxy_userspace_connection_errors", "reason", "no_endpoints").count()).isPositive();

        // a backend dies: every request still succeeds (the next endpoint is tried) and it gets none
        backends.get(1).disposeNow(Duration.ofSeconds(5));
        Map<String, Integer> afterStop = requests(webPort, 60);
        assertThat(afterStop.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(60);
        assertThat(afterStop).doesNotContainKey("b2").containsKeys("b1", "b3");
        assertThat(meters.counter("kubeproxy_userspace_connection_errors", "reason", "dial").count()).isPositive();

        // scaled to one endpoint by a new sync: the listener stays, only that backend answers
        InetSocketAddress before = proxier.listenAddress(WEB);
        proxier.sync(state().add(web, backend(2)).add(sticky, backend(0)).add(empty).build(), false);
        assertThat(proxier.listenAddress(WEB)).isEqualTo(before);
        assertThat(requests(webPort, 30)).containsOnlyKeys("b3").containsValue(30);
        // the last connection's two sides close asynchronously after its reply was read
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                meters.get("kubeproxy_userspace_active_connections").tag("protocol", "tcp").gauge().value()).isZero());

        // removing a Service closes its listener; cleanup closes the rest
        proxier.sync(state().add(web, backend(2)).build(), false);
        assertRefused(stickyPort);
        proxier.cleanup();
        assertRefused(webPort);
    }

    @Test
    void halfCloseReachesTheEndpointAndItsAnswerComesBack() throws Exception {
        // an endpoint that reads until the client's FIN, then answers with the byte count and closes
        ServerSocket counter = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
        closeables.add(counter);
        Thread t = new Thread(() -> {
            for (int i = 0; i < 2 && !counter.isClosed(); i++) {
                try (Socket s = counter.accept()) {
                    s.setSoTimeout(10_000);
                    long n = s.getInputStream().transferTo(OutputStream.nullOutputStream());
                    s.getOutputStream().write(("got " + n).getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    return;
                }
            }
        }, "count-endpoint");
        t.setDaemon(true);
        t.start();
        proxier = new UserspaceProxier(new UserspaceProxier.Config("node-1", "127.0.0.1", "", false, null, null, null),
                new ProcessCommandRunner(), meters);
        int port = freePort();
        proxier.sync(state().add(clusterIP(COUNT, "10.111.0.4", port), ready("127.0.0.1", counter.getLocalPort())).build(), true);

        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            byte[] data = new byte[200_000];
            s.getOutputStream().write(data);
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("got 200000");
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                meters.get("kubeproxy_userspace_active_connections").tag("protocol", "tcp").gauge().value() == 0);

        // a connection being proxied outlives its listener (kube-proxy: Close stops accepting, nothing more)
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(new byte[10]);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    meters.get("kubeproxy_userspace_active_connections").tag("protocol", "tcp").gauge().value() == 1);
            proxier.sync(ProxyState.empty(), false);
            assertRefused(port);
            s.getOutputStream().write(new byte[5]);
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("got 15");
        }
    }

    @Test
    void udpDatagramsGoThroughAPerClientSessionThatExpires() throws Exception {
        DatagramSocket echo = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        closeables.add(echo);
        Thread t = new Thread(() -> {
            byte[] buf = new byte[2048];
            for (int i = 0; i < 100 && !echo.isClosed(); i++) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    echo.receive(p);
                    byte[] out = ("u1:" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8);
                    echo.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }, "udp-echo-endpoint");
        t.setDaemon(true);
        t.start();
        proxier = new UserspaceProxier(new UserspaceProxier.Config("node-1", "127.0.0.1", "", false,
                Duration.ofMillis(250), null, null), new ProcessCommandRunner(), meters);
        int port = freePort();
        proxier.sync(state().add(clusterIP(ECHO, "10.111.0.5", port), ready("127.0.0.1", echo.getLocalPort())).build(), true);

        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            client.setSoTimeout(5_000);
            for (String msg : List.of("ping", "pong")) {
                byte[] b = msg.getBytes(StandardCharsets.UTF_8);
                client.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
                DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
                client.receive(reply);
                assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8)).isEqualTo("u1:" + msg);
                assertThat(reply.getPort()).as("answered from the proxy's port").isEqualTo(port);
            }
        }
        // the session expires after the idle timeout
        await().atMost(Duration.ofSeconds(5)).until(() ->
                meters.get("kubeproxy_userspace_active_connections").tag("protocol", "udp").gauge().value() == 0);
    }

    @Test
    void withRedirectTheClusterIPAndNodePortReachTheBackendsFromTheHost() throws Exception {
        CommandRunner runner = new ProcessCommandRunner();
        Requirements.require("root".equals(System.getProperty("user.name")), "iptables redirect needs root");
        Requirements.require(runner.available("iptables-restore") && runner.available("iptables-save"),
                "iptables-restore and iptables-save are not installed");
        String hostIP = UserspaceProxier.chooseHostIP();
        String before = save(runner);
        String clusterIP = "10.111.222." + ThreadLocalRandom.current().nextInt(2, 250);
        int nodePort = freePort();
        proxier = new UserspaceProxier(UserspaceProxier.Config.defaults("node-1", true), runner, meters);
        try {
            ServicePortInfo web = service(WEB, "NodePort", clusterIP, 80, nodePort, List.of(), List.of(), false);
            proxier.sync(state().add(web, backend(0), backend(1), backend(2)).build(), true);

            Map<String, Integer> viaClusterIP = requests(new InetSocketAddress(clusterIP, 80), 30);
            assertThat(viaClusterIP.keySet()).containsExactlyInAnyOrder("b1", "b2", "b3");
            assertThat(requests(new InetSocketAddress(hostIP, nodePort), 9).keySet())
                    .containsExactlyInAnyOrder("b1", "b2", "b3");

            // a second sync keeps exactly one jump of each kind
            proxier.sync(state().add(web, backend(0)).build(), false);
            assertThat(requests(new InetSocketAddress(clusterIP, 80), 5)).containsOnlyKeys("b1");
            String during = save(runner);
            assertThat(during.lines().filter(l -> l.endsWith("-j KUBE-PORTALS-HOST")).count()).isEqualTo(1);
            assertThat(during.lines().filter(l -> l.endsWith("-j KUBE-NODEPORT-NON-LOCAL")).count()).isEqualTo(1);
        } finally {
            proxier.cleanup();
        }
        assertThat(withoutForeignChains(save(runner))).isEqualTo(withoutForeignChains(before));
        assertThat(save(runner)).doesNotContain("KUBE-PORTALS").doesNotContain("KUBE-NODEPORT-");
    }

    @Test
    void withRedirectAContainerReachesTheClusterIPThroughRedirect() {
        CommandRunner runner = new ProcessCommandRunner();
        Requirements.require("root".equals(System.getProperty("user.name")), "iptables redirect needs root");
        Requirements.require(runner.available("iptables-restore") && runner.available("docker"),
                "iptables-restore and the docker CLI are needed");
        Requirements.requireDocker();
        String image = io.kube4j.node.testsupport.TestImages.busybox();
        String clusterIP = "10.111.223." + ThreadLocalRandom.current().nextInt(2, 250);
        proxier = new UserspaceProxier(UserspaceProxier.Config.defaults("node-1", true), runner, meters);
        try {
            proxier.sync(state().add(clusterIP(WEB, clusterIP, 80), backend(0), backend(1), backend(2)).build(), true);
            // one container on Docker's default bridge: PREROUTING -> KUBE-PORTALS-CONTAINER -> REDIRECT -> proxy
            // (busybox nc: this image's wget crashes) a body is the last line of each answer; a failure an empty one
            String script = "for i in 1 2 3 4 5 6; do printf 'GET / HTTP/1.0\\r\\nConnection: close\\r\\n\\r\\n' | nc -w 5 " + clusterIP
                    + " 80 | tail -n 1; echo; done";
            CommandRunner.Result r = runner.run(List.of("docker", "run", "--rm", "--label", "io.kube4j.test=userspace",
                    image, "sh", "-c", script), new byte[0], Duration.ofSeconds(60));
            assertThat(r.exitCode()).as("docker run: %s", r.stderr()).isZero();
            List<String> answers = r.stdout().lines().toList();
            assertThat(answers).as("answers: %s", r.stdout()).hasSize(6);
            assertThat(answers).containsOnly("b1", "b2", "b3").contains("b1", "b2", "b3");
        } finally {
            proxier.cleanup();
        }
    }

    // --- helpers

    private static String save(CommandRunner runner) {
        String nat = runner.run("iptables-save", "-t", "nat").orThrow().stdout();
        String filter = runner.run("iptables-save", "-t", "filter").orThrow().stdout();
        return nat + filter;
    }

    /**
     * iptables-save without comments and counters, and without the lines of chains other programs own (Docker,
     * the other kube4j proxy modes' KUBE-* chains), which other tests on this host may change meanwhile.
     */
    private static List<String> withoutForeignChains(String saved) {
        Predicate<String> ours = l -> l.contains("KUBE-PORTALS-") || l.contains("KUBE-NODEPORT-CONTAINER")
                || l.contains("KUBE-NODEPORT-HOST") || l.contains("KUBE-NODEPORT-NON-LOCAL");
        return saved.lines()
                .filter(l -> !l.startsWith("#"))
                .filter(l -> ours.test(l) || !(l.contains("DOCKER") || l.contains("KUBE-")))
                .map(l -> l.replaceAll("\\[\\d+:\\d+]", "[0:0]"))
                .toList();
    }

    private static Map<String, Integer> requests(int port, int n) throws IOException {
        return requests(new InetSocketAddress("127.0.0.1", port), n);
    }

    /** {@code n} HTTP requests, each on a new connection; answer (backend name) to count. */
    private static Map<String, Integer> requests(InetSocketAddress to, int n) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket()) {
                s.connect(to, 5_000);
                s.setSoTimeout(5_000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: svc\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int body = answer.indexOf("\r\n\r\n");
                assertThat(answer).as("request %d to %s", i, to).startsWith("HTTP/1.1 200");
                counts.merge(answer.substring(body + 4), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static void assertClosedAtOnce(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(2_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: svc\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                in.transferTo(got);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the proxy kept a connection to a Service without endpoints open", e);
            } catch (SocketException reset) {
                // closed with a reset: refused as well
            }
            assertThat(got.size()).isZero();
        } catch (ConnectException refused) {
            // refused outright: fine
        }
    }

    private static void assertRefused(int port) {
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            }
        }).isInstanceOf(ConnectException.class);
    }
}
