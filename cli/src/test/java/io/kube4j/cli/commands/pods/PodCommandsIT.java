package io.kube4j.cli.commands.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.node.agent.NodeAgentHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code logs}, {@code exec}, {@code attach} and {@code cp} against real containers: a node agent on Docker, a secure
 * apiserver on etcd, k4j with the admin's kubeconfig (in this JVM, or as a process where output must be read while
 * the command runs or a pseudo-terminal is needed).
 */
class PodCommandsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Larger than one WebSocket frame (229 KB). */
    static final String BIG = IntStream.rangeClosed(1, 40000).mapToObj(Integer::toString)
            .collect(Collectors.joining("\n", "", "\n"));

    @TempDir
    static Path dir;
    private static NodeAgentHarness node;
    private static ApiServerInstance apiserver;
    private static Path kubeconfig;
    private static String ns;

    @BeforeAll
    static void start() {
        node = NodeAgentHarness.docker("k4j-pods");
        apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        ns = node.namespace();
        Pod talker = node.createPod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: talker, labels: {app: talker}}
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
        Pod second = node.createPod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: talker2, labels: {app: talker}}
                spec:
                  containers:
                  - name: app
                    image: IMAGE
                    command: [sh, -c, 'i=0; while true; do echo two $i; i=$((i+1)); sleep 0.2; done']
                """.replace("IMAGE", node.busyboxImage()));
        node.awaitPhase(talker, "Running");
        node.awaitPhase(second, "Running");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static CliHarness.Result k4j(String... args) {
        return CliHarness.shared().run(kubeconfig, args);
    }

    private static CliHarness.Result k4jWithStdin(String stdin, String... args) {
        return CliHarness.shared().run(Map.of("KUBECONFIG", kubeconfig.toString()), stdin, args);
    }

    @Test
    void execSeparatesStdoutFromStderrAndPassesTheExitCodeThrough() {
        CliHarness.Result r = k4j("exec", "talker", "-n", ns, "-c", "web", "--", "sh", "-c",
                "echo out; echo err >&2; exit 3");
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).isEqualTo("err\ncommand terminated with exit code 3\n");
    }

    @Test
    void execPipesStdinBothWaysBinarySafe() {
        CliHarness.Result r = k4jWithStdin(BIG, "exec", "-i", "talker", "-n", ns, "-c", "web", "--", "sh", "-c",
                "cat; echo done").ok();
        assertThat(r.out()).isEqualTo(BIG + "done\n");
    }

    @Test
    void execWithoutContainerUsesTheFirstAndSaysSo() {
        CliHarness.Result r = k4j("exec", "talker", "-n", ns, "--", "echo", "hi").ok();
        assertThat(r.out()).isEqualTo("hi\n");
        assertThat(r.err()).isEqualTo("Defaulted container \"app\" out of: app, web, echo\n");
    }

    @Test
    void execIntoAMissingPodIsTheServersNotFound() {
        CliHarness.Result r = k4j("exec", "nope", "-n", ns, "--", "true");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error from server (NotFound): pods \"nope\" not found\n");
    }

    @Test
    void execWithoutACommandIsAUsageError() {
        CliHarness.Result r = k4j("exec", "talker", "-n", ns);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: you must specify at least one command for the container\n");
    }

    @Test
    void logsTailOfOneContainer() {
        CliHarness.Result r = k4j("logs", "talker", "-n", ns, "-c", "app", "--tail=2").ok();
        assertThat(r.out().lines().toList()).hasSize(2).allMatch(l -> l.matches("line \\d+"));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void logsBySelectorWithPrefixes() {
        CliHarness.Result r = k4j("logs", "-l", "app=talker", "-n", ns, "-c", "app", "--tail=3", "--prefix").ok();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(6);
        assertThat(lines).filteredOn(l -> l.startsWith("[pod/talker/app] line ")).hasSize(3);
        assertThat(lines).filteredOn(l -> l.startsWith("[pod/talker2/app] two ")).hasSize(3);
    }

    @Test
    void logsOfAServicePickOneOfItsPods() {
        apiserver.client(apiserver.pki().admin()).post("/api/v1/namespaces/" + ns + "/services", """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"talkers"},
                 "spec":{"selector":{"app":"talker"},"ports":[{"port":80}]}}""");
        CliHarness.Result r = k4j("logs", "svc/talkers", "-n", ns, "-c", "app", "--tail=1").ok();
        assertThat(r.err()).matches("Found 2 pods, using pod/talker2?\n");
        assertThat(r.out()).matches("(line|two) \\d+\n");
    }

    @Test
    void logsFollowKeepsPrintingNewLines() throws Exception {
        try (K4jProcess p = K4jProcess.start(dir, kubeconfig, "logs", "-f", "talker", "-n", ns, "-c", "app", "--tail=1")) {
            await().atMost(TIMEOUT).until(() -> {
                assertThat(p.alive()).as("stderr: %s", p.err()).isTrue();
                return p.out().lines().count() >= 2;
            });
            long seen = p.out().lines().count();
            // the container prints a line every 200 ms: more arrive while k4j follows
            await().atMost(Duration.ofSeconds(10)).until(() -> p.out().lines().count() >= seen + 3);
            assertThat(p.out().lines()).allMatch(l -> l.matches("line \\d+"));
            assertThat(p.alive()).isTrue();
        }
    }

    @Test
    void interactiveExecThroughAPseudoTerminal() throws Exception {
        Path script = Path.of("/usr/bin/script");
        Requirements.require(Files.isExecutable(script), "script(1) (bsdutils) is needed to give k4j a pty");
        String cmd = "stty cols 123 rows 45; " + K4jProcess.java() + " -jar " + K4jProcess.jar()
                + " exec -it talker -n " + ns + " -c web -- sh";
        try (K4jProcess p = K4jProcess.startCommand(dir, kubeconfig, List.of(script.toString(), "-qec", cmd, "/dev/null"))) {
            // busybox sh's prompt once the remote shell runs on its pty
            await().atMost(TIMEOUT).until(() -> {
                assertThat(p.alive()).as("stdout: %s\nstderr: %s", p.out(), p.err()).isTrue();
                return p.out().contains("# ");
            });
            p.type("echo $((6*7)); stty size; tty\r");
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(p.out())
                    .containsPattern("(?m)^42\\r?$").containsPattern("(?m)^45 123\\r?$").contains("/dev/pts/"));
            p.type("exit 3\r");
            assertThat(p.waitFor(30)).as("stdout: %s", p.out()).isEqualTo(3);
        }
    }

    @Test
    void attachCarriesStdinToTheMainProcess() throws Exception {
        try (K4jProcess p = K4jProcess.start(dir, kubeconfig, "attach", "-i", "talker", "-n", ns, "-c", "echo")) {
            p.type("hello attach\n");
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(p.out()).as("stderr: %s", p.err())
                    .contains("got hello attach"));
            assertThat(p.err()).contains("If you don't see a command prompt, try pressing enter.");
        }
    }
}
