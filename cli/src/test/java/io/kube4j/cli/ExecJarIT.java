package io.kube4j.cli;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.cli.testsupport.CliHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The exec jar as a process, as scripts and people run it: exit codes, stdout/stderr separation, help, arguments with
 * spaces; and the interactive shell in a real pty (tmux), completing the names of live pods.
 */
class ExecJarIT {

    private static final String NS = "exec-jar-it";
    private static ApiServerInstance apiserver;
    private static Path kubeconfig;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
    }

    @AfterAll
    static void cleanUp() {
        apiserver.client(apiserver.pki().admin()).delete("/api/v1/namespaces/" + NS);
    }

    record Proc(int code, String out, String err) {
    }

    private static Proc k4j(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-XX:TieredStopAtLevel=1", "-jar",
                CliHarness.execJar().toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", dir.toString());
        pb.environment().remove("KUBECONFIG");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null")));
        Process p = pb.start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("k4j finished").isTrue();
        return new Proc(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void oneShotExitCodesAndStreams() throws Exception {
        Map<String, String> env = Map.of("KUBECONFIG", kubeconfig.toString());
        Proc ok = k4j(env, "version");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).startsWith("Client Version: k4j").contains("Server Version: v1.");
        assertThat(ok.err()).isEmpty();

        Proc missing = k4j(env, "get", "pods", "nope", "-n", "default");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).isEqualTo("Error from server (NotFound): pods \"nope\" not found\n");

        Proc usage = k4j(env, "version", "--bogus");
        assertThat(usage.code()).isEqualTo(1);
        assertThat(usage.out()).isEmpty();
        assertThat(usage.err()).contains("Unknown option: '--bogus'").contains("See 'k4j version -h'");

        Proc unknown = k4j(env, "frobnicate");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("error: unknown command \"frobnicate\" for \"k4j\"\n"
                + "Run 'k4j --help' for usage.\n");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void helpAndArgumentsWithSpaces() throws Exception {
        Proc help = k4j(Map.of(), "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Commands:").contains("config view").contains("cluster status");
        Proc cmdHelp = k4j(Map.of(), "config", "set-context", "-h");
        assertThat(cmdHelp.code()).isZero();
        assertThat(cmdHelp.out()).startsWith("Set a context entry in kubeconfig").contains("--current");

        Path kc = dir.resolve("spaces.yaml");
        Files.writeString(kc, "apiVersion: v1\nkind: Config\n");
        Map<String, String> env = Map.of("KUBECONFIG", kc.toString());
        Proc set = k4j(env, "config", "set-context", "my context", "--cluster", "a cluster", "--namespace", "team");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).isEqualTo("Context \"my context\" created.\n");
        Proc list = k4j(env, "config", "get-contexts", "-o", "name");
        assertThat(list.out()).isEqualTo("my context\n");
        assertThat(Files.readString(kc)).contains("cluster: a cluster");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void theInteractiveShellCompletesLivePodNamesInAPty() throws Exception {
        Requirements.requireBinary("tmux");
        ApiClient api = apiserver.client(apiserver.pki().admin());
        api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}");
        api.post("/api/v1/namespaces/" + NS + "/serviceaccounts", "{\"metadata\":{\"name\":\"default\"}}");
        for (String name : List.of("tmux-web-1", "tmux-web-2")) {
            ApiClient.Response r = api.post("/api/v1/namespaces/" + NS + "/pods", "{\"metadata\":{\"name\":\"" + name
                    + "\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}");
            assertThat(r.code()).as(r.body()).isEqualTo(201);
        }
        String session = "k4j-it-" + ProcessHandle.current().pid();
        String cmd = "HOME=" + dir + " KUBECONFIG=" + kubeconfig + " " + javaBin() + " -XX:TieredStopAtLevel=1 -jar "
                + CliHarness.execJar().toAbsolutePath();
        tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "50", cmd);
        try {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
                    .until(() -> pane(session).contains("k4j ("));
            assertThat(pane(session)).contains("k4j (").contains(":default)>");
            tmux("send-keys", "-t", session, "get pods -n " + NS + " tmux", "Tab");
            await().atMost(Duration.ofSeconds(30)).until(() -> pane(session).contains("tmux-web-"));
            tmux("send-keys", "-t", session, "Tab");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(pane(session)).contains("tmux-web-1").contains("tmux-web-2"));
            // a namespace switch shows in the next prompt; exit leaves
            tmux("send-keys", "-t", session, "C-u", "config set-context --current --namespace=" + NS, "Enter");
            await().atMost(Duration.ofSeconds(30)).until(() -> pane(session).contains(":" + NS + ")>"));
            tmux("send-keys", "-t", session, "exit", "Enter");
            await().atMost(Duration.ofSeconds(30)).until(() -> !sessionAlive(session));
        } finally {
            if (sessionAlive(session)) {
                tmux("kill-session", "-t", session);
            }
        }
    }

    private static boolean sessionAlive(String session) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tmux", "has-session", "-t", session).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    private static String pane(String session) throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-t", session);
    }

    private static String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
