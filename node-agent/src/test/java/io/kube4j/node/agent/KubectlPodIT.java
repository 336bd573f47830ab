package io.kube4j.node.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "done when", end to end: a pod created with a nodeName runs on Docker under the real node agent, and
 * the real kubectl reads its status, logs (following), execs into it (with a pty) and port-forwards to it, through
 * the apiserver's pods/log, pods/exec and pods/portforward proxies to the agent's node API.
 */
class KubectlPodIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static NodeAgentHarness node;
    private static KubectlRunner kubectl;
    private static Pod pod;

    @BeforeAll
    static void start() throws Exception {
        Path binary = Requirements.requireBinary("kubectl");
        node = NodeAgentHarness.docker("kubectl");
        kubectl = new KubectlRunner(binary, ApiServerInstance.shared().url(), node.namespace(), dir, TIMEOUT);
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
                    command: [sh, -c, 'mkdir -p /www && echo hello from the pod > /www/index.html && exec httpd -f -p 8080 -h /www']
                """.replace("IMAGE", node.busyboxImage()));
        node.awaitPhase(pod, "Running");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void getShowsTheNodeReadyAndThePodRunning() {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            // (server-side Tables, and so the STATUS column, come with the kubectl-compatibility issue)
            KubectlRunner.Result nodes = kubectl.kubectl("get", "node", node.nodeName(), "-o",
                    "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}").ok();
            assertThat(nodes.out()).isEqualTo("True");
            KubectlRunner.Result pods = kubectl.kubectl("get", "pod", "talker", "-o",
                    "jsonpath={.status.phase} {.status.podIP} {.spec.nodeName}").ok();
            assertThat(pods.out()).startsWith("Running " + node.podCidrPrefix()).endsWith(node.nodeName());
        });
    }

    @Test
    void logsAndLogsFollow() throws Exception {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            KubectlRunner.Result r = kubectl.kubectl("logs", "talker", "-c", "app", "--tail=2").ok();
            assertThat(r.out().split("\n")).hasSize(2).allMatch(l -> l.startsWith("line "));
        });
        Process p = kubectl.start(null, kubectl.kubectl().toString(), "logs", "-f", "talker", "-c", "app", "--tail=1");
        try {
            await().atMost(TIMEOUT).until(() -> KubectlRunner.read(kubectl.out(p)).split("\n").length >= 6);
            assertThat(p.isAlive()).isTrue();
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void execPassesOutputAndTheExitCodeAndWorksThroughAPty() {
        KubectlRunner.Result r = kubectl.kubectl("exec", "talker", "-c", "web", "--", "sh", "-c",
                "echo out; echo err >&2; exit 3");
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).contains("err");

        Path script = Path.of("/usr/bin/script");
        Requirements.require(Files.isExecutable(script), "script(1) (bsdutils) is needed to give kubectl a pty");
        String cmd = "stty cols 123 rows 45; " + kubectl.kubectl() + " --kubeconfig " + kubectl.kubeconfig()
                + " exec -it talker -c web -- sh -c 'tty && hostname && echo interactive'";
        KubectlRunner.Result it = kubectl.run(KubectlRunner.OPEN_STDIN, script.toString(), "-qec", cmd, "/dev/null");
        assertThat(it.code()).as(it.out() + it.err()).isZero();
        assertThat(it.out()).contains("/dev/pts/").contains("talker").contains("interactive");
    }

    @Test
    void portForwardReachesThePod() throws Exception {
        Process p = kubectl.start(null, kubectl.kubectl().toString(), "port-forward", "pod/talker", ":8080");
        try {
            Pattern forwarding = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> 8080");
            String[] port = new String[1];
            await().atMost(TIMEOUT).until(() -> {
                Matcher m = forwarding.matcher(KubectlRunner.read(kubectl.out(p)));
                if (m.find()) {
                    port[0] = m.group(1);
                    return true;
                }
                assertThat(p.isAlive()).as(KubectlRunner.read(kubectl.err(p))).isTrue();
                return false;
            });
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port[0]
                    + "/index.html")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello from the pod\n");
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
