package io.kube4j.node.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.KubectlRunner.Result;
import io.kube4j.apiserver.testsupport.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with the real kubectl: kubectl → a real kube4j apiserver (pods/log, exec, portforward) → this node
 * API → real containers on Docker. The Node and the Pod are written to the apiserver by the test (the pod lifecycle
 * is not part of this test): the Node's status points at the node API, the Pod is bound to the Node, and its
 * containers are started directly on Docker with the runtime labels.
 */
class NodeApiKubectlIT {

    private static final String NS = "nodeapi-kubectl";
    private static final String POD = "talker";
    private static final String NODE = "nodeapi-kubectl-" + UUID.randomUUID().toString().substring(0, 8);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static Path kubectl;
    private static Path kubeconfig;
    private static KubectlRunner runner;
    private static final Path OPEN_STDIN = KubectlRunner.OPEN_STDIN;
    private static ApiClient api;
    private static DockerTestRuntime runtime;
    private static NodeApiServer server;

    @BeforeAll
    static void setUp() throws IOException {
        Requirements.requireDocker();
        kubectl = Requirements.requireBinary("kubectl");
        ApiServerInstance apiserver = ApiServerInstance.shared();
        api = apiserver.client();
        runner = new KubectlRunner(kubectl, apiserver.url(), NS, dir, TIMEOUT);
        kubeconfig = runner.kubeconfig();
        assertThat(api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}").code()).isIn(201, 409);

        runtime = new DockerTestRuntime(NODE);
        NodeApiFixtures.FixedPods pods = new NodeApiFixtures.FixedPods();
        server = new NodeApiServer(NodeApiFixtures.context(NODE, NodeApiFixtures.properties(Map.of()), runtime,
                dir.resolve("node")), pods);
        int port = server.start();

        assertThat(api.post("/api/v1/nodes", "{\"metadata\":{\"name\":\"" + NODE + "\"}}").code()).isEqualTo(201);
        ApiClient.Response node = api.get("/api/v1/nodes/" + NODE);
        String nodeJson = """
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"%s","resourceVersion":"%s"},
                 "status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"},{"type":"Hostname","address":"%s"}],
                           "daemonEndpoints":{"kubeletEndpoint":{"Port":%d}}}}
                """.formatted(NODE, node.json().path("metadata").path("resourceVersion").asString(), NODE, port);
        assertThat(api.put("/api/v1/nodes/" + NODE + "/status", nodeJson).code()).isEqualTo(200);

        ApiClient.Response created = api.post("/api/v1/namespaces/" + NS + "/pods", """
                {"metadata":{"name":"%s"},"spec":{"nodeName":"%s","containers":[
                  {"name":"app","image":"%s"},{"name":"web","image":"%s"}]}}
                """.formatted(POD, NODE, NodeApiTestImages.BUSYBOX, NodeApiTestImages.BUSYBOX));
        assertThat(created.code()).as(created.body()).isEqualTo(201);
        String uid = created.json().path("metadata").path("uid").asString();
        NodeApiTestImages.runContainer(NODE, uid, POD, NS, "app", 0, "sh", "-c",
                "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done");
        String web = NodeApiTestImages.runContainer(NODE, uid, POD, NS, "web", 0, "sh", "-c",
                "mkdir -p /www && echo hello from the pod > /www/index.html && exec httpd -f -p 8080 -h /www");
        String podIp = DockerTestRuntime.ip(web);
        Pod pod = Codecs.json().treeToValue(created.json(), Pod.class);
        pod.getStatus().setPodIP(podIp);
        pod.getStatus().setPhase("Running");
        ApiClient.Response withStatus = api.put("/api/v1/namespaces/" + NS + "/pods/" + POD + "/status",
                Codecs.json().writeValueAsString(pod));
        assertThat(withStatus.code()).as(withStatus.body()).isEqualTo(200);
        pods.pods.add(Codecs.json().treeToValue(withStatus.json(), Pod.class));
    }

    @AfterAll
    static void tearDown() {
        if (api != null) {
            api.delete("/api/v1/namespaces/" + NS + "/pods/" + POD + "?gracePeriodSeconds=0");
            api.delete("/api/v1/nodes/" + NODE);
        }
        if (server != null) {
            server.stop();
        }
        if (runtime != null) {
            runtime.close();
        }
        NodeApiTestImages.removeContainers(NODE);
    }

    @Test
    void logs() {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Result r = kubectl("logs", POD, "-c", "app", "--tail=2").ok();
            assertThat(r.out().split("\n")).hasSize(2).allMatch(l -> l.startsWith("line "));
        });
        // kubectl picks the first container itself; the apiserver asks for one when the request names none
        Result noContainer = kubectl("get", "--raw", "/api/v1/namespaces/" + NS + "/pods/" + POD + "/log");
        assertThat(noContainer.code()).isNotZero();
        assertThat(noContainer.err()).contains("a container name must be specified").contains("app").contains("web");
        Result badTail = kubectl("get", "--raw", "/api/v1/namespaces/" + NS + "/pods/" + POD + "/log?container=app&tailLines=x");
        assertThat(badTail.code()).isNotZero();
        assertThat(badTail.err()).contains("tailLines");
    }

    @Test
    void logsFollowStreamsUntilKubectlStops() throws Exception {
        long closedBefore = runtime.closed.get();
        Process p = start(null, kubectl.toString(), "logs", "-f", POD, "-c", "app", "--tail=1");
        try {
            await().atMost(TIMEOUT).until(() -> read(out(p)).split("\n").length >= 6);
            assertThat(p.isAlive()).isTrue();
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        // kubectl went away: the apiserver dropped its node connection and the node released the runtime stream
        await().atMost(TIMEOUT).until(() -> runtime.closed.get() > closedBefore);
    }

    @Test
    void execPassesOutputAndTheExitCode() {
        Result r = kubectl("exec", POD, "-c", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).contains("err");
        kubectl("exec", POD, "-c", "web", "--", "true").ok();
    }

    @Test
    void execWithStdin() throws IOException {
        Path input = dir.resolve("input.txt");
        Files.writeString(input, "first line\nsecond line\n");
        Result r = run(input, kubectl.toString(), "--kubeconfig", kubeconfig.toString(), "exec", "-i", POD, "-c", "web",
                "--", "sh", "-c", "cat; echo done");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("first line\nsecond line\ndone\n");
    }

    @Test
    void interactiveExecThroughAPseudoTerminal() {
        Path script = Path.of("/usr/bin/script");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(script), "script(1) is needed for a pty");
        String cmd = "stty cols 123 rows 45; " + kubectl + " --kubeconfig " + kubeconfig + " exec -it " + POD
                + " -c web -- sh -c 'tty && echo interactive'";
        // script's stdin stays open while kubectl runs, as a user's terminal would (at EOF script types a NUL)
        Result r = run(OPEN_STDIN, script.toString(), "-qec", cmd, "/dev/null");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("/dev/pts/").contains("interactive");
        // kubectl's terminal size went through the apiserver and the node API to the runtime (NodeApiServerIT
        // checks that the process then sees it; here the first resize may land after the command ran)
        assertThat(runtime.resizes).contains("123x45");
    }

    @Test
    void portForward() throws Exception {
        Process p = start(null, kubectl.toString(), "port-forward", "pod/" + POD, ":8080", "-v=6");
        try {
            Pattern forwarding = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> 8080");
            String[] port = new String[1];
            await().atMost(TIMEOUT).until(() -> {
                Matcher m = forwarding.matcher(read(out(p)));
                if (m.find()) {
                    port[0] = m.group(1);
                    return true;
                }
                assertThat(p.isAlive()).as(read(err(p))).isTrue();
                return false;
            });
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            for (int i = 0; i < 2; i++) {
                assertThat(p.isAlive()).as("kubectl port-forward exited: %s%s", read(out(p)), read(err(p))).isTrue();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port[0] + "/index.html"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("hello from the pod\n");
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void olderKubectlGetsAClearMessageForSpdy() {
        Path old = Path.of("/usr/lib/google-cloud-sdk/bin/kubectl.1.29");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(old), "kubectl 1.29 is not installed");
        Result r = run(null, old.toString(), "--kubeconfig", kubeconfig.toString(), "exec", POD, "-c", "web", "--", "true");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("SPDY is not supported: use kubectl 1.30 or later");
        Path v130 = Path.of("/usr/lib/google-cloud-sdk/bin/kubectl.1.30");
        if (Files.isExecutable(v130)) {
            Result pf = run(null, v130.toString(), "--kubeconfig", kubeconfig.toString(), "port-forward", "pod/" + POD, ":8080");
            assertThat(pf.code()).isNotZero();
            assertThat(pf.err()).contains("SPDY is not supported: use kubectl 1.31 or later");
        }
    }

    // ---------------------------------------------------------------- processes

    private static Result kubectl(String... args) {
        return runner.kubectl(args);
    }

    private static Result run(Path stdin, String... command) {
        return runner.run(stdin, command);
    }

    private static Process start(Path stdin, String... command) {
        return runner.start(stdin, command);
    }

    private static Path out(Process p) {
        return runner.out(p);
    }

    private static Path err(Process p) {
        return runner.err(p);
    }

    private static String read(Path f) {
        return KubectlRunner.read(f);
    }
}
