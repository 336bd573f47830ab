package io.kube4j.e2e.fault;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.kube4j.apiserver.testsupport.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A Docker engine of the test's own, which it may stop and start at will without disturbing the shared one: dockerd
 * with its own data root, exec root (and so its own containerd), unix socket, pid file, containerd namespaces and
 * cgroup parent, run with {@code nsenter --net} in a network namespace the test creates ({@code ip netns add}). Its
 * bridges and iptables rules live in that namespace only: the host's netfilter tables are not touched.
 * ({@code ip netns exec} cannot be used: it remounts /sys, which hides the cgroup hierarchies dockerd needs.)
 * Everything is removed by {@link #close()}, or by a shutdown hook when the JVM ends first.
 */
final class PrivateDockerd implements AutoCloseable {

    private final String name;
    private final Path dir;
    private final Path log;
    private final Thread hook;
    private Process process;
    private DockerClient client;

    private PrivateDockerd(String name, Path dir, Path log) {
        this.name = name;
        this.dir = dir;
        this.log = log;
        this.hook = new Thread(this::cleanup, name + "-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Skips (fails under KUBE4J_REQUIRE_ALL=1) without root, ip, nsenter or dockerd. */
    static PrivateDockerd start(Path logDir) throws IOException {
        Requirements.require("root".equals(System.getProperty("user.name")),
                "a private Docker engine needs root (network namespace, dockerd); running as "
                        + System.getProperty("user.name"));
        Requirements.requireBinary("ip");
        Requirements.requireBinary("nsenter");
        Requirements.requireBinary("dockerd");
        String name = "kube4j-nl-" + UUID.randomUUID().toString().substring(0, 8);
        // short: containerd's sockets under the exec root must fit a unix socket path
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "nl-dockerd");
        Files.createDirectories(logDir);
        PrivateDockerd d = new PrivateDockerd(name, dir, logDir.resolve("dockerd.log").toAbsolutePath());
        try {
            run("ip", "netns", "add", name);
            run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
            Files.writeString(dir.resolve("daemon.json"), "{}");
            d.startProcess();
            return d;
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    String host() {
        return "unix://" + dir.resolve("docker.sock");
    }

    /** A client of the engine now running (a new one after {@link #restart()}: no connection of the old one). */
    synchronized DockerClient client() {
        if (client == null) {
            client = newClient(Duration.ofSeconds(60));
        }
        return client;
    }

    private DockerClient newClient(Duration responseTimeout) {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host())
                .build();
        return DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).connectionTimeout(Duration.ofSeconds(2))
                .responseTimeout(responseTimeout).build());
    }

    private void closeClient() {
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing
            }
            client = null;
        }
    }

    private void startProcess() throws IOException {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + name, "dockerd",
                "--config-file", dir.resolve("daemon.json").toString(),
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", dir.resolve("exec").toString(),
                "-H", host(),
                "--pidfile", dir.resolve("docker.pid").toString(),
                "--cgroup-parent", "/" + name,
                "--containerd-namespace", name,
                "--containerd-plugins-namespace", name + "-plugins",
                // its containers do not handle SIGTERM: do not wait the default 10 s for them at shutdown
                "--shutdown-timeout", "1"));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        await("the private dockerd answering on " + host() + " (log " + log + ")").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("dockerd exited with " + process.exitValue() + "; see " + log);
                    }
                    // a fresh client with a short timeout per attempt: a request to a daemon still starting must
                    // not hang past this wait
                    try (DockerClient probe = newClient(Duration.ofSeconds(2))) {
                        probe.pingCmd().exec();
                    }
                    return true;
                });
    }

    /** Stops the engine as a service manager would (SIGTERM: it stops its containers) and starts it again. */
    synchronized void restart() throws IOException, InterruptedException {
        stopProcess();
        startProcess();
    }

    private void stopProcess() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        closeClient();
        process.destroy(); // SIGTERM to dockerd (nsenter execs it)
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        cleanup();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private synchronized void cleanup() {
        if (process != null && process.isAlive()) {
            try {
                for (Container c : client().listContainersCmd().withShowAll(true).exec()) {
                    try {
                        client().removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
                    } catch (com.github.dockerjava.api.exception.NotFoundException
                             | com.github.dockerjava.api.exception.ConflictException goneOrGoing) {
                        // removed meanwhile, or a removal the (killed) agent asked for is under way
                    }
                }
            } catch (RuntimeException e) {
                System.err.println("[PrivateDockerd] removing its containers: " + e);
            }
            try {
                stopProcess();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeClient();
        unmountLeftovers();
        try {
            // its own file system only: never follow a mount left behind under the data root
            run("rm", "-rf", "--one-file-system", dir.toString());
        } catch (RuntimeException | IOException e) {
            System.err.println("[PrivateDockerd] removing " + dir + ": " + e);
        }
        try {
            run("ip", "netns", "del", name);
        } catch (RuntimeException | IOException e) {
            System.err.println("[PrivateDockerd] deleting the network namespace " + name + ": " + e);
        }
        // the (empty) cgroup parent dockerd made in every hierarchy
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                Path parent = h.resolve(name);
                if (Files.isDirectory(parent)) {
                    try {
                        Files.delete(parent);
                    } catch (IOException e) {
                        System.err.println("[PrivateDockerd] removing cgroup " + parent + ": " + e);
                    }
                }
            }
        } catch (IOException ignored) {
            // no cgroup file system
        }
    }

    /**
     * Unmounts what the engine left mounted under its directories (a container's rootfs whose start failed while the
     * engine was shutting down stays mounted), deepest first, so that its directory can be removed.
     */
    private void unmountLeftovers() {
        List<String> points = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                // mount points escape blanks as \040; ours have none
                if (f.length > 4 && (f[4].equals(dir.toString()) || f[4].startsWith(dir + "/"))) {
                    points.add(f[4]);
                }
            }
        } catch (IOException e) {
            System.err.println("[PrivateDockerd] reading /proc/self/mountinfo: " + e);
            return;
        }
        points.sort(java.util.Comparator.comparingInt(String::length).reversed());
        for (String point : points) {
            try {
                run("umount", point);
            } catch (RuntimeException | IOException e) {
                System.err.println("[PrivateDockerd] " + e.getMessage());
            }
        }
    }

    private static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
