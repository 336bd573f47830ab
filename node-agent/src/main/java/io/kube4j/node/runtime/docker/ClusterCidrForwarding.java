package io.kube4j.node.runtime.docker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets pods on different nodes of ONE host reach each other: the node agent's Docker runtime is the node's network
 * plugin, and each node has its own Docker bridge network, whose {@code DOCKER-ISOLATION-STAGE-1/2} chains (filter
 * {@code FORWARD}) drop traffic between Docker networks. Kubernetes requires every pod to reach every pod without NAT
 * (directly or through a Service whose endpoint kube-proxy DNATs to a pod of another node), so, as flannel and the
 * bridge CNI plugin accept forwarding for the cluster CIDR, this adds one rule to the filter table's
 * {@code DOCKER-USER} chain:
 *
 * <pre>-s &lt;clusterCidr&gt; -d &lt;clusterCidr&gt; -m comment --comment "kube4j: pod-to-pod traffic across nodes" -j ACCEPT</pre>
 *
 * <p>{@code DOCKER-USER} is the chain Docker keeps for the administrator: it never flushes it and keeps
 * {@code -j DOCKER-USER} as the FIRST rule of {@code FORWARD}, ahead of {@code -j DOCKER-ISOLATION-STAGE-1}
 * (checked with {@code iptables -S FORWARD} on Docker 20.10.24), so an ACCEPT there wins over the isolation drops.
 * Docker before 23 ends the chain with {@code -j RETURN}, hence {@code -I} (top), not {@code -A}. When Docker has not
 * made the chain (yet) it is created; Docker adds its jump from {@code FORWARD} when it sets up its networks, and a
 * Docker running with {@code iptables: false} isolates nothing.
 *
 * <p>One rule serves every node agent of the host, so it is checked first ({@code iptables -C}) and inserted only
 * when missing, under a host-wide file lock (several agents start at once: check-then-insert is not atomic). It is
 * not removed when an agent stops (the other agents of the host still need it): {@code ./kube4j down} removes it.
 * A failure is a warning naming the command and its stderr; the agent keeps running (pods of this node then reach
 * only pods of the same node and other hosts).
 */
public final class ClusterCidrForwarding {

    private static final Logger log = LoggerFactory.getLogger(ClusterCidrForwarding.class);

    /** The filter chain Docker leaves to the administrator. */
    public static final String CHAIN = "DOCKER-USER";
    /** The rule's comment. */
    public static final String COMMENT = "kube4j: pod-to-pod traffic across nodes";
    /** The host-wide lock serialising check-then-insert between agent processes. */
    public static final Path DEFAULT_LOCK = Path.of("/run/kube4j-cluster-cidr-forwarding.lock");

    /** Serialises this JVM's callers: a JVM cannot hold two overlapping locks on one file. */
    private static final Object JVM_LOCK = new Object();

    /** What {@link #ensure} found or did. */
    public enum Outcome {
        /** The rule was already there: nothing added. */
        PRESENT,
        /** The rule was inserted. */
        ADDED,
        /** A command failed (logged as a warning); pods on other nodes of this host stay unreachable. */
        FAILED,
        /** Not tried: the engine is remote (its host's iptables are not ours) or this process is not root. */
        SKIPPED
    }

    /** Runs one host command (argv, no shell); a recording fake in unit tests. */
    @FunctionalInterface
    public interface Runner {
        /**
         * @return its exit code and standard error
         * @throws IOException when it cannot be started or does not finish in time
         */
        Result run(List<String> argv) throws IOException;
    }

    /** A finished command: exit code and standard error. */
    public record Result(int exitCode, String stderr) {
    }

    private final Runner runner;
    private final Path lockFile;

    /**
     * @param runner   runs {@code iptables}
     * @param lockFile the host-wide lock file (null: no file lock, only this JVM's)
     */
    public ClusterCidrForwarding(Runner runner, Path lockFile) {
        this.runner = runner;
        this.lockFile = lockFile;
    }

    /** On this host: real processes, {@link #DEFAULT_LOCK}. */
    public static ClusterCidrForwarding onHost() {
        return new ClusterCidrForwarding(processRunner(Duration.ofSeconds(15)), DEFAULT_LOCK);
    }

    /**
     * What the node agent does at start with {@code kube4j.node.cluster-cidr} set: {@link #ensure} on this host when
     * the engine at {@code dockerHost} is local and we are root, else {@link Outcome#SKIPPED} with a warning.
     */
    public static Outcome ensureForEngine(String dockerHost, String clusterCidr) {
        if (!localEngine(dockerHost)) {
            log.warn("Docker engine {} is not local (unix://): forwarding for cluster CIDR {} is left to its host;"
                    + " pods on different nodes of that host may not reach each other", dockerHost, clusterCidr);
            return Outcome.SKIPPED;
        }
        if (!root()) {
            log.warn("not root: cannot accept forwarding for cluster CIDR {} in {}; pods cannot reach pods of the"
                    + " other nodes on this host (run as root, or add: iptables -I {} {})", clusterCidr, CHAIN, CHAIN,
                    shell(ruleSpec(clusterCidr)));
            return Outcome.SKIPPED;
        }
        return onHost().ensure(clusterCidr);
    }

    /**
     * Checks {@code kube4j.node.cluster-cidr}: an IPv4 CIDR containing the node's pod CIDR.
     *
     * @return the normalised cluster CIDR
     * @throws IllegalArgumentException naming the setting and what is wrong
     */
    public static String validate(String clusterCidr, String podCidr) {
        DockerSpecs.Cidr cluster;
        try {
            cluster = DockerSpecs.Cidr.parse(clusterCidr.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kube4j.node.cluster-cidr: " + e.getMessage(), e);
        }
        DockerSpecs.Cidr pod = DockerSpecs.Cidr.parse(podCidr);
        if (pod.prefix() < cluster.prefix() || !cluster.overlaps(pod)) {
            throw new IllegalArgumentException("kube4j.node.cluster-cidr " + cluster + " does not contain the pod"
                    + " CIDR " + pod + " (kube4j.node.pod-cidr); every node's pod CIDR must lie in the cluster CIDR");
        }
        return cluster.toString();
    }

    /** True when the engine at {@code dockerHost} runs on this host (a unix socket): its iptables are ours. */
    public static boolean localEngine(String dockerHost) {
        return dockerHost != null && dockerHost.startsWith("unix://");
    }

    /** True when this process runs as root (effective uid 0, from {@code /proc/self/status}). */
    public static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return ids.length > 1 && ids[1].equals("0");
                }
            }
        } catch (IOException e) {
            log.debug("cannot read /proc/self/status: {}", e.toString());
        }
        return false;
    }

    /** The rule, as the arguments after {@code -C/-I/-D DOCKER-USER}. */
    public static List<String> ruleSpec(String clusterCidr) {
        return List.of("-s", clusterCidr, "-d", clusterCidr, "-m", "comment", "--comment", COMMENT, "-j", "ACCEPT");
    }

    /** {@code iptables -w 5 -t filter <op> DOCKER-USER [rule]}. */
    static List<String> iptables(String op, List<String> rule) {
        List<String> argv = new ArrayList<>(List.of("iptables", "-w", "5", "-t", "filter", op, CHAIN));
        argv.addAll(rule);
        return argv;
    }

    /**
     * Ensures the rule for {@code clusterCidr} (already validated) is in {@code DOCKER-USER}: {@code -C}; when missing
     * {@code -N DOCKER-USER} (an existing chain is fine) and {@code -I}. Never throws: a failure is logged.
     */
    public Outcome ensure(String clusterCidr) {
        synchronized (JVM_LOCK) {
            if (lockFile == null) {
                return ensureLocked(clusterCidr);
            }
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                return ensureLocked(clusterCidr);
            } catch (IOException e) {
                log.warn("cannot lock {} to add the {} rule for cluster CIDR {}: {}; pods cannot reach pods of the"
                        + " other nodes on this host", lockFile, CHAIN, clusterCidr, e.toString());
                return Outcome.FAILED;
            }
        }
    }

    private Outcome ensureLocked(String clusterCidr) {
        List<String> rule = ruleSpec(clusterCidr);
        List<String> check = iptables("-C", rule);
        Result r = run(check);
        if (r == null) {
            return Outcome.FAILED;
        }
        if (r.exitCode() == 0) {
            log.info("pod-to-pod forwarding for cluster CIDR {} already accepted in {}", clusterCidr, CHAIN);
            return Outcome.PRESENT;
        }
        if (r.exitCode() != 1) { // 1: no such rule (or chain); 2: bad arguments, 4: no permission / resource
            return failed(check, r, clusterCidr);
        }
        List<String> create = iptables("-N", List.of());
        r = run(create);
        if (r == null) {
            return Outcome.FAILED;
        }
        if (r.exitCode() == 0) {
            log.info("created the filter chain {} (Docker had not)", CHAIN);
        } else if (!r.stderr().contains("already exists")) {
            return failed(create, r, clusterCidr);
        }
        List<String> insert = iptables("-I", rule);
        r = run(insert);
        if (r == null) {
            return Outcome.FAILED;
        }
        if (r.exitCode() != 0) {
            return failed(insert, r, clusterCidr);
        }
        log.info("accepted pod-to-pod forwarding for cluster CIDR {} in {} (pods on other nodes of this host)",
                clusterCidr, CHAIN);
        return Outcome.ADDED;
    }

    private Result run(List<String> argv) {
        try {
            return runner.run(argv);
        } catch (IOException e) {
            log.warn("'{}' failed: {}; pods cannot reach pods of the other nodes on this host",
                    shell(argv), e.toString());
            return null;
        }
    }

    private static Outcome failed(List<String> argv, Result r, String clusterCidr) {
        log.warn("'{}' exited {}: {}; pods of cluster CIDR {} cannot reach pods of the other nodes on this host",
                shell(argv), r.exitCode(), r.stderr().strip(), clusterCidr);
        return Outcome.FAILED;
    }

    /** {@code argv} as a shell would need it typed: arguments with spaces or quotes single-quoted. */
    static String shell(List<String> argv) {
        StringBuilder b = new StringBuilder();
        for (String a : argv) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(a.isEmpty() || a.matches(".*[\\s'\"$`\\\\].*") ? "'" + a.replace("'", "'\\''") + "'" : a);
        }
        return b.toString();
    }

    /** Runs commands as processes (stdout discarded), killed after {@code timeout}. */
    public static Runner processRunner(Duration timeout) {
        return argv -> {
            Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("did not finish within " + timeout);
                }
                return new Result(p.exitValue(), err.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IOException("cannot read its stderr: " + e, e);
            }
        };
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }
}
