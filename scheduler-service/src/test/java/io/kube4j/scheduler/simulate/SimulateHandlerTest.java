package io.kube4j.scheduler.simulate;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.JsonNode;

class SimulateHandlerTest {

    private final Parallelizer parallelizer = new Parallelizer(1);
    private final Framework fw = new Framework(DefaultPlugins.profile("default-scheduler",
            new io.kube4j.scheduler.framework.BindPlugin() {
                @Override
                public String name() {
                    return "NoopBinder";
                }

                @Override
                public Status bind(CycleState state, Pod pod, String nodeName) {
                    throw new AssertionError("no binding in a simulation");
                }
            }, 0), parallelizer, new Random(1));
    private final SimulateHandler handler = new SimulateHandler(new Simulator(
            name -> "default-scheduler".equals(name) ? fw : null,
            () -> Snapshot.of(List.of(NodeInfo.of(node("a", "2", "4Gi").build()),
                    NodeInfo.of(node("b", "8", "16Gi").build())))));

    @AfterEach
    void close() {
        parallelizer.close();
    }

    private static JsonNode json(ResponseEntity<byte[]> r) {
        return Codecs.json().readTree(new String(r.getBody(), StandardCharsets.UTF_8));
    }

    @Test
    void takesAPodAsYamlAndAnswersForEveryNode() {
        ResponseEntity<byte[]> r = handler.handle("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  namespace: shop
                spec:
                  containers:
                  - name: c
                    image: nginx
                    resources:
                      limits:
                        cpu: "4"
                """);
        assertThat(r.getStatusCode().value()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.path("pod").asString()).isEqualTo("shop/web");
        // limits default the requests, as the apiserver does: 4 cpus fit only on b
        assertThat(body.path("selectedNode").asString()).isEqualTo("b");
        assertThat(body.path("nodes").size()).isEqualTo(2);
        assertThat(body.path("nodes").get(0).path("reasons").get(0).asString()).isEqualTo("Insufficient cpu");
    }

    @Test
    void takesAPodAsJsonAndABarePodSpec() {
        ResponseEntity<byte[]> pod = handler.handle("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{"
                + "\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}");
        assertThat(pod.getStatusCode().value()).isEqualTo(200);
        assertThat(json(pod).path("pod").asString()).isEqualTo("default/simulated");
        ResponseEntity<byte[]> spec = handler.handle("containers:\n- name: c\n  image: nginx\n");
        assertThat(spec.getStatusCode().value()).isEqualTo(200);
        assertThat(json(spec).path("feasibleNodes").asInt()).isEqualTo(2);
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of("empty body", "", 400, "BadRequest"),
                Arguments.of("not yaml", "{\"kind\": \"Pod\", spec: [", 400, "BadRequest"),
                Arguments.of("a scalar", "hello", 400, "BadRequest"),
                Arguments.of("two documents", "kind: Pod\n---\nkind: Pod\n", 400, "BadRequest"),
                Arguments.of("another kind", "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"spec\":{}}", 400,
                        "BadRequest"),
                Arguments.of("another apiVersion", "{\"apiVersion\":\"v2\",\"kind\":\"Pod\",\"spec\":{}}", 400,
                        "BadRequest"),
                Arguments.of("no spec", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}", 400, "BadRequest"),
                Arguments.of("bad quantity", "{\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"name\":\"c\","
                        + "\"image\":\"x\",\"resources\":{\"requests\":{\"cpu\":\"lots\"}}}]}}", 422, "Invalid"),
                Arguments.of("wrong type", "{\"kind\":\"Pod\",\"spec\":{\"containers\":\"nginx\"}}", 400,
                        "BadRequest"),
                Arguments.of("no containers", "{\"kind\":\"Pod\",\"spec\":{\"containers\":[]}}", 422, "Invalid"),
                Arguments.of("unknown scheduler", "{\"kind\":\"Pod\",\"spec\":{\"schedulerName\":\"nobody\","
                        + "\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}", 404, "NotFound"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputGetsAKubernetesStatus(String name, String body, int code, String reason) {
        ResponseEntity<byte[]> r = handler.handle(body);
        assertThat(r.getStatusCode().value()).as(name).isEqualTo(code);
        JsonNode s = json(r);
        assertThat(s.path("kind").asString()).isEqualTo("Status");
        assertThat(s.path("apiVersion").asString()).isEqualTo("v1");
        assertThat(s.path("status").asString()).isEqualTo("Failure");
        assertThat(s.path("code").asInt()).isEqualTo(code);
        assertThat(s.path("reason").asString()).isEqualTo(reason);
        assertThat(s.path("message").asString()).isNotBlank();
    }

    @Test
    void theSimulatedPodIsNotTheCallersToChange() {
        Pod p = SimulateHandler.parse("containers:\n- name: c\n  image: nginx\n");
        assertThat(p.getMetadata().getNamespace()).isEqualTo("default");
        assertThat(p.getMetadata().getUid()).isNotBlank();
        assertThat(p.getSpec().getSchedulerName()).isEqualTo("default-scheduler");
    }
}
