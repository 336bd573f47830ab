package io.kube4j.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The apiserver as a separate process, started from the built exec jar, so that its CPU time, RSS and heap can be
 * measured apart from the load generator's.
 */
final class ApiServerProcess implements AutoCloseable {

    private final JvmProcess process;
    private final int port;

    private ApiServerProcess(JvmProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts {@code -Dapiserver.jar} (default: apiserver-service/target/*-exec.jar, else the local Maven repository)
     * on etcd with {@code -Dapiserver.jvmArgs} and waits for /readyz.
     */
    static ApiServerProcess start(String etcdEndpoint, Path logDir) throws IOException, InterruptedException {
        Path jar = JvmProcess.findExecJar("apiserver-service", "apiserver.jar");
        int port = JvmProcess.freePort();
        JvmProcess p = JvmProcess.start("apiserver", System.getProperty("apiserver.jvmArgs", "-Xms256m -Xmx1g"),
                List.of("-jar", jar.toString(), "--server.port=" + port, "--server.address=127.0.0.1",
                        "--kube4j.apiserver.etcd.endpoints=" + etcdEndpoint,
                        // the benchmarks talk plain HTTP without credentials
                        "--kube4j.apiserver.authentication.insecure-development=true"), logDir);
        ApiServerProcess a = new ApiServerProcess(p, port);
        p.awaitHttpOk(a.url() + "/readyz", Duration.ofSeconds(120));
        return a;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    /** User + system CPU time the process has used so far, in seconds. */
    double cpuSeconds() {
        return process.cpuSeconds();
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
        process.close();
    }
}
