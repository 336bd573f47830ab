package io.kube4j.apiserver.compat;

import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.KubectlRunner.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real kubectl against a real kube4j apiserver. {@code kubectl} is a dispatcher that runs the versioned binary
 * matching the server's /version minor; other versions are called directly from {@link KubectlRunner#VERSIONED_DIR}.
 */
class KubectlIT {

    private static final String NS = "compat-kubectl";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static KubectlRunner kubectl;
    private static ApiClient api;

    @BeforeAll
    static void setUp() throws IOException {
        ApiServerInstance server = ApiServerInstance.shared();
        api = server.client();
        kubectl = KubectlRunner.forNamespace(server, NS, dir, COMMAND_TIMEOUT);
    }

    private static Result kubectl(String... args) {
        return kubectl.kubectl(args);
    }

    private static String read(Path f) {
        return KubectlRunner.read(f);
    }

    @Test
    void getNamespaces() {
        Result r = kubectl("get", "ns").ok();
        assertThat(r.out()).contains("NAME").contains(NS).contains("default").contains("kube-system");
        assertThat(api.get("/api/v1/namespaces/" + NS).code()).isEqualTo(200);
    }

    @Test
    void applyGetAndDeleteAMultiDocumentFile() throws IOException {
        Path file = dir.resolve("app.yaml");
        Files.writeString(file, """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: app-config
                data:
                  greeting: hello
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: app
                  labels: {app: app}
                spec:
                  replicas: 2
                  selector:
                    matchLabels: {app: app}
                  template:
                    metadata:
                      labels: {app: app}
                    spec:
                      containers:
                      - name: web
                        image: nginx:1.27
                        ports:
                        - containerPort: 80
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: app
                spec:
                  selector: {app: app}
                  ports:
                  - port: 80
                    targetPort: 80
                """);
        Result applied = kubectl("apply", "-f", file.toString()).ok();
        assertThat(applied.out()).contains("configmap/app-config created", "deployment.apps/app created", "service/app created");
        JsonNode cm = api.get("/api/v1/namespaces/" + NS + "/configmaps/app-config").json();
        assertThat(cm.path("data").path("greeting").asString()).isEqualTo("hello");
        assertThat(cm.path("metadata").path("annotations").has("kubectl.kubernetes.io/last-applied-configuration")).isTrue();
        JsonNode svc = api.get("/api/v1/namespaces/" + NS + "/services/app").json();
        assertThat(svc.path("spec").path("clusterIP").asString()).isNotEmpty();

        Result yaml = kubectl("get", "deploy", "-o", "yaml").ok();
        JsonNode list = Codecs.readYamlDocuments(yaml.out()).get(0);
        assertThat(list.path("kind").asString()).isEqualTo("List");
        assertThat(list.path("items")).hasSize(1);
        JsonNode d = list.path("items").get(0);
        assertThat(d.path("apiVersion").asString()).isEqualTo("apps/v1");
        assertThat(d.path("kind").asString()).isEqualTo("Deployment");
        assertThat(d.path("metadata").path("name").asString()).isEqualTo("app");
        assertThat(d.path("metadata").path("namespace").asString()).isEqualTo(NS);
        assertThat(d.path("metadata").path("uid").asString()).isNotEmpty();
        assertThat(d.path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(d.path("spec").path("template").path("spec").path("containers").get(0).path("image").asString())
                .isEqualTo("nginx:1.27");
        assertThat(d.path("spec").path("strategy").path("type").asString()).as("defaulted").isEqualTo("RollingUpdate");

        Result deleted = kubectl("delete", "-f", file.toString()).ok();
        assertThat(deleted.out()).contains("configmap \"app-config\" deleted", "deployment.apps \"app\" deleted",
                "service \"app\" deleted");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(api.get("/api/v1/namespaces/" + NS + "/configmaps/app-config").code()).isEqualTo(404);
            assertThat(api.get("/apis/apps/v1/namespaces/" + NS + "/deployments/app").code()).isEqualTo(404);
            assertThat(api.get("/api/v1/namespaces/" + NS + "/services/app").code()).isEqualTo(404);
        });
    }

    private static String podJson(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"w\":\"1\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1.36\"}]}}";
    }

    @Test
    void getPodsWatchShowsAPodComingAndGoing() {
        // A pod that exists before: once kubectl prints it, the list is done and the watch starts from its
        // resourceVersion, so nothing created afterwards can be missed.
        assertThat(api.post("/api/v1/namespaces/" + NS + "/pods", podJson("sentinel")).code()).isEqualTo(201);
        Process watch = kubectl.startKubectl("get", "pods", "-l", "w=1", "-w");
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(read(kubectl.out(watch))).contains("sentinel"));
            assertThat(api.post("/api/v1/namespaces/" + NS + "/pods", podJson("watched")).code()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(read(kubectl.out(watch))).contains("watched"));
            assertThat(api.delete("/api/v1/namespaces/" + NS + "/pods/watched").code()).isEqualTo(200);
            assertThat(api.get("/api/v1/namespaces/" + NS + "/pods/watched").code()).isEqualTo(404);
            // ADDED and DELETED: one line each
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(read(kubectl.out(watch)).lines().filter(l -> l.startsWith("watched")).count()).isGreaterThanOrEqualTo(2));
            assertThat(watch.isAlive()).as("kubectl get -w keeps watching; stderr: %s", read(kubectl.err(watch))).isTrue();
        } finally {
            watch.destroy();
            api.delete("/api/v1/namespaces/" + NS + "/pods/sentinel");
        }
    }

    @Test
    void deleteOfAnUnboundPodReturnsPromptly() {
        assertThat(api.post("/api/v1/namespaces/" + NS + "/pods", podJson("doomed")).code()).isEqualTo(201);
        Result r = kubectl("delete", "pod", "doomed").ok();
        assertThat(r.out()).contains("pod \"doomed\" deleted");
        assertThat(api.get("/api/v1/namespaces/" + NS + "/pods/doomed").code()).isEqualTo(404);
    }

    /**
     * {@code kubectl autoscale} (1.31, the dispatcher's) creates an autoscaling/v1 HorizontalPodAutoscaler, which
     * kube4j stores as v2; {@code kubectl get hpa} reads it back. (kubectl 1.32 and 1.33 create it as v2 in protobuf
     * only, which kube4j does not decode: they get a 415.)
     */
    @Test
    void autoscaleCreatesAHorizontalPodAutoscaler() {
        String name = "autoscaled";
        assertThat(api.post("/apis/apps/v1/namespaces/" + NS + "/deployments", """
                {"metadata":{"name":"%s"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"%s"}},
                 "template":{"metadata":{"labels":{"app":"%s"}},"spec":{"schedulerName":"none",
                 "containers":[{"name":"c","image":"busybox:1.36"}]}}}}""".formatted(name, name, name)).code())
                .isEqualTo(201);
        try {
            assertThat(kubectl("autoscale", "deployment", name, "--min=1", "--max=4", "--cpu-percent=60").ok()
                    .out()).contains("horizontalpodautoscaler.autoscaling/" + name + " autoscaled");

            JsonNode stored = api.get("/apis/autoscaling/v2/namespaces/" + NS + "/horizontalpodautoscalers/" + name)
                    .json();
            assertThat(stored.at("/spec/maxReplicas").asInt()).isEqualTo(4);
            assertThat(stored.at("/spec/metrics/0/resource/target/averageUtilization").asInt()).isEqualTo(60);
            String got = kubectl("get", "hpa", name).ok().out();
            assertThat(got).contains("TARGETS").contains(name).contains("/60%");
            assertThat(kubectl("delete", "hpa", name).ok().out()).contains("deleted");
        } finally {
            // the namespace is shared: other tests list its Deployments
            api.delete("/apis/apps/v1/namespaces/" + NS + "/deployments/" + name);
        }
    }

    /**
     * The dispatcher picks the binary for the server's minor (1.31); these talk to kube4j with the other clients of
     * the supported skew (±3 minors of the advertised 1.31): apply, create -f, get, patch and delete. kubectl 1.28
     * validates with OpenAPI v2 in protobuf only, which kube4j does not serve: it applies with --validate=false.
     */
    @ParameterizedTest
    @ValueSource(strings = {"1.28", "1.29", "1.30", "1.32", "1.33"})
    void otherKubectlVersionsCreateAndReadBack(String version) throws IOException {
        KubectlRunner versioned = kubectl.versioned(version);
        String name = "cm-" + version.replace('.', '-');
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: %s
                data:
                  version: "%s"
                """.formatted(name, version));
        assertThat(versioned.kubectl("version", "--client", "-o", "json").ok().out()).contains("\"minor\": \"" + version.substring(2));
        String validate = version.equals("1.28") ? "--validate=false" : "--validate=true";
        assertThat(versioned.kubectl("apply", validate, "-f", file.toString()).ok().out()).contains("configmap/" + name + " created");
        assertThat(api.get("/api/v1/namespaces/" + NS + "/configmaps/" + name).json().path("data").path("version").asString())
                .isEqualTo(version);
        JsonNode got = Codecs.json().readTree(versioned.kubectl("get", "configmap", name, "-o", "json").ok().out());
        assertThat(got.path("data").path("version").asString()).isEqualTo(version);
        assertThat(versioned.kubectl("patch", "configmap", name, "-p", "{\"data\":{\"patched\":\"yes\"}}").ok().out())
                .contains("configmap/" + name + " patched");
        assertThat(api.get("/api/v1/namespaces/" + NS + "/configmaps/" + name).json().path("data").path("patched").asString())
                .isEqualTo("yes");
        Path second = dir.resolve(name + "-b.yaml");
        Files.writeString(second, Files.readString(file).replace("name: " + name, "name: " + name + "-b"));
        assertThat(versioned.kubectl("create", validate, "-f", second.toString()).ok().out())
                .contains("configmap/" + name + "-b created");
        assertThat(versioned.kubectl("delete", "configmap", name, name + "-b").ok().out()).contains("deleted");
        assertThat(api.get("/api/v1/namespaces/" + NS + "/configmaps/" + name).code()).isEqualTo(404);
        assertThat(api.get("/api/v1/namespaces/" + NS + "/configmaps/" + name + "-b").code()).isEqualTo(404);
    }
}
