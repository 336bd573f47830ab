package io.kube4j.node.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code metrics.k8s.io} end to end: a real node agent runs a busybox pod on Docker (one container burning CPU,
 * one holding 16 MB in a shell variable; the loop keeps busybox from exec-ing sleep in its place), the apiserver scrapes the agent's {@code /stats/summary} (every 2 s here, so the test does
 * not wait for the 15 s default) and serves NodeMetrics/PodMetrics; raw HTTP and the real kubectl's {@code top}
 * see non-zero usage.
 */
class KubectlTopIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(45);
    private static final String METRICS = "/apis/metrics.k8s.io/v1beta1";

    @TempDir
    static Path dir;
    private static ApiServerInstance apiserver;
    private static NodeAgentHarness node;
    private static ApiClient api;
    private static KubectlRunner kubectl;
    private static String ns;

    @BeforeAll
    static void start() throws Exception {
        Path binary = Requirements.requireBinary("kubectl");
        Requirements.requireDocker();
        apiserver = ApiServerInstance.start(EtcdServer.shared().endpoint(),
                "kube4j.apiserver.metrics-api.scrape-interval=2s");
        api = apiserver.client();
        node = NodeAgentHarness.docker("top", Map.of(), apiserver);
        ns = node.namespace();
        kubectl = new KubectlRunner(binary, apiserver.url(), ns, dir, TIMEOUT);
        Pod pod = node.createPod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: busy, labels: {app: burn}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: burner
                    image: IMAGE
                    command: [sh, -c, 'while :; do :; done']
                  - name: holder
                    image: IMAGE
                    command: [sh, -c, 'x=$(yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx | head -c 16000000); while :; do sleep 3600; done']
                """.replace("IMAGE", node.busyboxImage()));
        node.awaitPhase(pod, "Running");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        if (apiserver != null) {
            apiserver.close();
        }
    }

    @Test
    void discoveryListsTheMetricsGroup() {
        JsonNode groups = api.get("/apis").json().path("groups");
        assertThat(StreamSupport.stream(groups.spliterator(), false).map(g -> g.path("name").asString()))
                .contains("metrics.k8s.io");
        JsonNode resources = api.get(METRICS).json().path("resources");
        assertThat(resources.toString())
                .contains("{\"name\":\"nodes\",\"singularName\":\"nodemetrics\",\"namespaced\":false,\"kind\":\"NodeMetrics\",\"verbs\":[\"get\",\"list\"]}")
                .contains("{\"name\":\"pods\",\"singularName\":\"podmetrics\",\"namespaced\":true,\"kind\":\"PodMetrics\",\"verbs\":[\"get\",\"list\"]}");
    }

    @Test
    void podAndNodeMetricsShowRealUsage() {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ApiClient.Response r = api.get(METRICS + "/namespaces/" + ns + "/pods/busy");
            assertThat(r.code()).as(r.body()).isEqualTo(200);
            JsonNode pm = r.json();
            assertThat(pm.path("kind").asString()).isEqualTo("PodMetrics");
            assertThat(pm.path("metadata").path("labels").path("app").asString()).isEqualTo("burn");
            assertThat(pm.path("window").asString()).endsWith("s");
            assertThat(pm.path("timestamp").asString()).endsWith("Z");
            Map<String, JsonNode> containers = new java.util.HashMap<>();
            pm.path("containers").forEach(c -> containers.put(c.path("name").asString(), c.path("usage")));
            assertThat(containers).containsOnlyKeys("burner", "holder");
            // a busy loop: far above the idle container's few millicores even on a loaded machine
            assertThat(cores(containers.get("burner"))).isGreaterThan(new BigDecimal("0.05"));
            assertThat(bytes(containers.get("holder"))).isGreaterThan(BigDecimal.valueOf(10_000_000));
        });
        ApiClient.Response n = api.get(METRICS + "/nodes/" + node.nodeName());
        assertThat(n.code()).as(n.body()).isEqualTo(200);
        assertThat(n.json().path("kind").asString()).isEqualTo("NodeMetrics");
        assertThat(cores(n.json().path("usage"))).isPositive();
        assertThat(bytes(n.json().path("usage"))).isPositive();
    }

    @Test
    void listsSelectAndMissingObjectsAreNotFound() {
        awaitPodMetrics();
        assertThat(names(api.get(METRICS + "/namespaces/" + ns + "/pods?labelSelector=app%3Dburn"))).containsExactly("busy");
        assertThat(names(api.get(METRICS + "/namespaces/" + ns + "/pods?labelSelector=app%3Dother"))).isEmpty();
        assertThat(names(api.get(METRICS + "/namespaces/" + ns + "/pods?fieldSelector=metadata.name%3Dbusy")))
                .containsExactly("busy");
        assertThat(names(api.get(METRICS + "/pods"))).contains("busy");
        assertThat(names(api.get(METRICS + "/nodes?fieldSelector=metadata.name%3D" + node.nodeName())))
                .containsExactly(node.nodeName());
        ApiClient.Response list = api.get(METRICS + "/namespaces/" + ns + "/pods");
        assertThat(list.json().path("kind").asString()).isEqualTo("PodMetricsList");

        ApiClient.Response missing = api.get(METRICS + "/namespaces/" + ns + "/pods/nope");
        assertThat(missing.code()).isEqualTo(404);
        assertThat(missing.json().path("kind").asString()).isEqualTo("Status");
        assertThat(missing.json().path("message").asString())
                .isEqualTo("podmetrics.metrics.k8s.io \"" + ns + "/nope\" not found");
        assertThat(api.get(METRICS + "/nodes/no-such-node").code()).isEqualTo(404);
        assertThat(api.get(METRICS + "/namespaces/" + ns + "/pods?fieldSelector=spec.nodeName%3Dx").code())
                .isEqualTo(400);
        assertThat(api.post(METRICS + "/namespaces/" + ns + "/pods", "{}").code()).isEqualTo(405);

        String prometheus = api.get("/actuator/prometheus").body();
        assertThat(prometheus.lines().filter(l -> l.startsWith("metrics_server_kubelet_request_total{")
                && l.contains("success=\"true\"")).map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))))
                .as(prometheus).singleElement().satisfies(v -> assertThat(v).isPositive());
        assertThat(prometheus).contains("metrics_server_kubelet_request_duration_seconds")
                .contains("metrics_server_manager_tick_duration_seconds");
    }

    @Test
    void kubectlTopOnTwoVersions() {
        awaitPodMetrics();
        for (String version : List.of("1.31", "1.29")) {
            KubectlRunner k = kubectl.versioned(version);
            await().atMost(TIMEOUT).untilAsserted(() -> {
                KubectlRunner.Result pods = k.kubectl("top", "pods", "--containers").ok();
                List<String[]> rows = rows(pods.out());
                assertThat(rows.get(0)).as(pods.out()).containsExactly("POD", "NAME", "CPU(cores)", "MEMORY(bytes)");
                String[] burner = rows.stream().filter(r -> r[1].equals("burner")).findFirst().orElseThrow();
                String[] holder = rows.stream().filter(r -> r[1].equals("holder")).findFirst().orElseThrow();
                assertThat(burner[0]).isEqualTo("busy");
                assertThat(millis(burner[2])).as(pods.out()).isGreaterThan(50);
                assertThat(mebi(holder[3])).as(pods.out()).isGreaterThanOrEqualTo(10);

                KubectlRunner.Result all = k.kubectl("top", "pods", "-A", "-l", "app=burn").ok();
                assertThat(all.out()).as(all.out()).contains(ns).contains("busy");

                KubectlRunner.Result nodes = k.kubectl("top", "nodes", node.nodeName()).ok();
                String[] row = rows(nodes.out()).get(1);
                assertThat(row[0]).isEqualTo(node.nodeName());
                assertThat(millis(row[1])).as(nodes.out()).isPositive();
                assertThat(mebi(row[3])).as(nodes.out()).isPositive();
            });
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void awaitPodMetrics() {
        await().atMost(TIMEOUT).until(() -> api.get(METRICS + "/namespaces/" + ns + "/pods/busy").code() == 200);
    }

    private static List<String> names(ApiClient.Response r) {
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.json().path("items").forEach(i -> out.add(i.path("metadata").path("name").asString()));
        return out;
    }

    private static BigDecimal cores(JsonNode usage) {
        return Quantity.getAmountInBytes(new Quantity(usage.path("cpu").asString()));
    }

    private static BigDecimal bytes(JsonNode usage) {
        return Quantity.getAmountInBytes(new Quantity(usage.path("memory").asString()));
    }

    private static List<String[]> rows(String out) {
        return out.lines().map(l -> l.trim().split("\\s+")).toList();
    }

    private static long millis(String cell) {
        assertThat(cell).endsWith("m");
        return Long.parseLong(cell.substring(0, cell.length() - 1));
    }

    private static long mebi(String cell) {
        assertThat(cell).endsWith("Mi");
        return Long.parseLong(cell.substring(0, cell.length() - 2));
    }
}
