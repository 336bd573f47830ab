package io.kube4j.cli.commands.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.node.agent.NodeAgentHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    void execFailuresReadAsKubectlsDo() {
        Path binary = Requirements.requireBinary("kubectl");
        KubectlRunner kubectl = KubectlRunner.withKubeconfig(binary, kubeconfig, dir, TIMEOUT);
        for (List<String> args : List.of(
                List.of("exec", "talker", "-n", ns, "-c", "web", "--", "sh", "-c", "echo out; exit 4"),
                List.of("exec", "nope", "-n", ns, "--", "true"))) {
            KubectlRunner.Result theirs = kubectl.kubectl(args.toArray(String[]::new));
            CliHarness.Result ours = k4j(args.toArray(String[]::new));
            assertThat(ours.code()).as("%s", args).isEqualTo(theirs.code());
            assertThat(ours.out()).as("%s", args).isEqualTo(theirs.out());
            assertThat(ours.err()).as("%s", args).isEqualTo(theirs.err());
        }
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
        try (RunningK4j k = RunningK4j.start(kubeconfig, "logs", "-f", "talker", "-n", ns, "-c", "app", "--tail=1")) {
            await().atMost(TIMEOUT).until(() -> {
                assertThat(k.code()).as("stderr: %s", k.err()).isNull();
                return k.out().lines().count() >= 2;
            });
            long seen = k.out().lines().count();
            // the container prints a line every 200 ms: more arrive while k4j follows
            await().atMost(Duration.ofSeconds(10)).until(() -> k.out().lines().count() >= seen + 3);
            assertThat(k.out().lines()).allMatch(l -> l.matches("line \\d+"));
            assertThat(k.code()).isNull();
        }
    }

    @Test
    void interactiveExecThroughAPseudoTerminal() throws Exception {
        Path script = Path.of("/usr/bin/script");
        Requirements.require(Files.isExecutable(script), "script(1) (bsdutils) is needed to give k4j a pty");
        String cmd = "stty cols 123 rows 45; " + K4jProcess.java() + " -XX:TieredStopAtLevel=1 -jar " + K4jProcess.jar()
                + " exec -it talker -n " + ns + " -c web -- sh";
        try (K4jProcess p = K4jProcess.startCommand(dir, kubeconfig, List.of(script.toString(), "-qec", cmd, "/dev/null"))) {
            // busybox sh's prompt once the remote shell runs on its pty (a JVM start on a loaded machine is slow)
            await().atMost(Duration.ofMinutes(3)).until(() -> {
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
        try (RunningK4j k = RunningK4j.start(kubeconfig, "attach", "-i", "talker", "-n", ns, "-c", "echo")) {
            k.type("hello attach\n");
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(k.out()).as("stderr: %s", k.err())
                    .contains("got hello attach"));
            assertThat(k.err()).isEqualTo("If you don't see a command prompt, try pressing enter.\n");
        }
    }

    @Test
    void cpCopiesAFileBothWays() throws Exception {
        Path local = dir.resolve("big-local.txt");
        Files.writeString(local, BIG);
        k4j("cp", local.toString(), "talker:/tmp/big-copy.txt", "-n", ns, "-c", "web").ok();
        assertThat(k4j("exec", "talker", "-n", ns, "-c", "web", "--", "cat", "/tmp/big-copy.txt").ok().out())
                .isEqualTo(BIG);
        Path back = dir.resolve("big-back.txt");
        CliHarness.Result r = k4j("cp", ns + "/talker:/tmp/big-copy.txt", back.toString(), "-c", "web").ok();
        assertThat(r.err()).isEmpty();
        assertThat(Files.readString(back)).isEqualTo(BIG);
    }

    @Test
    void cpCopiesADirectoryIntoAnExistingOne() throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("sub"));
        Files.writeString(tree.resolve("a.txt"), "a\n");
        Files.writeString(tree.resolve("sub/b.txt"), BIG);
        k4j("exec", "talker", "-n", ns, "-c", "web", "--", "mkdir", "-p", "/tmp/into").ok();
        // an existing remote directory receives the source under its own name, as with kubectl
        k4j("cp", tree.toString(), "talker:/tmp/into", "-n", ns, "-c", "web").ok();
        assertThat(k4j("exec", "talker", "-n", ns, "-c", "web", "--", "cat", "/tmp/into/tree/a.txt").ok().out())
                .isEqualTo("a\n");
        Path back = dir.resolve("tree-back");
        k4j("cp", "talker:/tmp/into/tree", back.toString(), "-n", ns, "-c", "web").ok();
        assertThat(Files.readString(back.resolve("a.txt"))).isEqualTo("a\n");
        assertThat(Files.readString(back.resolve("sub/b.txt"))).isEqualTo(BIG);
    }

    @Test
    void cpOfAMissingRemoteFileFails() {
        CliHarness.Result r = k4j("cp", "talker:/nope/missing", dir.resolve("x").toString(), "-n", ns, "-c", "web");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("No such file or directory");
        assertThat(Files.exists(dir.resolve("x"))).isFalse();
    }

    @Test
    void cpNeedsExactlyOneRemoteEnd() {
        CliHarness.Result r = k4j("cp", "a", "b");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: one of src or dest must be a local file specification\n");
    }

    @Test
    void portForwardCarriesConnectionsBothWays() throws Exception {
        try (RunningK4j k = RunningK4j.start(kubeconfig, "port-forward", "-n", ns, "pod/talker", ":8080")) {
            Pattern forwarding = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> 8080");
            String[] port = new String[1];
            await().atMost(TIMEOUT).until(() -> {
                assertThat(k.code()).as("stderr: %s", k.err()).isNull();
                Matcher m = forwarding.matcher(k.out());
                return m.find() && (port[0] = m.group(1)) != null;
            });
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            for (String path : List.of("/index.html", "/big.txt", "/index.html")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port[0] + path))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path).isEqualTo(200);
                assertThat(r.body()).isEqualTo(path.equals("/big.txt") ? BIG : "hello from the pod\n");
            }
            assertThat(k.out()).contains("Handling connection for " + port[0]);
            assertThat(k.code()).as("stderr: %s", k.err()).isNull();
        }
    }
}
