package io.kube4j.apiserver.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the real kubectl against a kube4j apiserver with a kubeconfig of its own (one namespace as the default)
 * and a discovery cache of its own ({@code --cache-dir}), each process's output in files under {@code dir} (so a
 * long-running {@code logs -f}, {@code get -w} or {@code port-forward} cannot block on a full pipe).
 * {@link #withBinary} / {@link #versioned} give a runner for another kubectl binary (e.g. the versioned
 * {@code kubectl.1.29} next to the dispatcher) sharing the kubeconfig, cache and output files; {@link
 * #withRequestTimeout} adds {@code --request-timeout} to every kubectl call (not for streaming commands).
 * Shared by the kubectl ITs of apiserver-service, node-agent and controller-service (published in the test-jar).
 */
public final class KubectlRunner {

    /** Marker for {@link #run}: give the process a stdin pipe that stays open until it exits. */
    public static final Path OPEN_STDIN = Path.of("/dev/stdin-open");

    /** Where the Google Cloud SDK puts the versioned kubectl binaries ({@code kubectl.1.29}, ...). */
    public static final Path VERSIONED_DIR = Path.of("/usr/lib/google-cloud-sdk/bin");

    private final Path kubectl;
    private final Path kubeconfig;
    private final Path dir;
    private final Duration timeout;
    private final Duration requestTimeout;
    private final AtomicInteger processes;
    private final Map<Process, Integer> outputs;

    /** A finished command: exit code, stdout and stderr. */
    public record Result(int code, String out, String err) {
        /** Asserts exit code 0 (the message has both outputs) and returns this. */
        public Result ok() {
            assertThat(code).as("exit code; stdout:\n%s\nstderr:\n%s", out, err).isZero();
            return this;
        }
    }

    /**
     * The usual setup of a kubectl IT: the kubectl on PATH (the test skips without it, or fails when
     * KUBE4J_REQUIRE_ALL=1) against {@code server}, with {@code namespace} (created unless it exists) as the default,
     * {@code timeout} per command and a 30 s {@code --request-timeout}.
     */
    public static KubectlRunner forNamespace(ApiServerInstance server, String namespace, Path dir, Duration timeout)
            throws IOException {
        Path binary = Requirements.requireBinary("kubectl");
        int created = server.client().post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + namespace + "\"}}").code();
        assertThat(created).as("creating namespace %s", namespace).isIn(201, 409);
        return new KubectlRunner(binary, server.url(), namespace, dir, timeout).withRequestTimeout(Duration.ofSeconds(30));
    }

    /**
     * Writes {@code dir/kubeconfig} for {@code serverUrl} with {@code namespace} as the default; {@code timeout}
     * bounds every {@link #run}.
     */
    public KubectlRunner(Path kubectl, String serverUrl, String namespace, Path dir, Duration timeout)
            throws IOException {
        this(kubectl, dir.resolve("kubeconfig"), dir, timeout, null, new AtomicInteger(), new ConcurrentHashMap<>());
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

    private KubectlRunner(Path kubectl, Path kubeconfig, Path dir, Duration timeout, Duration requestTimeout,
            AtomicInteger processes, Map<Process, Integer> outputs) {
        this.kubectl = kubectl;
        this.kubeconfig = kubeconfig;
        this.dir = dir;
        this.timeout = timeout;
        this.requestTimeout = requestTimeout;
        this.processes = processes;
        this.outputs = outputs;
    }

    /**
     * A runner with a kubeconfig of the caller's (e.g. {@link ApiServerInstance#kubeconfig} of a secure instance:
     * HTTPS, the cluster CA, a client certificate or token); {@code dir} holds the cache and the outputs.
     */
    public static KubectlRunner withKubeconfig(Path kubectl, Path kubeconfig, Path dir, Duration timeout) {
        return new KubectlRunner(kubectl, kubeconfig, dir, timeout, null, new AtomicInteger(),
                new ConcurrentHashMap<>());
    }

    /** This runner with {@code --request-timeout} on every kubectl call (same kubeconfig, cache and files). */
    public KubectlRunner withRequestTimeout(Duration requestTimeout) {
        return new KubectlRunner(kubectl, kubeconfig, dir, timeout, requestTimeout, processes, outputs);
    }

    /** A runner of another kubectl binary with the same kubeconfig, cache, options and output files. */
    public KubectlRunner withBinary(Path binary) {
        return new KubectlRunner(binary, kubeconfig, dir, timeout, requestTimeout, processes, outputs);
    }

    /**
     * A runner of the versioned binary {@code kubectl.<version>} under {@link #VERSIONED_DIR}; skips (or fails,
     * per {@link Requirements}) the test when it is not installed.
     */
    public KubectlRunner versioned(String version) {
        Path binary = VERSIONED_DIR.resolve("kubectl." + version);
        Requirements.require(Files.isExecutable(binary), binary + " is not installed");
        return withBinary(binary);
    }

    public Path kubectl() {
        return kubectl;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    /** The discovery/HTTP cache directory passed as {@code --cache-dir}. */
    public Path cacheDir() {
        return dir.resolve("cache");
    }

    /** Runs kubectl with these arguments and waits for it. */
    public Result kubectl(String... args) {
        return kubectl(Map.of(), args);
    }

    /** Runs kubectl with these arguments and extra environment variables (e.g. KUBE_EDITOR) and waits for it. */
    public Result kubectl(Map<String, String> env, String... args) {
        return run(env, null, command(args));
    }

    /** Starts kubectl with these arguments without waiting (e.g. {@code get -w}, {@code logs -f}). */
    public Process startKubectl(String... args) {
        return start(Map.of(), null, command(args));
    }

    private String[] command(String... args) {
        List<String> command = new ArrayList<>(List.of(kubectl.toString()));
        command.addAll(List.of(args));
        return command.toArray(String[]::new);
    }

    /** Runs a command (kubectl gets the kubeconfig added) with {@code stdin} (null: /dev/null) and waits. */
    public Result run(Path stdin, String... command) {
        return run(Map.of(), stdin, command);
    }

    /** {@link #run(Path, String...)} with extra environment variables. */
    public Result run(Map<String, String> env, Path stdin, String... command) {
        Process p = start(env, stdin, command);
        try {
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
                        + "; stdout:\n" + read(out(p)) + "\nstderr:\n" + read(err(p)));
            }
            return new Result(p.exitValue(), read(out(p)), read(err(p)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new AssertionError(e);
        }
    }

    /** Starts a command without waiting (kubectl gets the kubeconfig added). */
    public Process start(Path stdin, String... command) {
        return start(Map.of(), stdin, command);
    }

    /**
     * Starts a command with extra environment variables without waiting. When the command is this runner's
     * kubectl, {@code --kubeconfig}, {@code --cache-dir} and (if set) {@code --request-timeout} are added unless
     * given.
     */
    public Process start(Map<String, String> env, Path stdin, String... command) {
        List<String> c = new ArrayList<>(List.of(command));
        if (c.get(0).equals(kubectl.toString())) {
            List<String> flags = new ArrayList<>();
            if (!c.contains("--kubeconfig")) {
                flags.addAll(List.of("--kubeconfig", kubeconfig.toString()));
            }
            if (!c.contains("--cache-dir")) {
                flags.addAll(List.of("--cache-dir", cacheDir().toString()));
            }
            if (requestTimeout != null && c.stream().noneMatch(a -> a.startsWith("--request-timeout"))) {
                flags.addAll(List.of("--request-timeout", requestTimeout.toSeconds() + "s"));
            }
            c.addAll(1, flags);
        }
        int n = processes.incrementAndGet();
        try {
            ProcessBuilder b = new ProcessBuilder(c)
                    .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                            : stdin == OPEN_STDIN ? ProcessBuilder.Redirect.PIPE
                            : ProcessBuilder.Redirect.from(stdin.toFile()))
                    .redirectOutput(dir.resolve("out-" + n).toFile())
                    .redirectError(dir.resolve("err-" + n).toFile());
            b.environment().putAll(env);
            Process p = b.start();
            outputs.put(p, n);
            return p;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + c, e);
        }
    }

    /** The file with the stdout of a process this runner started. */
    public Path out(Process p) {
        return dir.resolve("out-" + outputs.get(p));
    }

    /** The file with the stderr of a process this runner started. */
    public Path err(Process p) {
        return dir.resolve("err-" + outputs.get(p));
    }

    /** A file's content, or "" when it cannot be read (yet). */
    public static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
