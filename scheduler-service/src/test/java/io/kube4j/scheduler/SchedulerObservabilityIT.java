package io.kube4j.scheduler;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The packaged scheduler seen from outside, over HTTP: it elects itself on its Lease, its Prometheus metrics count
 * what it did, and {@code POST /simulate} explains a placement without binding anything.
 */
class SchedulerObservabilityIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final String NS = "sched-obs-" + RUN;
    private static final String SCHEDULER_NAME = "obs-it-" + RUN;
    private static final String SMALL = "obs-small-" + RUN;
    private static final String LARGE = "obs-large-" + RUN;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static KubeClient client;
    private static ConfigurableApplicationContext ctx;
    private static String base;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final List<String> nodes = new ArrayList<>();

    @BeforeAll
    static void start() {
        Requirements.requireBinary("etcd");
        client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).block(WAIT);
        createNode(node(SMALL, "2", "4Gi").build());
        createNode(node(LARGE, "8", "16Gi").build());
        ctx = SpringApplication.run(SchedulerApplication.class, "--server.port=0",
                "--kube4j.client.server=" + ApiServerInstance.shared().url(),
                "--kube4j.scheduler.scheduler-name=" + SCHEDULER_NAME,
                "--kube4j.scheduler.plugin-metrics-sample-percent=100",
                "--kube4j.scheduler.leader-election.resource-namespace=" + NS,
                "--kube4j.scheduler.leader-election.resource-name=obs-" + RUN);
        base = "http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port");
    }

    @AfterAll
    static void stop() {
        if (ctx != null) {
            ctx.close();
        }
        if (client != null) {
            for (String n : nodes) {
                client.resources(Node.class).delete(null, n, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
            }
            client.resources(Namespace.class).delete(null, NS, DeleteOptions.defaults()).onErrorComplete()
                    .block(WAIT);
            client.close();
        }
    }

    private static void createNode(Node n) {
        Node created = client.resources(Node.class).create(n).block(WAIT);
        created.setStatus(n.getStatus());
        client.resources(Node.class).updateStatus(created).block(WAIT);
        nodes.add(n.getMetadata().getName());
    }

    private static void createPod(String name, String cpu) {
        client.resources(Pod.class).create(pod(name, "cpu", cpu).editMetadata().withNamespace(NS).withUid(null)
                .endMetadata().editSpec().withSchedulerName(SCHEDULER_NAME).endSpec().build()).block(WAIT);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sum of the samples of {@code metric} whose labels include all of {@code labels}. */
    private static double sample(String text, String metric, String... labels) {
        double sum = 0;
        boolean found = false;
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{([^}]*)\\} (\\S+)$").matcher(text);
        while (m.find()) {
            boolean all = true;
            for (String l : labels) {
                all &= m.group(1).contains(l);
            }
            if (all) {
                found = true;
                sum += Double.parseDouble(m.group(2));
            }
        }
        assertThat(found).as(metric + " " + List.of(labels) + " in\n" + text).isTrue();
        return sum;
    }

    @Test
    void electsItselfAndItsMetricsCountWhatItDid() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.resources(Lease.class).get(NS, "obs-" + RUN)
                .block(WAIT).getSpec().getHolderIdentity()).contains("_"));
        for (int i = 0; i < 3; i++) {
            createPod("fits-" + i, "1");
        }
        createPod("too-big", "32");
        await().atMost(WAIT).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                assertThat(client.resources(Pod.class).get(NS, "fits-" + i).block(WAIT).getSpec().getNodeName())
                        .isIn(SMALL, LARGE);
            }
        });
        String profile = "profile=\"" + SCHEDULER_NAME + "\"";
        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> r = get("/actuator/prometheus");
            assertThat(r.statusCode()).isEqualTo(200);
            String text = r.body();
            assertThat(sample(text, "scheduler_schedule_attempts_total", profile, "result=\"scheduled\""))
                    .isEqualTo(3);
            assertThat(sample(text, "scheduler_schedule_attempts_total", profile, "result=\"unschedulable\""))
                    .isGreaterThanOrEqualTo(1);
            assertThat(sample(text, "scheduler_scheduling_attempt_duration_seconds_count", profile,
                    "result=\"scheduled\"")).isEqualTo(3);
            double seconds = sample(text, "scheduler_scheduling_attempt_duration_seconds_sum", profile,
                    "result=\"scheduled\"");
            assertThat(seconds).isGreaterThan(0).isLessThan(30);
            // every bound pod took at most the time since the test began, and all 3 are in the +Inf bucket
            assertThat(sample(text, "scheduler_pod_scheduling_duration_seconds_bucket", "le=\"+Inf\"")).isEqualTo(3);
            assertThat(sample(text, "scheduler_pod_scheduling_duration_seconds_count")).isEqualTo(3);
            assertThat(sample(text, "scheduler_pending_pods", "queue=\"unschedulable\"")
                    + sample(text, "scheduler_pending_pods", "queue=\"backoff\"")
                    + sample(text, "scheduler_pending_pods", "queue=\"active\"")).isEqualTo(1);
            assertThat(sample(text, "scheduler_pending_pods", "queue=\"gated\"")).isZero();
            // sampled at 100% here: the too-big pod was rejected by NodeResourcesFit on both of our nodes
            assertThat(sample(text, "scheduler_plugin_execution_duration_seconds_count", "plugin=\"NodeResourcesFit\"",
                    "extension_point=\"Filter\"", "status=\"Unschedulable\"")).isGreaterThanOrEqualTo(2);
            assertThat(sample(text, "scheduler_plugin_execution_duration_seconds_count", "plugin=\"DefaultBinder\"",
                    "extension_point=\"Bind\"", "status=\"Success\"")).isEqualTo(3);
            // the too-big pod fits nowhere, so DefaultPreemption tried (and found no victims: nothing was preempted)
            assertThat(sample(text, "scheduler_preemption_attempts_total")).isGreaterThanOrEqualTo(1);
            assertThat(text).contains("# TYPE scheduler_preemption_victims histogram");
        });
    }

    @Test
    void simulateExplainsEveryNodeWithoutBinding() throws Exception {
        String yaml = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: what-if
                  namespace: %s
                spec:
                  schedulerName: %s
                  containers:
                  - name: c
                    image: nginx
                    resources:
                      requests:
                        cpu: "3"
                """.formatted(NS, SCHEDULER_NAME);
        HttpResponse<String> r = post("/simulate", "application/yaml", yaml);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode body = Codecs.json().readTree(r.body());
        assertThat(body.path("profile").asString()).isEqualTo(SCHEDULER_NAME);
        JsonNode small = null;
        JsonNode large = null;
        for (JsonNode n : body.path("nodes")) {
            if (SMALL.equals(n.path("name").asString())) {
                small = n;
            } else if (LARGE.equals(n.path("name").asString())) {
                large = n;
            }
        }
        assertThat(small).isNotNull();
        assertThat(large).isNotNull();
        assertThat(small.path("feasible").asBoolean()).isFalse();
        assertThat(small.path("filteredBy").asString()).isEqualTo("NodeResourcesFit");
        assertThat(small.path("reasons").get(0).asString()).isEqualTo("Insufficient cpu");
        assertThat(large.path("feasible").asBoolean()).isTrue();
        assertThat(body.path("totalNodes").asInt()).isEqualTo(body.path("nodes").size());
        // nothing was created or bound
        try {
            client.resources(Pod.class).get(NS, "what-if").block(WAIT);
            throw new AssertionError("the simulated pod must not exist");
        } catch (ApiStatusException.NotFound expected) {
            // as it should be
        }

        // A bare PodSpec as JSON, without a content type a browser would not send
        HttpResponse<String> spec = post("/simulate", "application/json",
                "{\"schedulerName\":\"" + SCHEDULER_NAME + "\",\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}");
        assertThat(spec.statusCode()).as(spec.body()).isEqualTo(200);
        assertThat(Codecs.json().readTree(spec.body()).path("feasibleNodes").asInt()).isGreaterThanOrEqualTo(2);

        HttpResponse<String> bad = post("/simulate", "application/yaml", "kind: Pod\nspec: [");
        assertThat(bad.statusCode()).isEqualTo(400);
        JsonNode status = Codecs.json().readTree(bad.body());
        assertThat(status.path("kind").asString()).isEqualTo("Status");
        assertThat(status.path("reason").asString()).isEqualTo("BadRequest");

        HttpResponse<String> unknown = post("/simulate", "application/json",
                "{\"kind\":\"Pod\",\"spec\":{\"schedulerName\":\"nobody-" + RUN + "\",\"containers\":[{\"name\":\"c\","
                        + "\"image\":\"x\"}]}}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(Codecs.json().readTree(unknown.body()).path("reason").asString()).isEqualTo("NotFound");

        HttpResponse<String> empty = post("/simulate", "application/json", "");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(Codecs.json().readTree(empty.body()).path("kind").asString()).isEqualTo("Status");
    }
}
