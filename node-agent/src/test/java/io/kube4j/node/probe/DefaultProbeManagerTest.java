package io.kube4j.node.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.testsupport.ExecStubRuntime;
import io.kube4j.node.testsupport.RecordingEventClient;
import io.kube4j.node.testsupport.TestNodeContexts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DefaultProbeManagerTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    HttpServer http;
    final AtomicInteger status = new AtomicInteger(200);
    final AtomicInteger requests = new AtomicInteger();
    final List<String> userAgents = new CopyOnWriteArrayList<>();
    final List<String> customHeaders = new CopyOnWriteArrayList<>();
    ScheduledExecutorService scheduler;
    final ExecStubRuntime runtime = new ExecStubRuntime();
    final RecordingEventClient eventClient = new RecordingEventClient();
    EventRecorder events;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final List<String> changes = new CopyOnWriteArrayList<>();
    DefaultProbeManager probes;

    @BeforeEach
    void start() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/healthz", ex -> {
            requests.incrementAndGet();
            userAgents.add(String.valueOf(ex.getRequestHeaders().getFirst("User-Agent")));
            customHeaders.add(String.valueOf(ex.getRequestHeaders().getFirst("X-Probe")));
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        http.start();
        scheduler = Executors.newScheduledThreadPool(1);
        events = new EventRecorder(eventClient, "kubelet", "test-node");
        probes = new DefaultProbeManager(TestNodeContexts.of(Path.of("/nonexistent"), null, runtime, scheduler,
                events, meters), changes::add);
    }

    @AfterEach
    void stop() throws InterruptedException {
        probes.removePod("uid-1");
        scheduler.shutdownNow();
        http.stop(0);
        events.close();
    }

    static Pod pod(Container c) {
        return new PodBuilder().withKind("Pod").withApiVersion("v1").withNewMetadata().withName("web")
                .withNamespace("ns").withUid("uid-1").endMetadata().withNewSpec().withContainers(c).endSpec().build();
    }

    static Map<String, ContainerStatus> running(String name, String id) {
        return Map.of(name, new ContainerStatus(id, "uid-1", "web", "ns", name, 0, "sb", ContainerStatus.State.RUNNING,
                Instant.now(), Instant.now(), null, 0, null, null, "img", "img-id", "h", Map.of()));
    }

    private ProbeBuilder httpProbe(IntOrString port) {
        return new ProbeBuilder().withNewHttpGet().withPath("/healthz").withPort(port).addNewHttpHeader()
                .withName("X-Probe").withValue("yes").endHttpHeader().endHttpGet()
                .withPeriodSeconds(1).withFailureThreshold(1).withSuccessThreshold(1);
    }

    private int port() {
        return http.getAddress().getPort();
    }

    @Test
    void readinessOverHttpFollowsTheStatusCode() {
        Container c = new ContainerBuilder().withName("app").withReadinessProbe(httpProbe(new IntOrString(port()))
                .build()).build();
        probes.syncPod(pod(c), running("app", "c1"), "127.0.0.1");
        assertThat(probes.ready("c1")).isFalse(); // until the first success

        await().atMost(WAIT).until(() -> probes.ready("c1"));
        assertThat(changes).contains("uid-1");
        assertThat(userAgents).first().asString().startsWith("kube-probe/");
        assertThat(customHeaders).first().isEqualTo("yes");

        status.set(500);
        await().atMost(WAIT).until(() -> !probes.ready("c1"));
        assertThat(probes.alive("c1")).isTrue();
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventClient.messages("Unhealthy"))
                .contains("Readiness probe failed: HTTP probe failed with statuscode: 500"));
        assertThat(meters.get("prober_probe_total").tag("probe_type", "Readiness").tag("result", "failed")
                .tag("container", "app").tag("pod", "web").tag("namespace", "ns").counter().count())
                .isGreaterThanOrEqualTo(1);

        status.set(302); // redirects count as success
        await().atMost(WAIT).until(() -> probes.ready("c1"));
    }

    @Test
    void livenessOnANamedPortFailsAfterTheThreshold() {
        Container c = new ContainerBuilder().withName("app").addNewPort().withName("http").withContainerPort(port())
                .endPort().withLivenessProbe(httpProbe(new IntOrString("http")).withFailureThreshold(2).build()).build();
        probes.syncPod(pod(c), running("app", "c1"), "127.0.0.1");
        assertThat(probes.alive("c1")).isTrue();
        await().atMost(WAIT).until(() -> requests.get() >= 1);
        status.set(503);
        int before = requests.get();
        await().atMost(WAIT).until(() -> !probes.alive("c1"));
        assertThat(requests.get() - before).isGreaterThanOrEqualTo(2);
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventClient.messages("Unhealthy"))
                .contains("Liveness probe failed: HTTP probe failed with statuscode: 503"));

        // the restarted container (a new id) starts over, alive
        probes.syncPod(pod(c), running("app", "c2"), "127.0.0.1");
        assertThat(probes.alive("c2")).isTrue();
        assertThat(probes.alive("c1")).isTrue(); // forgotten: no longer running
    }

    @Test
    void tcpSocketProbe() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int p = server.getLocalPort();
        Container c = new ContainerBuilder().withName("app").withReadinessProbe(new ProbeBuilder().withNewTcpSocket()
                .withPort(new IntOrString(p)).endTcpSocket().withPeriodSeconds(1).withFailureThreshold(1).build())
                .build();
        probes.syncPod(pod(c), running("app", "c1"), "127.0.0.1");
        await().atMost(WAIT).until(() -> probes.ready("c1"));
        server.close();
        await().atMost(WAIT).until(() -> !probes.ready("c1"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventClient.messages("Unhealthy")).contains(
                "Readiness probe failed: dial tcp 127.0.0.1:" + p + ": connect: connection refused"));
    }

    @Test
    void startupGatesReadinessAndExecProbesUseTheRuntime() {
        runtime.exitCode("c1", 1);
        Container c = new ContainerBuilder().withName("app")
                .withStartupProbe(new ProbeBuilder().withNewExec().withCommand("check", "started").endExec()
                        .withPeriodSeconds(1).withFailureThreshold(100).build())
                .withReadinessProbe(httpProbe(new IntOrString(port())).build()).build();
        probes.syncPod(pod(c), running("app", "c1"), "127.0.0.1");
        assertThat(probes.started("c1")).isFalse();
        await().atMost(WAIT).until(() -> runtime.execs.size() >= 2);
        assertThat(probes.started("c1")).isFalse();
        assertThat(probes.ready("c1")).isFalse();
        assertThat(requests.get()).as("readiness does not run before startup succeeded").isZero();
        assertThat(runtime.execs).first().isEqualTo("c1:check started");
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventClient.messages("Unhealthy"))
                .contains("Startup probe failed: exit 1"));

        runtime.exitCode("c1", 0);
        await().atMost(WAIT).until(() -> probes.started("c1"));
        await().atMost(WAIT).until(() -> probes.ready("c1"));
        assertThat(requests.get()).isPositive();
    }

    @Test
    void failedStartupMeansNotAlive() {
        runtime.exitCode("c1", 2);
        Container c = new ContainerBuilder().withName("app").withStartupProbe(new ProbeBuilder().withNewExec()
                .withCommand("false").endExec().withPeriodSeconds(1).withFailureThreshold(1).build()).build();
        probes.syncPod(pod(c), running("app", "c1"), "127.0.0.1");
        await().atMost(WAIT).until(() -> !probes.alive("c1"));
        assertThat(probes.started("c1")).isFalse();
    }

    @Test
    void grpcProbesFailAndRemovePodForgets() {
        Container c = new ContainerBuilder().withName("app").withReadinessProbe(new ProbeBuilder().withNewGrpc()
                .withPort(9000).endGrpc().withPeriodSeconds(1).withFailureThreshold(1).build()).build();
        probes.syncPod(pod(c), running("app", "c1"), "127.0.0.1");
        await().atMost(WAIT).untilAsserted(() -> assertThat(eventClient.messages("Unhealthy"))
                .contains("Readiness probe failed: gRPC probes are not supported by this node"));
        assertThat(probes.ready("c1")).isFalse();
        probes.removePod("uid-1");
        assertThat(probes.ready("c1")).isTrue(); // unknown container: no probe
    }

    @Test
    void noProbesMeansReadyAliveStarted() {
        Container c = new ContainerBuilder().withName("app").build();
        probes.syncPod(pod(c), running("app", "c1"), "127.0.0.1");
        assertThat(probes.ready("c1")).isTrue();
        assertThat(probes.alive("c1")).isTrue();
        assertThat(probes.started("c1")).isTrue();
    }
}
