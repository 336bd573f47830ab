package io.kube4j.node.source;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Pod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static pods from manifests, re-read every period: from a directory ({@code file}: every {@code .yaml},
 * {@code .yml} and {@code .json} file, hidden files ignored, as the kubelet's {@code --pod-manifest-path}) or from
 * an HTTP URL ({@code http}: {@code --manifest-url}). A manifest that cannot be read or parsed is logged and its
 * pods are left as they were (a half-written file does not kill running pods).
 */
public final class ManifestPodSource implements PodSource {

    private static final Logger log = LoggerFactory.getLogger(ManifestPodSource.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String name;
    private final Path dir;
    private final URI url;
    private final String nodeName;
    private final Duration period;
    private final ScheduledExecutorService scheduler;
    private final java.util.concurrent.Executor io;
    private volatile ScheduledFuture<?> task;
    private volatile boolean ready;
    private volatile List<Pod> lastGood = List.of();

    private ManifestPodSource(String name, Path dir, URI url, String nodeName, Duration period,
                              ScheduledExecutorService scheduler, java.util.concurrent.Executor io) {
        this.name = name;
        this.dir = dir;
        this.url = url;
        this.nodeName = nodeName;
        this.period = period;
        this.scheduler = scheduler;
        this.io = io;
    }

    public static ManifestPodSource directory(Path dir, String nodeName, Duration period,
                                              ScheduledExecutorService scheduler, java.util.concurrent.Executor io) {
        return new ManifestPodSource("file", dir, null, nodeName, period, scheduler, io);
    }

    public static ManifestPodSource url(URI url, String nodeName, Duration period, ScheduledExecutorService scheduler,
                                        java.util.concurrent.Executor io) {
        return new ManifestPodSource("http", null, url, nodeName, period, scheduler, io);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start(PodSourceListener listener) {
        task = scheduler.scheduleWithFixedDelay(() -> io.execute(() -> poll(listener)), 0, period.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Reads the manifests now (also called by the period). */
    public synchronized void poll(PodSourceListener listener) {
        try {
            List<Pod> pods = dir != null ? readDirectory() : readUrl();
            lastGood = pods;
            listener.snapshot(name, pods);
        } catch (Exception e) {
            log.warn("static pods from {} not updated: {}", dir != null ? dir : url, e.getMessage());
            if (!ready) {
                listener.snapshot(name, lastGood);
            }
        }
        ready = true;
    }

    private List<Pod> readDirectory() throws IOException {
        List<Pod> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out; // the kubelet tolerates a missing directory: no static pods
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")
                            || p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path f : files) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            try {
                for (Pod p : StaticPods.parse(text, f.toString())) {
                    out.add(StaticPods.prepare(p, nodeName, name, f.toString()));
                }
            } catch (RuntimeException e) {
                log.warn("static pod manifest {} skipped: {}", f, e.getMessage());
            }
        }
        return out;
    }

    private List<Pod> readUrl() throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + url + " answered " + r.statusCode());
        }
        List<Pod> out = new ArrayList<>();
        for (Pod p : StaticPods.parse(r.body(), url.toString())) {
            out.add(StaticPods.prepare(p, nodeName, name, url.toString()));
        }
        return out;
    }

    @Override
    public void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }

    @Override
    public boolean ready() {
        return ready;
    }
}
