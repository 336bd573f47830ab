package io.kube4j.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.KubeConfigLoader;
import io.kube4j.node.testsupport.TestImages;

/**
 * What a user of {@code ./kube4j up} pays: (a) wall time from invoking {@code up} (jars built) to the first Ready
 * node, (b) resident memory of every process the cluster runs (the pid files in {@code $KUBE4J_HOME/run} and their
 * children, from {@code /proc}; etcd apart), (c) idle CPU per process over a window after the cluster settled
 * (utime+stime from {@code /proc/<pid>/stat}, % of one core), (d) create → Running of a pod created right after
 * {@code up} (through the scheduler, a local busybox image); then {@code ./kube4j down --purge}.
 *
 * <p>Arguments: {@code [repo dir] [iterations] [idle window s] [--settle=S] [--modes=default,processes]
 * [--up-arg=X ...] [--role-jvm-options="OPTS"] [--up-timeout=S]} (default 600 s). A mode is the extra argument list of {@code up}: {@code default} none, any other word
 * {@code --<word>} (so {@code processes} runs {@code up --processes}, the one-process-per-role cluster, beside the
 * one-JVM default). The cluster gets the isolation environment below unless the caller's environment sets it.
 * {@code --role-jvm-options} sets {@code JDK_JAVA_OPTIONS} for every JVM {@code up} starts, to compare JVM options.
 * Docker's own processes (dockerd, containerd, the pod's containers) are not counted: they run without kube4j too.
 */
public final class LocalClusterBenchmark {

    private static final Map<String, String> ISOLATION = new LinkedHashMap<>();

    static {
        ISOLATION.put("KUBE4J_HOME", "/tmp/kube4j-bench-home");
        ISOLATION.put("KUBE4J_API_PORT", "26443");
        ISOLATION.put("KUBE4J_GATEWAY_PORT", "28443");
        ISOLATION.put("KUBE4J_GATEWAY_MGMT_PORT", "26261");
        ISOLATION.put("KUBE4J_SCHEDULER_PORT", "26259");
        ISOLATION.put("KUBE4J_CONTROLLER_PORT", "26257");
        ISOLATION.put("KUBE4J_NODE_API_PORT", "26250");
        ISOLATION.put("KUBE4J_NODE_HEALTH_PORT", "26350");
        ISOLATION.put("KUBE4J_PROXY_PORT", "26450");
        ISOLATION.put("KUBE4J_PROXY_HEALTHZ_PORT", "26550");
        ISOLATION.put("KUBE4J_ETCD_PORT", "26379");
        ISOLATION.put("KUBE4J_NODE_NAME", "bench");
        ISOLATION.put("KUBE4J_CLUSTER_CIDR", "10.252.0.0/16");
        ISOLATION.put("KUBE4J_PROXY_MODE", "userspace");
    }

    private static final Pattern READY_LINE = Pattern.compile("kube4j: (\\S+) is ready");
    private static final Pattern STARTED_LINE = Pattern.compile("Started (\\S+) in ([0-9.]+) seconds");

    private LocalClusterBenchmark() {
    }

    /** One process group of the cluster (a pid file's process and its children). */
    record Proc(String component, double startCpuSeconds, long rssKiB, double cpuPercent, int threads,
                String startedIn) {
    }

    /** The figures of one {@code up}. */
    record Result(String mode, double upExitSeconds, double nodeReadySeconds, double podRunningSeconds,
                  Map<String, Double> readyAt, List<Proc> procs, double downSeconds) {
        long rssKiB(boolean etcd) {
            return procs.stream().filter(p -> p.component().equals("etcd") == etcd).mapToLong(Proc::rssKiB).sum();
        }

        double cpu(boolean etcd) {
            return procs.stream().filter(p -> p.component().equals("etcd") == etcd).mapToDouble(Proc::cpuPercent).sum();
        }

        double startCpu() {
            return procs.stream().filter(p -> !p.component().equals("etcd")).mapToDouble(Proc::startCpuSeconds).sum();
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>();
        List<String> modes = List.of("default");
        List<String> upArgs = new ArrayList<>();
        int settle = 60;
        String roleJvmOptions = null;
        Duration upTimeout = Duration.ofMinutes(10);
        for (String a : args) {
            if (a.startsWith("--modes=")) {
                modes = List.of(a.substring("--modes=".length()).split(","));
            } else if (a.startsWith("--settle=")) {
                settle = Integer.parseInt(a.substring("--settle=".length()));
            } else if (a.startsWith("--role-jvm-options=")) {
                roleJvmOptions = a.substring("--role-jvm-options=".length());
            } else if (a.startsWith("--up-timeout=")) {
                upTimeout = Duration.ofSeconds(Long.parseLong(a.substring("--up-timeout=".length())));
            } else if (a.startsWith("--up-arg=")) {
                upArgs.add(a.substring("--up-arg=".length()));
            } else if (a.startsWith("--")) {
                throw new IllegalArgumentException("unknown option " + a
                        + " (known: --modes=default,processes --settle=S --up-arg=X --role-jvm-options=OPTS --up-timeout=S)");
            } else {
                positional.add(a);
            }
        }
        Path repo = Path.of(positional.size() > 0 ? positional.get(0) : ".").toAbsolutePath().normalize();
        int iterations = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 1;
        int idle = positional.size() > 2 ? Integer.parseInt(positional.get(2)) : 60;
        if (!Files.isExecutable(repo.resolve("kube4j"))) {
            throw new IllegalArgumentException(repo + " has no executable ./kube4j: pass the repository directory");
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        ISOLATION.forEach(env::putIfAbsent);
        Path home = Path.of(env.get("KUBE4J_HOME"));
        // up merges a context into $HOME/.kube/config: point HOME elsewhere so the user's file stays as it is
        Path benchHome = home.resolveSibling(home.getFileName() + "-user-home");
        Files.createDirectories(benchHome);
        Path m2 = Path.of(System.getProperty("user.home"), ".m2");
        if (Files.isDirectory(m2) && !Files.exists(benchHome.resolve(".m2"))) {
            Files.createSymbolicLink(benchHome.resolve(".m2"), m2);
        }
        env.put("HOME", benchHome.toString());
        if (roleJvmOptions != null) {
            // every JVM that up starts reads it (the java launcher's own variable): compares JVM options quickly
            env.put("JDK_JAVA_OPTIONS", roleJvmOptions);
        }
        String image = TestImages.busybox();
        long clkTck = clockTicks();
        System.out.printf(Locale.ROOT, "local cluster: %s/kube4j up, %d iteration(s) x modes %s, settle %d s, idle window %d s,"
                + " KUBE4J_HOME=%s, %d CPUs, pod image %s, JDK_JAVA_OPTIONS=%s%n", repo, iterations, modes, settle, idle, home,
                Runtime.getRuntime().availableProcessors(), image, env.getOrDefault("JDK_JAVA_OPTIONS", ""));

        Map<String, List<Result>> results = new LinkedHashMap<>();
        for (int it = 1; it <= iterations; it++) {
            for (String mode : modes) {
                List<String> extra = new ArrayList<>(mode.equals("default") ? List.of() : List.of("--" + mode));
                extra.addAll(upArgs);
                System.out.printf(Locale.ROOT, "%n== iteration %d, mode %s: ./kube4j up %s (load average before: %s)%n", it,
                        mode, String.join(" ", extra), loadAverage());
                Result r = runOnce(repo, env, home, mode, extra, image, settle, idle, clkTck, it, upTimeout);
                if (r != null) {
                    printResult(r);
                    results.computeIfAbsent(mode, m -> new ArrayList<>()).add(r);
                }
            }
        }
        printSummary(results);
        System.exit(0);
    }

    private static Result runOnce(Path repo, Map<String, String> env, Path home, String mode, List<String> upArgs,
                                  String image, int settle, int idle, long clkTck, int iteration, Duration upTimeout)
            throws Exception {
        exec(repo, env, List.of("./kube4j", "down", "--purge"), Duration.ofMinutes(2));
        List<String> cmd = new ArrayList<>(List.of("./kube4j", "up"));
        cmd.addAll(upArgs);
        Map<String, Double> readyAt = new LinkedHashMap<>();
        List<String> output = new ArrayList<>();
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process up = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    double at = (System.nanoTime() - t0) / 1e9;
                    synchronized (output) {
                        output.add(line);
                    }
                    Matcher m = READY_LINE.matcher(line);
                    if (m.find()) {
                        readyAt.put(m.group(1), at);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "up-output");
        reader.start();
        // the first Ready node, polled through the admin kubeconfig as soon as up has written it
        Path kubeconfig = home.resolve("admin.kubeconfig");
        KubeClient client = null;
        double nodeReady = Double.NaN;
        double upExit = Double.NaN;
        long deadline = t0 + upTimeout.toNanos();
        while (System.nanoTime() < deadline && (Double.isNaN(nodeReady) || up.isAlive())) {
            if (!up.isAlive() && Double.isNaN(upExit)) {
                upExit = (System.nanoTime() - t0) / 1e9;
                if (up.exitValue() != 0) {
                    break;
                }
            }
            if (Double.isNaN(nodeReady)) {
                if (client == null && Files.exists(kubeconfig)) {
                    client = KubeClient.create(KubeConfigLoader.load(kubeconfig, null));
                }
                if (client != null && anyNodeReady(client)) {
                    nodeReady = (System.nanoTime() - t0) / 1e9;
                }
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        if (Double.isNaN(upExit) && !up.isAlive()) {
            upExit = (System.nanoTime() - t0) / 1e9;
        }
        reader.join(5000);
        if (up.isAlive() || up.exitValue() != 0 || Double.isNaN(nodeReady)) {
            System.out.printf("up failed (%s); its last lines:%n", up.isAlive() ? "still running after " + upTimeout
                    : Double.isNaN(nodeReady) ? "exit " + up.exitValue() + ", no Ready node" : "exit " + up.exitValue());
            up.destroy();
            synchronized (output) {
                output.subList(Math.max(0, output.size() - 25), output.size()).forEach(l -> System.out.println("    " + l));
            }
            exec(repo, env, List.of("./kube4j", "down", "--purge"), Duration.ofMinutes(2));
            return null;
        }
        synchronized (output) {
            if (output.stream().anyMatch(l -> l.contains("kube4j: building ("))) {
                System.out.println("NOTE: up built the jars first: its time includes the build");
            }
        }

        // CPU time the processes used to start (until the node was Ready): unlike wall time, it does not depend on
        // what else the machine runs
        Map<String, Double> startCpu = new HashMap<>();
        processGroups(home.resolve("run")).forEach((c, pids) -> startCpu.put(c, (double) ticks(pids) / clkTck));

        // (d) a pod created right after up, scheduled like any other
        double podRunning = podCreateToRunning(client, image, "bench-" + iteration);

        // (b), (c) after the cluster settled
        TimeUnit.SECONDS.sleep(settle);
        Map<String, List<Integer>> groups = processGroups(home.resolve("run"));
        Map<String, Long> before = new HashMap<>();
        groups.forEach((c, pids) -> before.put(c, ticks(pids)));
        long w0 = System.nanoTime();
        TimeUnit.SECONDS.sleep(idle);
        double window = (System.nanoTime() - w0) / 1e9;
        List<Proc> procs = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
            long dt = ticks(g.getValue()) - before.get(g.getKey());
            procs.add(new Proc(g.getKey(), startCpu.getOrDefault(g.getKey(), Double.NaN), rssKiB(g.getValue()), 100.0 * dt / clkTck / window,
                    threads(g.getValue()), startedIn(home.resolve("logs").resolve(g.getKey() + ".log"))));
        }
        client.close();
        long d0 = System.nanoTime();
        exec(repo, env, List.of("./kube4j", "down", "--purge"), Duration.ofMinutes(3));
        double down = (System.nanoTime() - d0) / 1e9;
        return new Result(mode, upExit, nodeReady, podRunning, readyAt, procs, down);
    }

    private static boolean anyNodeReady(KubeClient client) {
        try {
            List<Node> nodes = client.resources(Node.class).list(null, ListOptions.all())
                    .block(Duration.ofSeconds(5)).getItems();
            return nodes.stream().anyMatch(n -> n.getStatus() != null && n.getStatus().getConditions() != null
                    && n.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
        } catch (RuntimeException e) {
            return false; // not serving yet
        }
    }

    /** Seconds from the create request to the pod's phase Running (polled every 50 ms), NaN after 2 minutes. */
    private static double podCreateToRunning(KubeClient client, String image, String name) throws InterruptedException {
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(1L).addNewContainer().withName("main")
                .withImage(image).withImagePullPolicy("IfNotPresent").withCommand("sleep", "3600").endContainer()
                .endSpec().build();
        long t0 = System.nanoTime();
        client.resources(Pod.class).create(pod).block(Duration.ofSeconds(30));
        long deadline = t0 + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            Pod p = client.resources(Pod.class).get("default", name).block(Duration.ofSeconds(10));
            if (p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase())) {
                return (System.nanoTime() - t0) / 1e9;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        System.out.println("the pod " + name + " did not run within 2 minutes");
        return Double.NaN;
    }

    /** component (pid file name) → its pid and all its descendants. */
    static Map<String, List<Integer>> processGroups(Path runDir) throws IOException {
        Map<Integer, List<Integer>> children = new HashMap<>();
        try (Stream<Path> ps = Files.list(Path.of("/proc"))) {
            ps.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                String[] f = statFields(Integer.parseInt(p.getFileName().toString()));
                if (f != null) {
                    children.computeIfAbsent(Integer.parseInt(f[1]), k -> new ArrayList<>())
                            .add(Integer.parseInt(p.getFileName().toString()));
                }
            });
        }
        Map<String, List<Integer>> groups = new TreeMap<>();
        if (!Files.isDirectory(runDir)) {
            return groups;
        }
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".pid")).sorted().toList()) {
                String s = Files.readString(f).strip();
                if (!s.matches("\\d+") || !Files.exists(Path.of("/proc", s))) {
                    continue;
                }
                List<Integer> pids = new ArrayList<>();
                List<Integer> todo = new ArrayList<>(List.of(Integer.parseInt(s)));
                while (!todo.isEmpty()) {
                    int pid = todo.remove(todo.size() - 1);
                    pids.add(pid);
                    todo.addAll(children.getOrDefault(pid, List.of()));
                }
                groups.put(f.getFileName().toString().replaceFirst("\\.pid$", ""), pids);
            }
        }
        return groups;
    }

    /** The fields of /proc/pid/stat after the command name: [0] state, [1] ppid, ..., [11] utime, [12] stime. */
    private static String[] statFields(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null; // gone
        }
    }

    private static long ticks(List<Integer> pids) {
        long sum = 0;
        for (int pid : pids) {
            String[] f = statFields(pid);
            if (f != null) {
                sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
        }
        return sum;
    }

    private static long rssKiB(List<Integer> pids) {
        return pids.stream().mapToLong(pid -> statusValue(pid, "VmRSS:")).sum();
    }

    private static int threads(List<Integer> pids) {
        return (int) pids.stream().mapToLong(pid -> statusValue(pid, "Threads:")).sum();
    }

    private static long statusValue(int pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    /** Spring Boot's own "Started X in N seconds" lines of a component's log (one per application context). */
    private static String startedIn(Path log) {
        if (!Files.exists(log)) {
            return "";
        }
        List<String> found = new ArrayList<>();
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            lines.forEach(l -> {
                Matcher m = STARTED_LINE.matcher(l);
                if (m.find()) {
                    found.add(m.group(1).replace("Application", "") + " " + m.group(2) + "s");
                }
            });
        } catch (IOException | RuntimeException e) {
            return "";
        }
        return String.join(", ", found);
    }

    private static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
        } catch (IOException e) {
            return "?";
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            p.waitFor();
            return Long.parseLong(out);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 100;
        }
    }

    private static void exec(Path dir, Map<String, String> env, List<String> cmd, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + timeout);
        }
    }

    private static void printResult(Result r) {
        System.out.printf(Locale.ROOT, "up exited after %.1f s; first Ready node after %.1f s; pod create->Running %.2f s;"
                + " down --purge %.1f s%n", r.upExitSeconds(), r.nodeReadySeconds(), r.podRunningSeconds(), r.downSeconds());
        StringBuilder ready = new StringBuilder("ready at (s after up):");
        r.readyAt().forEach((c, t) -> ready.append(String.format(Locale.ROOT, " %s %.1f", c, t)));
        System.out.println(ready);
        System.out.printf("%-20s %13s %9s %12s %8s  %s%n", "process", "start CPU s", "RSS MiB", "idle CPU %",
                "threads", "Spring Boot start");
        for (Proc p : r.procs()) {
            System.out.printf(Locale.ROOT, "%-20s %13.1f %9.0f %12.2f %8d  %s%n", p.component(), p.startCpuSeconds(),
                    p.rssKiB() / 1024.0, p.cpuPercent(), p.threads(), p.startedIn());
        }
        System.out.printf(Locale.ROOT, "%-20s %13.1f %9.0f %12.2f%n", "total without etcd", r.startCpu(),
                r.rssKiB(false) / 1024.0, r.cpu(false));
    }

    private static void printSummary(Map<String, List<Result>> results) {
        System.out.printf("%n== summary (median over iterations)%n");
        System.out.printf("%-42s", "figure");
        results.keySet().forEach(m -> System.out.printf("%14s", m));
        System.out.printf("  %s%n", "goal; published references");
        row(results, "up -> first Ready node (s)", Result::nodeReadySeconds, "%.1f",
                "< 10 s; kind 12-17 s, minikube 40-90 s");
        row(results, "up command exit (s)", Result::upExitSeconds, "%.1f", "");
        row(results, "CPU time to start, kube4j processes (s)", Result::startCpu, "%.1f",
                "wall time / CPUs is the floor on an idle machine");
        row(results, "RSS, all kube4j processes (MiB)", r -> r.rssKiB(false) / 1024.0, "%.0f",
                "< 600 MiB; k3s server ~500 MB idle");
        row(results, "RSS, etcd (MiB)", r -> r.rssKiB(true) / 1024.0, "%.0f", "(none with the embedded store)");
        row(results, "idle CPU, all kube4j processes (% core)", r -> r.cpu(false), "%.2f",
                "< 2 %; Kubernetes apiserver 7-9 % + kubelet 4-6 %");
        row(results, "idle CPU, etcd (% core)", r -> r.cpu(true), "%.2f", "");
        row(results, "pod create -> Running after up (s)", Result::podRunningSeconds, "%.2f", "< 3 s");
    }

    private static void row(Map<String, List<Result>> results, String name, ToDoubleFunction<Result> f, String fmt,
                            String goal) {
        System.out.printf("%-42s", name);
        for (List<Result> rs : results.values()) {
            double[] v = rs.stream().mapToDouble(f).sorted().toArray();
            System.out.printf("%14s", v.length == 0 ? "-" : String.format(Locale.ROOT, fmt, v[v.length / 2]));
        }
        System.out.printf("  %s%n", goal);
    }
}
