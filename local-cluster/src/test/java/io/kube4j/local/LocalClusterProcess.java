package io.kube4j.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.kube4j.apiserver.testsupport.Requirements;

/**
 * The local cluster's exec jar as a child process of the test, with a home, ports and a node name of its own (ports
 * free now; the cluster CIDR and proxy mode from {@code KUBE4J_CLUSTER_CIDR}/{@code KUBE4J_PROXY_MODE} when set, so
 * several checkouts on one host stay apart), its output in {@code <home>/logs/cluster.log}.
 */
final class LocalClusterProcess {

    static final Path EXEC_JAR = Path.of("target/local-cluster-0.1.0-SNAPSHOT-exec.jar");

    final Path home;
    final String nodeName;
    final Map<String, String> env = new HashMap<>();
    private final List<String> args;
    private Process process;

    LocalClusterProcess(Path home, String nodeName, List<String> extraArgs) throws IOException {
        Requirements.require(Files.isRegularFile(EXEC_JAR), EXEC_JAR + " is missing (run 'mvn package' first)");
        this.home = home;
        this.nodeName = nodeName;
        for (String var : List.of("KUBE4J_API_PORT", "KUBE4J_GATEWAY_PORT", "KUBE4J_GATEWAY_MGMT_PORT",
                "KUBE4J_SCHEDULER_PORT", "KUBE4J_CONTROLLER_PORT", "KUBE4J_NODE_API_PORT", "KUBE4J_NODE_HEALTH_PORT",
                "KUBE4J_PROXY_PORT", "KUBE4J_PROXY_HEALTHZ_PORT", "KUBE4J_DNS_PORT", "KUBE4J_DNS_METRICS_PORT",
                "KUBE4J_INGRESS_HTTP_PORT", "KUBE4J_INGRESS_HTTPS_PORT", "KUBE4J_INGRESS_METRICS_PORT",
                "KUBE4J_LOGGING_PORT")) {
            env.put(var, Integer.toString(freePort()));
        }
        env.put("KUBE4J_NODE_NAME", nodeName);
        env.put("KUBE4J_CLUSTER_CIDR", envOr("KUBE4J_CLUSTER_CIDR", "10.240.0.0/16"));
        env.put("KUBE4J_PROXY_MODE", envOr("KUBE4J_PROXY_MODE", "userspace"));
        this.args = new ArrayList<>(List.of("--home", home.toString()));
        this.args.addAll(extraArgs);
        Files.createDirectories(home.resolve("logs"));
    }

    int port(String var) {
        return Integer.parseInt(env.get(var));
    }

    Path kubeconfig() {
        return home.resolve("admin.kubeconfig");
    }

    Path log() {
        return home.resolve("logs/cluster.log");
    }

    synchronized void start() throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-jar");
        cmd.add(EXEC_JAR.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        pb.environment().putAll(env);
        process = pb.start();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** TERM, as {@code ./kube4j down}; KILL after the timeout. */
    synchronized void stop(Duration timeout) throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
        process = null;
    }

    /** {@code kill -9}: nothing runs the cluster's shutdown. */
    synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
            process = null;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String envOr(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }
}
