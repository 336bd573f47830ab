package io.kube4j.benchmarks;

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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The apiserver as a separate process, started from the built exec jar, so that its CPU time, RSS and heap can be
 * measured apart from the load generator's.
 */
final class ApiServerProcess implements AutoCloseable {

    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux
    private final Process process;
    private final int port;
    private final Path log;

    private ApiServerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts {@code -Dapiserver.jar} (default: apiserver-service/target/*-exec.jar) on etcd and waits for /readyz. */
    static ApiServerProcess start(String etcdEndpoint, Path logDir) throws IOException, InterruptedException {
        Path jar = findJar();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(System.getProperty("apiserver.jvmArgs", "-Xms256m -Xmx1g").trim().split("\\s+")));
        cmd.addAll(List.of("-jar", jar.toString(), "--server.port=" + port, "--server.address=127.0.0.1",
                "--kube4j.apiserver.etcd.endpoints=" + etcdEndpoint));
        Path log = logDir.resolve("apiserver.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ApiServerProcess a = new ApiServerProcess(p, port, log);
        Runtime.getRuntime().addShutdownHook(new Thread(a::close, "apiserver-stop"));
        a.awaitReady();
        return a;
    }

    private static Path findJar() {
        String configured = System.getProperty("apiserver.jar");
        if (configured != null) {
            return Path.of(configured);
        }
        for (String base : List.of(".", "..")) {
            Path p = Path.of(base, "apiserver-service", "target", "apiserver-service-0.1.0-SNAPSHOT-exec.jar");
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("apiserver-service/target/apiserver-service-0.1.0-SNAPSHOT-exec.jar not found: "
                + "build it first (./mvnw -q -pl benchmarks -am install -DskipTests) or pass -Dapiserver.jar=...");
    }

    private void awaitReady() throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the apiserver exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/readyz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the apiserver was not ready within 120 s; see " + log);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    /** User + system CPU time the process has used so far, in seconds (from /proc/pid/stat). */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is f[0], utime is field 14 overall -> f[11], stime f[12]
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS_PER_SECOND;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** Resident set size in MiB (VmRSS). */
    double rssMiB() {
        try {
            Matcher m = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(Files.readString(Path.of("/proc", Long.toString(pid()), "status")));
            return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** Heap in use after a full GC (jcmd GC.run, then the jvm.memory.used heap gauge), in MiB; NaN if unavailable. */
    double heapUsedAfterGcMiB() {
        try {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            gc.waitFor(60, TimeUnit.SECONDS);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String body = http.send(HttpRequest.newBuilder(URI.create(url() + "/actuator/metrics/jvm.memory.used?tag=area:heap"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("\"value\"\\s*:\\s*([0-9.eE+]+)").matcher(body);
            return m.find() ? Double.parseDouble(m.group(1)) / (1024 * 1024) : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
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
