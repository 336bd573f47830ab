package io.kube4j.node.server;

import static io.kube4j.node.server.NodeApiFixtures.channel;
import static io.kube4j.node.server.NodeApiFixtures.msg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Status;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.node.agent.NodeContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

/**
 * The node API against real containers on the real Docker engine (through {@link DockerTestRuntime}): logs, exec
 * over WebSocket (v5 and v4), stdin, tty resize, errors as Status, the Summary API and metrics.
 */
class NodeApiServerIT {

    private static final String NS = "default";
    private static final String POD = "talker";
    private static final String NODE = "nodeapi-it-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path root;
    private static DockerTestRuntime runtime;
    private static NodeApiServer server;
    private static String base;

    @BeforeAll
    static void start() {
        Requirements.requireDocker();
        String uid = UUID.randomUUID().toString();
        String first = NodeApiTestImages.runContainer(NODE, uid, POD, NS, "app", 0, "sh", "-c", "echo first-run; exit 1");
        NodeApiTestImages.run("docker", "wait", first);
        NodeApiTestImages.runContainer(NODE, uid, POD, NS, "app", 1, "sh", "-c",
                "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done");
        NodeApiTestImages.runContainer(NODE, uid, POD, NS, "idle", 0, "sleep", "3600");
        runtime = new DockerTestRuntime(NODE);
        NodeApiFixtures.FixedPods pods = new NodeApiFixtures.FixedPods();
        pods.pods.add(NodeApiFixtures.pod(NS, POD, uid, null, "app", "idle", "never-started"));
        NodeContext ctx = NodeApiFixtures.context(NODE, NodeApiFixtures.properties(Map.of()), runtime, root);
        server = new NodeApiServer(ctx, pods);
        int port = server.start();
        assertThat(port).isPositive().isEqualTo(server.port());
        base = "https://127.0.0.1:" + port;
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
        if (runtime != null) {
            runtime.close();
        }
        NodeApiTestImages.removeContainers(NODE);
    }

    @Test
    void healthzOverTls() {
        NodeApiFixtures.Response r = NodeApiFixtures.get(base + "/healthz");
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok");
    }

    @Test
    void logsTailAndPrevious() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            NodeApiFixtures.Response r = NodeApiFixtures.get(base + "/containerLogs/default/talker/app?tailLines=2");
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.contentType()).startsWith("text/plain");
            assertThat(r.body().split("\n")).hasSize(2).allMatch(l -> l.startsWith("line "));
        });
        NodeApiFixtures.Response prev = NodeApiFixtures.get(base + "/containerLogs/default/talker/app?previous=true");
        assertThat(prev.code()).isEqualTo(200);
        assertThat(prev.body()).isEqualTo("first-run\n");
        NodeApiFixtures.Response limited = NodeApiFixtures.get(base + "/containerLogs/default/talker/app?limitBytes=4");
        assertThat(limited.body()).isEqualTo("line");
    }

    @Test
    void followStreamsAndReleasesTheRuntimeStreamWhenTheClientLeaves() {
        long closedBefore = runtime.closed.get();
        List<String> lines = NodeApiFixtures.https().get()
                .uri(base + "/containerLogs/default/talker/app?follow=true&tailLines=1")
                .responseContent().asString(StandardCharsets.UTF_8)
                .flatMapIterable(s -> List.of(s.split("\n")))
                .take(6)
                .collectList().block(Duration.ofSeconds(30));
        // more lines than were there at the start: they were streamed while the container wrote them
        assertThat(lines).hasSize(6).allMatch(l -> l.startsWith("line "));
        await().atMost(Duration.ofSeconds(20)).until(() -> runtime.closed.get() > closedBefore);
    }

    @Test
    void errorsAreStatuses() {
        NodeApiFixtures.Response missing = NodeApiFixtures.get(base + "/containerLogs/default/nope/app");
        assertThat(missing.code()).isEqualTo(404);
        Status s = Codecs.json().readValue(missing.body(), Status.class);
        assertThat(s.getKind()).isEqualTo("Status");
        assertThat(s.getReason()).isEqualTo("NotFound");
        assertThat(s.getMessage()).contains("default/nope");

        NodeApiFixtures.Response badTail = NodeApiFixtures.get(base + "/containerLogs/default/talker/app?tailLines=abc");
        assertThat(badTail.code()).isEqualTo(400);
        assertThat(badTail.body()).contains("tailLines");

        NodeApiFixtures.Response noPrevious = NodeApiFixtures.get(base + "/containerLogs/default/talker/idle?previous=true");
        assertThat(noPrevious.code()).isEqualTo(404);
        assertThat(Codecs.json().readValue(noPrevious.body(), Status.class).getMessage())
                .isEqualTo("previous terminated container \"idle\" in pod \"talker\" not found");

        NodeApiFixtures.Response waiting = NodeApiFixtures.get(base + "/containerLogs/default/talker/never-started");
        assertThat(waiting.code()).isEqualTo(400);
        assertThat(waiting.body()).contains("is waiting to start");

        NodeApiFixtures.Response noUpgrade = NodeApiFixtures.get(base + "/exec/default/talker/idle?command=ls&stdout=true");
        assertThat(noUpgrade.code()).isEqualTo(400);
        assertThat(noUpgrade.body()).contains("Upgrade request required");

        assertThat(NodeApiFixtures.get(base + "/nothing/here").code()).isEqualTo(404);
    }

    @Test
    void execV5ReportsOutputAndTheExitCode() {
        List<byte[]> m = NodeApiFixtures.websocket(base + "/exec/default/talker/idle?command=sh&command=-c"
                + "&command=echo%20out%3B%20echo%20err%20%3E%262%3B%20exit%203&stdout=true&stderr=true",
                StreamChannels.V5, Flux.empty());
        assertThat(channel(m, 1)).isEqualTo("out\n");
        assertThat(channel(m, 2)).isEqualTo("err\n");
        JsonNode status = Codecs.json().readTree(channel(m, 3));
        assertThat(status.path("status").asString()).isEqualTo("Failure");
        assertThat(status.path("reason").asString()).isEqualTo("NonZeroExitCode");
        assertThat(status.path("details").path("causes").get(0).path("reason").asString()).isEqualTo("ExitCode");
        assertThat(status.path("details").path("causes").get(0).path("message").asString()).isEqualTo("3");
    }

    @Test
    void execWithStdinEndsOnTheV5CloseMessage() {
        List<byte[]> m = NodeApiFixtures.websocket(base + "/exec/default/talker/idle?command=cat&stdin=true&stdout=true",
                StreamChannels.V5, Flux.just(msg(0, "hello\n"), msg(0, "world\n"), new byte[] {(byte) 255, 0}));
        assertThat(channel(m, 1)).isEqualTo("hello\nworld\n");
        assertThat(Codecs.json().readTree(channel(m, 3)).path("status").asString()).isEqualTo("Success");
    }

    @Test
    void execV4AndTtyResize() {
        List<byte[]> m = NodeApiFixtures.websocket(base + "/exec/default/talker/idle?command=sh&command=-c"
                        + "&command=read%20x%3B%20stty%20size&stdin=true&stdout=true&tty=true",
                StreamChannels.V4, Flux.just(msg(4, "{\"Width\":101,\"Height\":33}"), msg(0, "go\n")));
        assertThat(channel(m, 1)).contains("33 101");
        assertThat(runtime.resizes).contains("101x33");
        assertThat(Codecs.json().readTree(channel(m, 3)).path("status").asString()).isEqualTo("Success");
    }

    @Test
    void execInAStoppedOrUnknownContainerSendsAStatus() {
        List<byte[]> m = NodeApiFixtures.websocket(base + "/exec/default/talker/never-started?command=ls&stdout=true",
                StreamChannels.V5, Flux.empty());
        JsonNode status = Codecs.json().readTree(channel(m, 3));
        assertThat(status.path("status").asString()).isEqualTo("Failure");
        assertThat(status.path("code").asInt()).isEqualTo(400);
        assertThat(status.path("message").asString()).contains("never-started");
    }

    @Test
    void statsSummaryComputesCpuRatesFromTwoSamples() {
        NodeApiFixtures.Response first = NodeApiFixtures.get(base + "/stats/summary");
        assertThat(first.code()).isEqualTo(200);
        NodeApiFixtures.Response second = NodeApiFixtures.get(base + "/stats/summary");
        JsonNode s = Codecs.json().readTree(second.body());
        assertThat(s.path("node").path("nodeName").asString()).isEqualTo(NODE);
        assertThat(s.path("node").path("memory").path("availableBytes").asLong()).isPositive();
        assertThat(s.path("node").path("cpu").has("usageNanoCores")).isTrue();
        assertThat(s.path("node").path("fs").path("capacityBytes").asLong()).isPositive();
        JsonNode pod = s.path("pods").get(0);
        assertThat(pod.path("podRef").path("name").asString()).isEqualTo(POD);
        assertThat(pod.path("containers")).hasSize(2);
        for (JsonNode c : pod.path("containers")) {
            assertThat(c.path("cpu").path("usageCoreNanoSeconds").asLong()).isPositive();
            assertThat(c.path("cpu").has("usageNanoCores")).isTrue();
            assertThat(c.path("memory").path("workingSetBytes").asLong()).isPositive();
        }
        assertThat(pod.path("cpu").has("usageNanoCores")).isTrue();
    }

    @Test
    void metricsCountRequests() {
        NodeApiFixtures.get(base + "/healthz");
        NodeApiFixtures.Response r = NodeApiFixtures.get(base + "/metrics");
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.body()).contains("kubelet_http_requests_total{").contains("path=\"healthz\"")
                .contains("kubelet_http_requests_duration_seconds");
    }
}
