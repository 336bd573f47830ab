package io.kube4j.gateway.streaming;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.KubectlRunner.Result;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import io.kube4j.node.agent.NodeAgentHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real kubectl (admin client certificate, kubeconfig pointing at the gateway) through the gateway to a secure
 * apiserver: the foundation issue's scenario (namespace, apply of a ConfigMap/Deployment/Service manifest, get as
 * JSON and jsonpath, label, patch, {@code get -w}, delete) and, against a real container of a node agent on Docker,
 * {@code logs -f}, {@code exec} (exit code, stdin, {@code -it} in a pseudo-terminal), {@code attach} and {@code port-forward} in both
 * directions. Every request kubectl makes passes the gateway: it authenticates the certificate and forwards the
 * identity in the front-proxy headers, WebSocket upgrades included.
 */
class GatewayKubectlIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** A file the web container serves, larger than one WebSocket frame or tunnel buffer. */
    private static final String BIG = IntStream.rangeClosed(1, 40000).mapToObj(Integer::toString)
            .collect(Collectors.joining("\n", "", "\n"));

    @TempDir
    static Path dir;
    private static NodeAgentHarness node;
    private static ApiServerInstance apiserver;
    private static TestPki pki;
    private static GatewayInstance gateway;
    private static KubectlRunner kubectl;
    private static ApiClient direct;
    private static Pod pod;
    private static String podNs;

    @BeforeAll
    static void start() {
        Path binary = Requirements.requireBinary("kubectl");
        node = NodeAgentHarness.docker("gateway");
        apiserver = ApiServerInstance.secureShared();
        pki = apiserver.pki();
        direct = apiserver.client(pki.admin());
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()));
        kubectl = KubectlRunner.withKubeconfig(binary, gateway.kubeconfig(pki.admin()), dir, TIMEOUT);
        podNs = node.namespace();
        // the node agent writes through the development apiserver on the same etcd; kubectl goes through the
        // gateway to the secure one
        pod = node.createPod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: talker}
                spec:
                  containers:
                  - name: app
                    image: IMAGE
                    command: [sh, -c, 'i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done']
                  - name: web
                    image: IMAGE
                    command: [sh, -c, 'mkdir -p /www && echo hello from the pod > /www/index.html && seq 1 40000 > /www/big.txt && exec httpd -f -p 8080 -h /www']
                  - name: echo
                    image: IMAGE
                    stdin: true
                    command: [sh, -c, 'while read l; do echo "got $l"; done']
                """.replace("IMAGE", node.busyboxImage()));
        node.awaitPhase(pod, "Running");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private static Result kubectl(String... args) {
        return kubectl.kubectl(args);
    }

    private static String read(Path f) {
        return KubectlRunner.read(f);
    }

    @Test
    void foundationScenario() throws Exception {
        String ns = "gw-kubectl-" + UUID.randomUUID().toString().substring(0, 6);
        assertThat(kubectl("create", "namespace", ns).ok().out()).contains("namespace/" + ns + " created");
        try {
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
            assertThat(kubectl("apply", "-n", ns, "-f", file.toString()).ok().out())
                    .contains("configmap/app-config created", "deployment.apps/app created", "service/app created");
            // what kubectl created is what the apiserver has, with the gateway-forwarded user as its manager
            JsonNode d = Codecs.json().readTree(kubectl("get", "deployment", "app", "-n", ns, "-o", "json").ok().out());
            assertThat(d.path("spec").path("replicas").asInt()).isEqualTo(2);
            assertThat(d.path("spec").path("strategy").path("type").asString()).isEqualTo("RollingUpdate");
            assertThat(kubectl("get", "service", "app", "-n", ns, "-o", "jsonpath={.spec.clusterIP}").ok().out())
                    .isNotBlank();
            assertThat(kubectl("get", "configmap", "app-config", "-n", ns, "-o", "jsonpath={.data.greeting}").ok().out())
                    .isEqualTo("hello");

            assertThat(kubectl("label", "configmap", "app-config", "-n", ns, "tier=front").ok().out())
                    .contains("configmap/app-config labeled");
            assertThat(direct.get("/api/v1/namespaces/" + ns + "/configmaps/app-config").json()
                    .at("/metadata/labels/tier").asString()).isEqualTo("front");
            assertThat(kubectl("patch", "deployment", "app", "-n", ns, "--type=merge", "-p",
                    "{\"spec\":{\"replicas\":3}}").ok().out()).contains("deployment.apps/app patched");
            assertThat(direct.get("/apis/apps/v1/namespaces/" + ns + "/deployments/app").json()
                    .at("/spec/replicas").asInt()).isEqualTo(3);
            assertThat(kubectl("scale", "deployment", "app", "-n", ns, "--replicas=1").ok().out()).contains("scaled");

            // get -w: lists, then watches through the gateway; an object created afterwards shows up
            Process watch = kubectl.startKubectl("get", "configmaps", "-n", ns, "-w");
            try {
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(read(kubectl.out(watch))).contains("app-config"));
                kubectl("create", "configmap", "watched", "-n", ns, "--from-literal=k=v").ok();
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                        assertThat(read(kubectl.out(watch))).contains("watched"));
                assertThat(watch.isAlive()).as("get -w keeps watching: %s", read(kubectl.err(watch))).isTrue();
            } finally {
                watch.destroy();
                watch.waitFor(10, TimeUnit.SECONDS);
            }

            assertThat(kubectl("delete", "-n", ns, "-f", file.toString()).ok().out())
                    .contains("configmap \"app-config\" deleted", "deployment.apps \"app\" deleted", "service \"app\" deleted");
            assertThat(direct.get("/api/v1/namespaces/" + ns + "/configmaps/app-config").code()).isEqualTo(404);
        } finally {
            kubectl("delete", "namespace", ns, "--wait=false");
        }
    }

    @Test
    void logsFollowStreamsThroughTheGateway() throws Exception {
        Process p = kubectl.startKubectl("logs", "-f", "talker", "-n", podNs, "-c", "app", "--tail=1");
        try {
            // the container writes a line every 200 ms: they keep arriving while kubectl follows
            await().atMost(TIMEOUT).until(() -> read(kubectl.out(p)).lines().count() >= 3);
            long seen = read(kubectl.out(p)).lines().count();
            await().atMost(Duration.ofSeconds(10)).until(() -> read(kubectl.out(p)).lines().count() >= seen + 5);
            assertThat(read(kubectl.out(p)).lines()).allMatch(l -> l.startsWith("line "));
            assertThat(p.isAlive()).as(read(kubectl.err(p))).isTrue();
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void execPassesOutputStderrAndTheExitCode() {
        Result r = kubectl("exec", "talker", "-n", podNs, "-c", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).contains("err");
    }

    @Test
    void execWithStdinCarriesInputBothWays() throws Exception {
        Path input = dir.resolve("input.txt");
        Files.writeString(input, BIG);
        Result r = kubectl.run(input, kubectl.kubectl().toString(), "exec", "-i", "talker", "-n", podNs, "-c", "web",
                "--", "sh", "-c", "cat; echo done");
        assertThat(r.code()).as(r.err()).isZero();
        // 229 KB of stdin went through the gateway and came back on stdout
        assertThat(r.out()).startsWith(BIG);
    }

    @Test
    void theEndOfAnExecsOutputIsNotLostAtTheClose() throws Exception {
        Path input = dir.resolve("input.txt");
        Files.writeString(input, BIG);
        for (int i = 0; i < 3; i++) {
            Result r = kubectl.run(input, kubectl.kubectl().toString(), "exec", "-i", "talker", "-n", podNs, "-c", "web",
                    "--", "sh", "-c", "cat; echo done");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).as("attempt %d", i).isEqualTo(BIG + "done\n");
        }
    }

    @Test
    void interactiveExecThroughAPseudoTerminal() {
        Path script = Path.of("/usr/bin/script");
        Requirements.require(Files.isExecutable(script), "script(1) (bsdutils) is needed to give kubectl a pty");
        String cmd = "stty cols 123 rows 45; " + kubectl.kubectl() + " --kubeconfig " + kubectl.kubeconfig()
                + " --cache-dir " + kubectl.cacheDir() + " exec -it talker -n " + podNs
                + " -c web -- sh -c 'tty && stty size && echo interactive'";
        Result it = kubectl.run(KubectlRunner.OPEN_STDIN, script.toString(), "-qec", cmd, "/dev/null");
        assertThat(it.code()).as(it.out() + it.err()).isZero();
        assertThat(it.out()).contains("/dev/pts/").contains("interactive");
    }

    @Test
    void attachToAContainersStdinAndStdout() throws Exception {
        Process p = kubectl.start(KubectlRunner.OPEN_STDIN, kubectl.kubectl().toString(), "attach", "-i", "talker",
                "-n", podNs, "-c", "echo");
        try {
            // the container's main process reads its stdin: what kubectl sends comes back on stdout
            p.getOutputStream().write("hello attach\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(read(kubectl.out(p)))
                    .as("stderr: %s", read(kubectl.err(p))).contains("got hello attach"));
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void execAsAUserWithoutRightsIsRefusedAsThatUser() {
        KubectlRunner nobody = KubectlRunner.withKubeconfig(kubectl.kubectl(),
                gateway.kubeconfig(pki.clientCert("gw-exec-nobody")), dir, TIMEOUT);
        Result r = nobody.kubectl("exec", "talker", "-n", podNs, "-c", "web", "--", "true");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).containsIgnoringCase("forbidden").contains("gw-exec-nobody");
    }

    @Test
    void rawWebSocketExecSpeaksV5WithTheForwardedIdentity() throws Exception {
        String exec = "/api/v1/namespaces/" + podNs + "/pods/talker/exec?container=web&stdin=true&stdout=true&command=cat";
        try (ExecSession session = ExecSession.open(pki, pki.admin(), gateway.url(), exec)) {
            assertThat(session.protocol(TIMEOUT)).isEqualTo(ExecSession.V5);
            session.stdin("ping\n");
            await().atMost(TIMEOUT).until(() -> session.stdout().equals("ping\n"));
        }
    }

    @Test
    void portForwardCarriesBytesBothWays() throws Exception {
        Process p = kubectl.startKubectl("port-forward", "-n", podNs, "pod/talker", ":8080");
        try {
            Pattern forwarding = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> 8080");
            String[] port = new String[1];
            await().atMost(TIMEOUT).until(() -> {
                Matcher m = forwarding.matcher(read(kubectl.out(p)));
                if (m.find()) {
                    port[0] = m.group(1);
                    return true;
                }
                assertThat(p.isAlive()).as(read(kubectl.err(p))).isTrue();
                return false;
            });
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            for (String path : List.of("/index.html", "/big.txt", "/index.html")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port[0] + path))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path).isEqualTo(200);
                assertThat(r.body()).isEqualTo(path.equals("/big.txt") ? BIG : "hello from the pod\n");
            }
            assertThat(p.isAlive()).as(read(kubectl.err(p))).isTrue();
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
