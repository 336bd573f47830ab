package io.kube4j.addons.logging.app;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.addons.logging.LogCollectorApplication;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.client.DeleteOptions;
import io.kube4j.node.agent.NodeAgentHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The collector application on a real node: a real node agent running pods on Docker against the shared apiserver
 * (real etcd). A pod writes 1,000 numbered lines and exits, and is deleted at once (its container removed from the
 * engine); every line is then found through the search API, in order, with its labels. A second pod's lines are kept
 * apart by the selector.
 */
class LogCollectionIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private NodeAgentHarness node;
    private com.sun.net.httpserver.HttpServer loki;
    private ConfigurableApplicationContext app;

    @TempDir
    Path data;

    @AfterEach
    void tearDown() {
        if (app != null) {
            app.close();
        }
        if (node != null) {
            node.close();
        }
        if (loki != null) {
            loki.stop(0);
        }
    }

    @Test
    void linesOfAPodDeletedRightAfterWritingThemAreAllSearchable() throws Exception {
        // a Loki on loopback that records what it receives: forwarding is configured like in a real cluster
        List<JsonNode> pushed = new java.util.concurrent.CopyOnWriteArrayList<>();
        loki = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        loki.createContext("/loki/api/v1/push", ex -> {
            pushed.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        loki.start();
        long ta = System.nanoTime();
        ApiServerInstance.shared();
        long t0 = System.nanoTime();
        node = NodeAgentHarness.docker("logs");
        long t1 = System.nanoTime();
        app = new SpringApplicationBuilder(LogCollectorApplication.class).run("--server.port=0",
                "--server.address=127.0.0.1", "--kube4j.client.server=" + ApiServerInstance.shared().url(),
                "--kube4j.logging.node-name=" + node.nodeName(), "--kube4j.logging.data-dir=" + data,
                "--kube4j.logging.poll-interval=100ms", "--kube4j.logging.forward.loki-url=http://127.0.0.1:"
                        + loki.getAddress().getPort() + "/loki/api/v1/push",
                "--kube4j.logging.forward.flush-interval=200ms");
        int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        long t2 = System.nanoTime();

        Pod web = node.createPod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: writer, labels: {app: web}}
                spec:
                  restartPolicy: Never
                  terminationGracePeriodSeconds: 0
                  containers: [{name: main, image: IMAGE, command: [sh, -c, 'i=1; while [ $i -le 1000 ]; do echo "line $i"; i=$((i+1)); done']}]
                """.replace("IMAGE", node.busyboxImage()));
        Pod other = node.createPod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: other, labels: {app: other}}
                spec:
                  restartPolicy: Never
                  containers: [{name: side, image: IMAGE, command: [sh, -c, 'for i in 1 2 3 4 5; do echo "other $i"; done']}]
                """.replace("IMAGE", node.busyboxImage()));

        node.awaitPhase(web, "Succeeded");
        node.client().resources(Pod.class).delete(node.namespace(), "writer", DeleteOptions.now()).block(Duration.ofSeconds(10));
        long t3 = System.nanoTime();
        node.awaitGone(web);
        await().atMost(Duration.ofSeconds(30)).until(() -> node.runtimeContainersOf(web).isEmpty());

        String ns = node.namespace();
        // first every line of the namespace, then by selector: a failure says whether lines or labels are missing
        await().atMost(Duration.ofSeconds(20))
                .until(() -> search(port, "namespace=" + ns + "&pod=writer&limit=5000"), h -> h.size() >= 1000);
        List<JsonNode> hits = search(port, "namespace=" + ns + "&selector=app%3Dweb&limit=5000");
        long t4 = System.nanoTime();
        System.out.printf("LogCollectionIT: apiserver (shared, with etcd) %.1f s, node agent ready %.1f s, "
                + "collector started %.1f s, pod succeeded %.1f s, deleted and all lines found %.1f s%n", (t0 - ta) / 1e9, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9,
                (t4 - t3) / 1e9);
        assertThat(hits).hasSize(1000);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            expected.add("line " + i);
        }
        assertThat(hits.stream().map(h -> h.get("line").asString()).toList()).containsExactlyElementsOf(expected);
        JsonNode first = hits.get(0);
        assertThat(first.get("namespace").asString()).isEqualTo(ns);
        assertThat(first.get("pod").asString()).isEqualTo("writer");
        assertThat(first.get("container").asString()).isEqualTo("main");
        assertThat(first.get("node").asString()).isEqualTo(node.nodeName());
        assertThat(first.get("labels").get("app").asString()).isEqualTo("web");
        assertThat(first.get("timestamp").asString()).endsWith("Z");

        node.awaitPhase(other, "Succeeded");
        List<JsonNode> others = await().atMost(Duration.ofSeconds(20))
                .until(() -> search(port, "namespace=" + ns + "&selector=app%3Dother"), h -> h.size() >= 5);
        assertThat(others.stream().map(h -> h.get("line").asString()).toList())
                .containsExactly("other 1", "other 2", "other 3", "other 4", "other 5");
        assertThat(others).allSatisfy(h -> assertThat(h.get("pod").asString()).isEqualTo("other"));

        assertThat(search(port, "namespace=" + ns + "&q=" + URLEncoder.encode("line 99", StandardCharsets.UTF_8)))
                .extracting(h -> h.get("line").asString()).containsExactly("line 99", "line 990", "line 991",
                        "line 992", "line 993", "line 994", "line 995", "line 996", "line 997", "line 998", "line 999");
        assertThat(search(port, "namespace=" + ns + "&selector=app%3Dweb&q=other")).isEmpty();

        HttpResponse<String> bad = get(port, "/api/v1/logs/search?since=yesterday");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("since must be a positive duration");
        assertThat(get(port, "/api/v1/logs/search?selector=" + URLEncoder.encode("app in (", StandardCharsets.UTF_8))
                .statusCode()).isEqualTo(400);

        List<String> forwarded = await().atMost(Duration.ofSeconds(20)).until(() -> lokiLines(pushed, "writer"),
                l -> l.size() >= 1000);
        assertThat(forwarded).containsExactlyElementsOf(expected);

        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("kube4j_logging_collected_lines_total{").contains("kube4j_logging_store_bytes")
                .contains("kube4j_logging_search_duration_seconds");
    }

    /** The lines Loki received for {@code pod}, in the order received. */
    private static List<String> lokiLines(List<JsonNode> pushes, String pod) {
        List<String> out = new ArrayList<>();
        for (JsonNode push : pushes) {
            for (JsonNode stream : push.get("streams")) {
                if (pod.equals(stream.get("stream").get("pod").asString())) {
                    stream.get("values").forEach(v -> out.add(v.get(1).asString()));
                }
            }
        }
        return out;
    }

    private List<JsonNode> search(int port, String query) throws Exception {
        HttpResponse<String> r = get(port, "/api/v1/logs/search?" + query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        for (String l : r.body().split("\n")) {
            if (!l.isBlank()) {
                out.add(JSON.readTree(l));
            }
        }
        return out;
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept", "application/x-ndjson").timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
