package io.kube4j.benchmarks;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A role of the cluster (the scheduler from its exec jar, a hollow fleet from this classpath, ...) in a JVM of its
 * own, so that its CPU time is measured apart from the benchmark's; its output goes to a log file and it is stopped
 * with the benchmark (also by a shutdown hook).
 */
final class JvmProcess implements AutoCloseable {

    private final String role;
    private final Process process;
    private final Path log;

    private JvmProcess(String role, Process process, Path log) {
        this.role = role;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code java <jvmArgs> <args>} with its output in {@code <logDir>/<role>.log}; {@code jvmArgs} is a
     * space-separated string (e.g. from a {@code -D<role>.jvmArgs} property).
     */
    static JvmProcess start(String role, String jvmArgs, List<String> args, Path logDir) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (!jvmArgs.isBlank()) {
            cmd.addAll(List.of(jvmArgs.trim().split("\\s+")));
        }
        cmd.addAll(args);
        Path log = logDir.resolve(role + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        JvmProcess j = new JvmProcess(role, p, log);
        Runtime.getRuntime().addShutdownHook(new Thread(j::close, role + "-stop"));
        return j;
    }

    /**
     * The classpath {@code type} was loaded from: the URLs of its class loader when that is a URLClassLoader (as under
     * {@code mvn exec:java}), else {@code java.class.path}; lets a child JVM run any main class of this module's
     * dependencies without a packaged jar.
     */
    static String classpathOf(Class<?> type) {
        Set<String> entries = new LinkedHashSet<>();
        if (type.getClassLoader() instanceof URLClassLoader u) {
            for (URL url : u.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw new IllegalStateException("cannot turn classpath entry " + url + " into a path", e);
                }
            }
        }
        if (entries.isEmpty()) {
            entries.addAll(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * The exec jar of {@code module}: {@code -D<property>}, else {@code <module>/target} under the working directory
     * or its parent, else the local Maven repository (what {@code mvn install} put there).
     */
    static Path findExecJar(String module, String property) {
        String configured = System.getProperty(property);
        if (configured != null) {
            return Path.of(configured);
        }
        String file = module + "-0.1.0-SNAPSHOT-exec.jar";
        List<Path> candidates = List.of(Path.of(".", module, "target", file), Path.of("..", module, "target", file),
                Path.of(System.getProperty("user.home"), ".m2", "repository", "io", "kube4j", module,
                        "0.1.0-SNAPSHOT", file));
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException(file + " not found (looked at " + candidates + "): build it first "
                + "(./mvnw -q -pl " + module + " -am install -DskipTests) or pass -D" + property + "=...");
    }

    /** A free loopback port for a child's HTTP server. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits until {@code url} answers 200, failing early when the process exits. */
    void awaitHttpOk(String url, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        awaitCondition(() -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, timeout, url + " to answer 200");
    }

    /** Polls {@code condition} every 200 ms until it holds, failing when the process exits or {@code timeout} passes. */
    void awaitCondition(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the " + role + " exited with " + process.exitValue() + "; see " + log);
            }
            if (condition.getAsBoolean()) {
                return;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("waited " + timeout.toSeconds() + " s for " + what + " in vain; see " + log);
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** User + system CPU time the process has used so far, in seconds (NaN when the platform does not tell). */
    double cpuSeconds() {
        return cpuSeconds(process.toHandle());
    }

    static double cpuSeconds(ProcessHandle h) {
        return h.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
