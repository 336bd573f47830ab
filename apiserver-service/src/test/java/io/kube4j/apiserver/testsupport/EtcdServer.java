package io.kube4j.apiserver.testsupport;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import io.grpc.netty.GrpcSslContexts;

import javax.net.ssl.SSLException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real single-member etcd for tests: the {@code etcd} binary on two free loopback ports with its own data
 * directory (on /dev/shm when available, since etcd 3.4 cannot skip fsync). {@link #stop()} and {@link #start()}
 * keep the data directory and ports, so tests can restart it under a live client.
 */
public final class EtcdServer {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static EtcdServer shared;

    private final Path binary;
    private final Path baseDir;
    private final Path dataDir;
    private final Path logFile;
    private final int clientPort;
    private final int peerPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final boolean tls;
    private Process process;

    /** A new, not yet started plain-text server; skips (or fails under KUBE4J_REQUIRE_ALL=1) without etcd. */
    public EtcdServer() {
        this(false, null);
    }

    private EtcdServer(boolean tls, Path parentDir) {
        this.tls = tls;
        this.binary = Requirements.requireBinary("etcd");
        try {
            Path shm = Path.of("/dev/shm");
            if (parentDir != null) {
                Files.createDirectories(parentDir);
                this.baseDir = Files.createTempDirectory(parentDir, "kube4j-etcd-");
            } else {
                this.baseDir = Files.isDirectory(shm) && Files.isWritable(shm)
                        ? Files.createTempDirectory(shm, "kube4j-etcd-")
                        : Files.createTempDirectory("kube4j-etcd-");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.dataDir = baseDir.resolve("data");
        this.logFile = baseDir.resolve("etcd.log");
        int[] ports = freePorts(2);
        this.clientPort = ports[0];
        this.peerPort = ports[1];
        if (tls) {
            generateCertificates();
        }
    }

    /**
     * A new, not yet started server that serves clients over TLS only and requires a client certificate signed
     * by {@link #caFile()} ({@link #clientCertFile()}/{@link #clientKeyFile()} is one). Needs {@code openssl}.
     */
    public static EtcdServer withTls() {
        return new EtcdServer(true, null);
    }

    /**
     * A new, not yet started plain-text server whose data directory is under {@code parentDir} rather than
     * /dev/shm, so that its writes pay the real fsync cost (for benchmarks; tests prefer the fast default).
     */
    public static EtcdServer inDirectory(Path parentDir) {
        return new EtcdServer(false, parentDir);
    }

    /** The directory holding the data directory and logs. */
    public Path baseDir() {
        return baseDir;
    }

    /** One etcd per JVM, started on first use and stopped (data removed) by a shutdown hook. */
    public static synchronized EtcdServer shared() {
        if (shared == null) {
            EtcdServer server = new EtcdServer();
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "etcd-server-shutdown"));
            shared = server;
        }
        return shared;
    }

    /** The client URL, e.g. {@code http://127.0.0.1:40123} ({@code https} for a TLS server). */
    public String endpoint() {
        return (tls ? "https" : "http") + "://127.0.0.1:" + clientPort;
    }

    /** The CA that signed the server and client certificates (TLS servers only). */
    public Path caFile() {
        return tlsDir().resolve("ca.crt");
    }

    public Path clientCertFile() {
        return tlsDir().resolve("client.crt");
    }

    /** The client's private key, PKCS#8 PEM. */
    public Path clientKeyFile() {
        return tlsDir().resolve("client.key");
    }

    private Path tlsDir() {
        if (!tls) {
            throw new IllegalStateException("this etcd serves plain text");
        }
        return baseDir.resolve("tls");
    }

    public Path logFile() {
        return logFile;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts etcd (same data directory and ports as before) and returns once it reports healthy. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--name", "t",
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", endpoint(),
                "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "t=" + peer,
                "--initial-cluster-state", "new",
                "--quota-backend-bytes", String.valueOf(2L * 1024 * 1024 * 1024),
                "--logger", "zap",
                "--log-outputs", logFile.toString()));
        if (tls) {
            command.addAll(List.of(
                    "--cert-file", tlsDir().resolve("server.crt").toString(),
                    "--key-file", tlsDir().resolve("server.key").toString(),
                    "--trusted-ca-file", caFile().toString(),
                    "--client-cert-auth"));
        }
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(baseDir.resolve("etcd.out").toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + binary + ": " + e.getMessage(), e);
        }
        awaitHealthy();
    }

    /** Stops etcd gracefully (SIGTERM, then SIGKILL after 10 s); data and ports are kept for {@link #start()}. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /** Kills etcd with SIGKILL (no graceful shutdown); data and ports are kept. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public synchronized void restart() {
        stop();
        start();
    }

    /** Stops etcd and deletes its directory. The instance cannot be started again. */
    public synchronized void destroy() {
        stop();
        try (Stream<Path> files = Files.walk(baseDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort in a shutdown hook
        }
    }

    /** Compacts the history up to the current revision and returns that revision. */
    public long compact() {
        if (tls) {
            throw new UnsupportedOperationException("compact() helper is for plain-text servers");
        }
        try (Client client = Client.builder().endpoints(endpoint()).build()) {
            long revision = client.getKVClient()
                    .get(ByteSequence.from("\0", StandardCharsets.UTF_8), GetOption.builder().withCountOnly(true).build())
                    .get(10, TimeUnit.SECONDS).getHeader().getRevision();
            client.getKVClient().compact(revision).get(10, TimeUnit.SECONDS);
            return revision;
        } catch (Exception e) {
            throw new IllegalStateException("cannot compact etcd at " + endpoint(), e);
        }
    }

    private void awaitHealthy() {
        if (tls) {
            awaitHealthyOverTls();
            return;
        }
        String last = awaitHealth(http, endpoint(), process::isAlive, () -> new IllegalStateException(
                "etcd exited with " + process.exitValue() + " while starting; log:\n" + tail(logFile)
                        + tail(baseDir.resolve("etcd.out"))));
        if (last == null) {
            return;
        }
        stop();
        throw new IllegalStateException("etcd did not become healthy within " + START_TIMEOUT + " (last: " + last
                + "); log:\n" + tail(logFile));
    }

    /**
     * Polls {@code <endpoint>/health} every 50 ms for up to the start timeout: null once etcd says it is healthy,
     * else the last answer; throws {@code onExit}'s exception as soon as the process is no longer {@code alive}.
     * Also used by {@link EtcdCluster} for each member.
     */
    static String awaitHealth(HttpClient http, String endpoint, java.util.function.BooleanSupplier alive,
                              java.util.function.Supplier<IllegalStateException> onExit) {
        HttpRequest health = HttpRequest.newBuilder(URI.create(endpoint + "/health"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!alive.getAsBoolean()) {
                throw onExit.get();
            }
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                last = response.statusCode() + " " + response.body();
                if (response.statusCode() == 200 && response.body().contains("\"health\":\"true\"")) {
                    return null;
                }
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for etcd", e);
            }
            try {
                Thread.sleep(50); // polling interval, not a wait for a condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for etcd", e);
            }
        }
        return last;
    }

    /** Over TLS the health probe is a read through jetcd with the client certificate. */
    private void awaitHealthyOverTls() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Exception last = null;
        try (Client client = Client.builder().endpoints(endpoint())
                .sslContext(GrpcSslContexts.forClient().trustManager(caFile().toFile())
                        .keyManager(clientCertFile().toFile(), clientKeyFile().toFile()).build())
                .build()) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("etcd exited with " + process.exitValue() + " while starting; log:\n"
                            + tail(logFile) + tail(baseDir.resolve("etcd.out")));
                }
                try {
                    client.getKVClient().get(ByteSequence.from("\0", StandardCharsets.UTF_8)).get(1, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                    Thread.sleep(50); // polling interval
                }
            }
        } catch (SSLException e) {
            throw new IllegalStateException("cannot read the test certificates in " + tlsDir(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for etcd", e);
        }
        stop();
        throw new IllegalStateException("etcd (TLS) did not become healthy within " + START_TIMEOUT + " (last: " + last
                + "); log:\n" + tail(logFile));
    }

    /** A throwaway CA, a server certificate for 127.0.0.1/localhost and a client certificate, via openssl. */
    private void generateCertificates() {
        Path openssl = Requirements.requireBinary("openssl");
        Path dir = baseDir.resolve("tls");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("server.ext"),
                    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
            Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String o = openssl.toString();
        run(dir, o, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "ca.key");
        run(dir, o, "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=kube4j-test-ca", "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-out", "ca.crt");
        for (String leaf : List.of("server", "client")) {
            run(dir, o, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", leaf + ".key");
            run(dir, o, "req", "-new", "-key", leaf + ".key", "-subj", "/CN=kube4j-test-" + leaf, "-out", leaf + ".csr");
            run(dir, o, "x509", "-req", "-in", leaf + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-days", "2", "-extfile", leaf + ".ext", "-out", leaf + ".crt");
        }
    }

    private static void run(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())) + "\n";
        } catch (IOException e) {
            return "(no " + file + ")\n";
        }
    }

    /** {@code count} distinct loopback ports free right now (also for {@link EtcdCluster}). */
    static int[] freePorts(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        int[] ports = new int[count];
        try {
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // port is released either way
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "EtcdServer[" + endpoint() + ", " + baseDir + "]";
    }
}
