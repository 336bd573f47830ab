package io.kube4j.node.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A busybox image for node API tests, built locally ({@code docker import} of a root filesystem holding the host's
 * static busybox and its applet links): no registry is reachable here. Built once per machine.
 */
final class NodeApiTestImages {

    static final String BUSYBOX = "kube4j-test/nodeapi-busybox:1";
    /** Label on every container these tests create, so that a crashed run can be cleaned up. */
    static final String TEST_LABEL = "io.kube4j.test=nodeapi";

    private NodeApiTestImages() {
    }

    static synchronized String busybox() {
        if (run("docker", "image", "inspect", BUSYBOX).code() == 0) {
            return BUSYBOX;
        }
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            throw new IllegalStateException("a static /bin/busybox is needed to build " + BUSYBOX);
        }
        try {
            Path root = Files.createTempDirectory("nodeapi-rootfs");
            String script = "set -e; mkdir -p '" + root + "/bin' '" + root + "/tmp' '" + root + "/etc'; cp /bin/busybox '"
                    + root + "/bin/busybox'; for a in $(/bin/busybox --list); do [ \"$a\" = busybox ] || ln -sf busybox '"
                    + root + "/bin/'$a; done; echo 'root:x:0:0:root:/:/bin/sh' > '" + root + "/etc/passwd';"
                    + " tar -C '" + root + "' -c . | docker import -c 'ENV PATH=/bin' - " + BUSYBOX + "; rm -rf '" + root + "'";
            Result r = run("sh", "-c", script);
            if (r.code() != 0) {
                throw new IllegalStateException("cannot build " + BUSYBOX + ": " + r.out());
            }
            return BUSYBOX;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    record Result(int code, String out) {
    }

    static Result run(String... command) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), out.trim());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a detached container with the runtime labels of one pod's container; returns its id. */
    static String runContainer(String node, String podUid, String podName, String namespace, String container,
                               int attempt, String... command) {
        List<String> args = new ArrayList<>(List.of("docker", "run", "-d", "-i", "--label", TEST_LABEL,
                "--label", "io.kube4j.node=" + node,
                "--label", "io.kubernetes.pod.uid=" + podUid,
                "--label", "io.kubernetes.pod.name=" + podName,
                "--label", "io.kubernetes.pod.namespace=" + namespace,
                "--label", "io.kubernetes.container.name=" + container,
                "--label", "io.kubernetes.docker.type=container",
                "--label", "io.kubernetes.container.restartCount=" + attempt,
                busybox()));
        args.addAll(List.of(command));
        Result r = run(args.toArray(String[]::new));
        if (r.code() != 0) {
            throw new IllegalStateException("docker run failed: " + r.out());
        }
        String[] lines = r.out().split("\n");
        return lines[lines.length - 1].trim();
    }

    /** Removes every container of {@code node} made by these tests. */
    static void removeContainers(String node) {
        Result ids = run("docker", "ps", "-aq", "--filter", "label=" + TEST_LABEL, "--filter", "label=io.kube4j.node=" + node);
        for (String id : ids.out().split("\\s+")) {
            if (!id.isBlank()) {
                run("docker", "rm", "-f", id);
            }
        }
    }
}
