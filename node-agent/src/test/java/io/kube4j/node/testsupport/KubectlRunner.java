package io.kube4j.node.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real kubectl against a kube4j apiserver with a kubeconfig of its own (one namespace as the default),
 * each process's output in files under {@code dir}.
 */
public final class KubectlRunner {

    /** Marker for {@link #run}: give the process a stdin pipe that stays open until it exits. */
    public static final Path OPEN_STDIN = Path.of("/dev/stdin-open");

    private final Path kubectl;
    private final Path kubeconfig;
    private final Path dir;
    private final Duration timeout;
    private int processes;
    private final Map<Process, Integer> outputs = new ConcurrentHashMap<>();

    public record Result(int code, String out, String err) {
        public Result ok() {
            assertThat(code).as("exit code; stdout:\n%s\nstderr:\n%s", out, err).isZero();
            return this;
        }
    }

    public KubectlRunner(Path kubectl, String serverUrl, String namespace, Path dir, Duration timeout)
            throws IOException {
        this.kubectl = kubectl;
        this.dir = dir;
        this.timeout = timeout;
        this.kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: kube4j
                  cluster:
                    server: %s
                users:
                - name: admin
                  user: {}
                contexts:
                - name: kube4j
                  context: {cluster: kube4j, user: admin, namespace: %s}
                current-context: kube4j
                """.formatted(serverUrl, namespace));
    }

    public Path kubectl() {
        return kubectl;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    /** Runs kubectl with these arguments and waits for it. */
    public Result kubectl(String... args) {
        List<String> command = new ArrayList<>(List.of(kubectl.toString()));
        command.addAll(List.of(args));
        return run(null, command.toArray(String[]::new));
    }

    /** Runs a command (kubectl gets the kubeconfig added) with {@code stdin} (null: /dev/null) and waits. */
    public Result run(Path stdin, String... command) {
        Process p = start(stdin, command);
        try {
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish; stdout:\n" + read(out(p))
                        + "\nstderr:\n" + read(err(p)));
            }
            return new Result(p.exitValue(), read(out(p)), read(err(p)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts a command without waiting (kubectl gets the kubeconfig added). */
    public synchronized Process start(Path stdin, String... command) {
        List<String> c = new ArrayList<>(List.of(command));
        if (c.get(0).equals(kubectl.toString()) && !c.contains("--kubeconfig")) {
            c.addAll(1, List.of("--kubeconfig", kubeconfig.toString()));
        }
        int n = ++processes;
        try {
            Process p = new ProcessBuilder(c)
                    .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                            : stdin == OPEN_STDIN ? ProcessBuilder.Redirect.PIPE
                            : ProcessBuilder.Redirect.from(stdin.toFile()))
                    .redirectOutput(dir.resolve("out-" + n).toFile())
                    .redirectError(dir.resolve("err-" + n).toFile())
                    .start();
            outputs.put(p, n);
            return p;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + c, e);
        }
    }

    public Path out(Process p) {
        return dir.resolve("out-" + outputs.get(p));
    }

    public Path err(Process p) {
        return dir.resolve("err-" + outputs.get(p));
    }

    public static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
