package io.kube4j.e2e.fault;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * A role (scheduler, controller manager) from its exec jar in a JVM of its own, so a fault test can kill it with
 * SIGKILL ({@link Process#destroyForcibly()}). Its output goes to {@code <logDir>/<name>.log}; a shutdown hook kills it
 * if the test JVM exits without {@link #close()}.
 */
public final class ChildJvm implements AutoCloseable {

    private static final Pattern IDENTITY = Pattern.compile("leaderElection=\\S+ as (\\S+)");

    final String name;
    final String address;
    final int port;
    private final Process process;
    private final Path log;
    private final Thread hook;

    private ChildJvm(String name, String address, int port, Process process, Path log) {
        this.name = name;
        this.address = address;
        this.port = port;
        this.process = process;
        this.log = log;
        this.hook = new Thread(process::destroyForcibly, name + "-kill");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** {@code java -jar <jar> --server.address=127.0.0.1 --server.port=<free> <args>}. */
    public static ChildJvm start(String name, Path jar, Path logDir, List<String> args) throws IOException {
        return start(name, List.of(), "127.0.0.1", jar, logDir, args);
    }

    /** As {@link #start(String, Path, Path, List)} with {@code -Xmx<maxHeap>} instead of the default 256m. */
    public static ChildJvm start(String name, String maxHeap, Path jar, Path logDir, List<String> args)
            throws IOException {
        return start(name, List.of(), maxHeap, "127.0.0.1", freePort(), jar, logDir, args);
    }

    /**
     * A plain {@code main} from {@code jar} (a Spring Boot exec jar: through its {@code PropertiesLauncher} with
     * {@code -Dloader.main}), with {@code systemProperties} as {@code -D} options; no HTTP port (not for
     * {@link #awaitReady(Duration)}).
     */
    public static ChildJvm startMain(String name, String maxHeap, Path jar, String mainClass,
                                     List<String> systemProperties, Path logDir, List<String> args)
            throws IOException {
        List<String> cmd = new ArrayList<>(javaCommand(maxHeap));
        systemProperties.forEach(p -> cmd.add("-D" + p));
        cmd.addAll(List.of("-Dloader.main=" + mainClass, "-cp", jar.toString(),
                "org.springframework.boot.loader.launch.PropertiesLauncher"));
        cmd.addAll(args);
        return launch(name, null, -1, cmd, logDir);
    }

    /**
     * {@code <prefix> java -jar <jar> --server.address=<address> --server.port=<free> <args>}: {@code prefix} such as
     * {@code ip netns exec NS} runs it elsewhere (it must exec java, so that {@link #kill()} reaches the JVM itself).
     */
    static ChildJvm start(String name, List<String> prefix, String address, Path jar, Path logDir, List<String> args)
            throws IOException {
        return start(name, prefix, "256m", address, freePort(), jar, logDir, args);
    }

    /** As above on a given port: a role restarted where its clients (a gateway's upstream list) expect it. */
    static ChildJvm start(String name, List<String> prefix, String address, int port, Path jar, Path logDir,
                          List<String> args) throws IOException {
        return start(name, prefix, "256m", address, port, jar, logDir, args);
    }

    private static ChildJvm start(String name, List<String> prefix, String maxHeap, String address, int port,
                                  Path jar, Path logDir, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(javaCommand(maxHeap));
        cmd.addAll(List.of("-jar", jar.toString(), "--server.address=" + address, "--server.port=" + port,
                "--spring.main.banner-mode=off"));
        cmd.addAll(args);
        return launch(name, address, port, cmd, logDir);
    }

    private static List<String> javaCommand(String maxHeap) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // small and quick to start: the machine running the tests has few cores
                "-Xmx" + maxHeap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
    }

    private static ChildJvm launch(String name, String address, int port, List<String> cmd, Path logDir)
            throws IOException {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildJvm(name, address, port, p, log);
    }

    /** The exec jar of {@code module}: the sibling module's target directory, else the local Maven repository. */
    public static Path execJar(String module) {
        String file = module + "-0.1.0-SNAPSHOT-exec.jar";
        List<Path> candidates = new ArrayList<>(List.of(Path.of("..", module, "target", file),
                Path.of(module, "target", file)));
        String repo = System.getProperty("kube4j.e2e.maven-repository");
        if (repo != null && !repo.isBlank()) {
            candidates.add(Path.of(repo, "io", "kube4j", module, "0.1.0-SNAPSHOT", file));
        }
        candidates.add(Path.of(System.getProperty("user.home"), ".m2", "repository", "io", "kube4j", module,
                "0.1.0-SNAPSHOT", file));
        return candidates.stream().filter(Files::isRegularFile).findFirst().map(p -> p.toAbsolutePath().normalize())
                .orElseThrow(() -> new IllegalStateException(file + " not found (looked at " + candidates
                        + "): build it first (./mvnw -pl " + module + " -am install -DskipTests)"));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits (bounded) until the readiness probe answers 200; fails at once when the process has exited. */
    public void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + address + ":" + port
                + "/actuator/health/readiness")).timeout(Duration.ofSeconds(2)).build();
        await(name + " ready (log " + log + ")").atMost(timeout).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> {
                    assertAlive();
                    return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
    }

    /**
     * Waits (bounded) until {@code url} answers 200 through {@code http} (e.g. an HTTPS {@code /readyz} with the
     * cluster CA); fails at once when the process has exited.
     */
    void awaitHttpOk(String url, HttpClient http, Duration timeout) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build();
        await(name + " answering " + url + " (log " + log + ")").atMost(timeout).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> {
                    assertAlive();
                    return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
    }

    /** Its leader-election identity, from the start-up line ("... leaderElection=ns/name as IDENTITY"). */
    public String identity(Duration timeout) {
        return await(name + "'s leader-election identity in " + log).atMost(timeout)
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    assertAlive();
                    return readIdentity();
                }, Optional::isPresent).orElseThrow();
    }

    private Optional<String> readIdentity() throws IOException {
        Matcher m = IDENTITY.matcher(Files.readString(log));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    public void assertAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, as {@code kill -9}: no shutdown hook runs, the lease is not released. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL for 10 s");
        }
    }

    public Path log() {
        return log;
    }

    /** The operating-system process id. */
    public long pid() {
        return process.pid();
    }

    public String name() {
        return name;
    }

    /** {@code http://<address>:<port>} of a role started with a port. */
    public String url() {
        return "http://" + address + ":" + port;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
