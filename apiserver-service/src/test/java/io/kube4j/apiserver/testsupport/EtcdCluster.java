package io.kube4j.apiserver.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A real 3-member etcd cluster for fault tests: three {@code etcd} processes on free loopback ports, each with its
 * own data directory (on /dev/shm when available, as {@link EtcdServer}), joined with {@code --initial-cluster}.
 * Members can be killed (SIGKILL) and started again on the same data directory and ports, where they rejoin.
 * A JVM shutdown hook kills whatever is still running and deletes the directories.
 */
public final class EtcdCluster implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\"\\s*:\\s*\"?(\\d+)");
    private static final Pattern WATCHERS = Pattern.compile("(?m)^etcd_debugging_mvcc_watcher_total (\\S+)$");
    private static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"?(\\d+)");

    private final int size;
    private final Path binary;
    private final Path baseDir;
    private final int[] clientPorts;
    private final int[] peerPorts;
    private final Process[] processes;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final Thread cleanup = new Thread(this::destroyQuietly, "etcd-cluster-shutdown");
    private boolean destroyed;

    /** A new, not yet started cluster of {@code size} members; skips (or fails under KUBE4J_REQUIRE_ALL=1) without etcd. */
    public EtcdCluster(int size) {
        this.size = size;
        this.binary = Requirements.requireBinary("etcd");
        try {
            Path shm = Path.of("/dev/shm");
            this.baseDir = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "kube4j-etcd-cluster-")
                    : Files.createTempDirectory("kube4j-etcd-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int[] ports = EtcdServer.freePorts(2 * size);
        this.clientPorts = new int[size];
        this.peerPorts = new int[size];
        for (int i = 0; i < size; i++) {
            clientPorts[i] = ports[2 * i];
            peerPorts[i] = ports[2 * i + 1];
        }
        this.processes = new Process[size];
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** A started 3-member cluster. */
    public static EtcdCluster startThree() {
        EtcdCluster c = new EtcdCluster(3);
        try {
            c.startAll();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    public int size() {
        return size;
    }

    /** Member {@code i}'s client URL. */
    public String endpoint(int i) {
        return "http://127.0.0.1:" + clientPorts[i];
    }

    /** Every member's client URL, in member order. */
    public List<String> endpoints() {
        return IntStream.range(0, size).mapToObj(this::endpoint).toList();
    }

    /** The endpoints as one comma-separated list (the apiserver's {@code kube4j.apiserver.etcd.endpoints}). */
    public String endpointList() {
        return String.join(",", endpoints());
    }

    public Path baseDir() {
        return baseDir;
    }

    public Path logFile(int i) {
        return baseDir.resolve("m" + i + ".log");
    }

    public synchronized boolean isRunning(int i) {
        return processes[i] != null && processes[i].isAlive();
    }

    /** Starts every member that is not running, then waits until each reports healthy (has a leader). */
    public synchronized void startAll() {
        for (int i = 0; i < size; i++) {
            launch(i);
        }
        for (int i = 0; i < size; i++) {
            awaitHealthy(i);
        }
    }

    /** Starts member {@code i} again (same data directory and ports: it rejoins) and waits until it is healthy. */
    public synchronized void start(int i) {
        launch(i);
        awaitHealthy(i);
    }

    /** Kills member {@code i} with SIGKILL; its data directory is kept. */
    public synchronized void kill(int i) {
        Process p = processes[i];
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        processes[i] = null;
    }

    /** Stops every member gracefully (SIGTERM, SIGKILL after 10 s); data is kept for {@link #startAll()}. */
    public synchronized void stopAll() {
        for (Process p : processes) {
            if (p != null) {
                p.destroy();
            }
        }
        for (int i = 0; i < size; i++) {
            Process p = processes[i];
            if (p == null) {
                continue;
            }
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
            processes[i] = null;
        }
    }

    /**
     * The index of the member every running member names as leader, asked through each one's
     * {@code /v3/maintenance/status}; -1 while the running members have no leader or disagree.
     */
    public int leaderIndex() {
        String[] memberIds = new String[size];
        String agreed = null;
        for (int i = 0; i < size; i++) {
            if (!isRunning(i)) {
                continue;
            }
            String body;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint(i) + "/v3/maintenance/status"))
                        .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                body = r.body();
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
            Matcher id = MEMBER_ID.matcher(body);
            Matcher leader = LEADER.matcher(body);
            if (!id.find() || !leader.find() || "0".equals(leader.group(1))) {
                return -1;
            }
            memberIds[i] = id.group(1);
            if (agreed != null && !agreed.equals(leader.group(1))) {
                return -1;
            }
            agreed = leader.group(1);
        }
        for (int i = 0; i < size; i++) {
            if (agreed != null && agreed.equals(memberIds[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * How many watchers member {@code i} serves now (its {@code etcd_debugging_mvcc_watcher_total} gauge), or -1 when
     * it does not answer: tells which member a client's watch stream is on.
     */
    public int watchers(int i) {
        if (!isRunning(i)) {
            return -1;
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint(i) + "/metrics"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = WATCHERS.matcher(r.body());
            return m.find() ? (int) Double.parseDouble(m.group(1)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Waits (bounded) until the running members agree on a leader, and returns its index. */
    public int awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int l = leaderIndex();
            if (l >= 0) {
                return l;
            }
            pause();
        }
        throw new IllegalStateException("no etcd leader within " + timeout + "; logs:\n" + tails());
    }

    /** Kills every member and deletes the directories. The cluster cannot be started again. */
    public synchronized void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        for (int i = 0; i < size; i++) {
            kill(i);
        }
        try (Stream<Path> files = Files.walk(baseDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException ignored) {
            // already shutting down: the hook is running this
        }
    }

    private void destroyQuietly() {
        try {
            destroy();
        } catch (RuntimeException ignored) {
            // in a shutdown hook
        }
    }

    private String initialCluster() {
        return IntStream.range(0, size).mapToObj(i -> "m" + i + "=" + peer(i)).collect(Collectors.joining(","));
    }

    private String peer(int i) {
        return "http://127.0.0.1:" + peerPorts[i];
    }

    private void launch(int i) {
        if (destroyed) {
            throw new IllegalStateException("cluster destroyed");
        }
        if (isRunning(i)) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--name", "m" + i,
                "--data-dir", baseDir.resolve("m" + i).toString(),
                "--listen-client-urls", endpoint(i),
                "--advertise-client-urls", endpoint(i),
                "--listen-peer-urls", peer(i),
                "--initial-advertise-peer-urls", peer(i),
                "--initial-cluster", initialCluster(),
                "--initial-cluster-token", baseDir.getFileName().toString(),
                "--initial-cluster-state", "new",
                // loopback: elect a new leader quickly (defaults: 100 ms heartbeat, 1 s election)
                "--heartbeat-interval", "50",
                "--election-timeout", "500",
                "--logger", "zap",
                "--log-outputs", logFile(i).toString()));
        try {
            processes[i] = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(baseDir.resolve("m" + i + ".out").toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + binary + ": " + e.getMessage(), e);
        }
    }

    private void awaitHealthy(int i) {
        Process p = processes[i];
        String last = EtcdServer.awaitHealth(http, endpoint(i), () -> p != null && p.isAlive(),
                () -> new IllegalStateException("etcd member " + i + " exited while starting; logs:\n" + tails()));
        if (last != null) {
            throw new IllegalStateException("etcd member " + i + " did not become healthy within " + START_TIMEOUT
                    + " (last: " + last + "); logs:\n" + tails());
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50); // polling interval, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for etcd", e);
        }
    }

    private String tails() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < size; i++) {
            b.append("--- member ").append(i).append('\n');
            try {
                List<String> lines = Files.readAllLines(logFile(i));
                b.append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()))).append('\n');
            } catch (IOException e) {
                b.append("(no log)\n");
            }
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "EtcdCluster" + endpoints() + " in " + baseDir;
    }
}
