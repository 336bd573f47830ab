package io.kube4j.node.server;

import java.io.Closeable;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.kube4j.node.runtime.ContainerRuntime;
import io.kube4j.node.runtime.ContainerSpec;
import io.kube4j.node.runtime.ContainerStats;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.runtime.ExecResult;
import io.kube4j.node.runtime.ImageInfo;
import io.kube4j.node.runtime.LogRequest;
import io.kube4j.node.runtime.OutputSink;
import io.kube4j.node.runtime.RuntimeInfo;
import io.kube4j.node.runtime.RuntimeLabels;
import io.kube4j.node.runtime.Sandbox;
import io.kube4j.node.runtime.SandboxSpec;
import io.kube4j.node.runtime.StreamHandle;
import io.kube4j.node.runtime.StreamIo;

/**
 * Test-only: the streaming half of a container runtime over the real Docker engine (docker-java), for containers
 * the tests start themselves with the runtime labels. Lifecycle methods are not needed by the node API and throw.
 * The production {@code DockerRuntime} is built separately; this keeps the node API's tests real without it.
 */
final class DockerTestRuntime implements ContainerRuntime {

    private final DockerClient docker;
    private final String node;
    /** Streams opened and closed, so tests can check that a departed client's stream was released. */
    final AtomicLong opened = new AtomicLong();
    final AtomicLong closed = new AtomicLong();
    final List<String> resizes = new CopyOnWriteArrayList<>();

    DockerTestRuntime(String node) {
        this.node = node;
        DefaultDockerClientConfig cfg = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost("unix:///var/run/docker.sock").build();
        this.docker = DockerClientImpl.getInstance(cfg, new ApacheDockerHttpClient.Builder()
                .dockerHost(URI.create("unix:///var/run/docker.sock")).connectionTimeout(Duration.ofSeconds(10))
                .build());
    }

    @Override
    public List<ContainerStatus> listContainers() {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(RuntimeLabels.NODE, node)).exec().stream()
                .map(c -> inspectContainer(c.getId()).orElse(null))
                .filter(java.util.Objects::nonNull)
                .toList();
    }

    @Override
    public Optional<ContainerStatus> inspectContainer(String id) {
        InspectContainerResponse r = docker.inspectContainerCmd(id).exec();
        Map<String, String> l = r.getConfig().getLabels();
        ContainerStatus.State state = Boolean.TRUE.equals(r.getState().getRunning()) ? ContainerStatus.State.RUNNING
                : "created".equals(r.getState().getStatus()) ? ContainerStatus.State.CREATED : ContainerStatus.State.EXITED;
        Long exit = r.getState().getExitCodeLong();
        return Optional.of(new ContainerStatus(r.getId(), l.get(RuntimeLabels.POD_UID), l.get(RuntimeLabels.POD_NAME),
                l.get(RuntimeLabels.POD_NAMESPACE), l.get(RuntimeLabels.CONTAINER_NAME),
                Integer.parseInt(l.getOrDefault(RuntimeLabels.ATTEMPT, "0")), null, state,
                Instant.parse(r.getCreated()), null, null, exit == null ? 0 : exit.intValue(), null, null,
                r.getConfig().getImage(), r.getImageId(), null, l));
    }

    @Override
    public List<Sandbox> listSandboxes() {
        return List.of();
    }

    @Override
    public StreamHandle exec(String containerId, List<String> command, StreamIo io) {
        if (io.stdin() != null && !io.tty()) {
            return cliExec(containerId, command, io);
        }
        ExecCreateCmdResponse created = docker.execCreateCmd(containerId).withCmd(command.toArray(String[]::new))
                .withAttachStdin(io.stdin() != null).withAttachStdout(io.stdout()).withAttachStderr(io.stderr())
                .withTty(io.tty()).exec();
        String execId = created.getId();
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Callback cb = new Callback(io.sink(), () -> {
            Long code = docker.inspectExecCmd(execId).exec().getExitCodeLong();
            done.complete(code == null ? -1 : code.intValue());
        }, done);
        var start = docker.execStartCmd(execId).withDetach(false).withTty(io.tty());
        if (io.stdin() != null) {
            start = start.withStdIn(io.stdin());
        }
        start.exec(cb);
        opened.incrementAndGet();
        return new Handle(done, cb, (w, h) -> docker.resizeExecCmd(execId).withSize(h, w).exec());
    }

    /**
     * {@code docker exec -i} through the CLI: docker-java's hijacked stdin never half-closes the connection, so a
     * process would never see the end of its input; the CLI does.
     */
    private StreamHandle cliExec(String containerId, List<String> command, StreamIo io) {
        List<String> args = new java.util.ArrayList<>(List.of("docker", "exec", "-i", containerId));
        args.addAll(command);
        Process p;
        try {
            p = new ProcessBuilder(args).start();
        } catch (java.io.IOException e) {
            throw new io.kube4j.node.runtime.RuntimeOperationException("docker exec failed: " + e.getMessage(), e);
        }
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Thread in = new Thread(() -> {
            try (var out = p.getOutputStream()) {
                byte[] buf = new byte[8192];
                for (int n; (n = io.stdin().read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (java.io.IOException e) {
                // the process went away
            }
        }, "test-exec-stdin");
        Thread outT = pump(p.getInputStream(), io.sink()::stdout);
        Thread errT = pump(p.getErrorStream(), io.sink()::stderr);
        in.setDaemon(true);
        in.start();
        Thread waiter = new Thread(() -> {
            try {
                int code = p.waitFor();
                outT.join();
                errT.join();
                done.complete(code);
            } catch (InterruptedException e) {
                done.completeExceptionally(e);
            }
        }, "test-exec-wait");
        waiter.setDaemon(true);
        waiter.start();
        opened.incrementAndGet();
        return new Handle(done, p::destroy, (w, h) -> { });
    }

    private static Thread pump(java.io.InputStream from, java.util.function.Consumer<byte[]> to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = from.read(buf)) >= 0; ) {
                    to.accept(java.util.Arrays.copyOf(buf, n));
                }
            } catch (java.io.IOException e) {
                // closed
            }
        }, "test-exec-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public StreamHandle attach(String containerId, StreamIo io) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Callback cb = new Callback(io.sink(), () -> done.complete(0), done);
        var cmd = docker.attachContainerCmd(containerId).withFollowStream(true).withLogs(false)
                .withStdOut(io.stdout()).withStdErr(io.stderr());
        if (io.stdin() != null) {
            cmd = cmd.withStdIn(io.stdin());
        }
        cmd.exec(cb);
        opened.incrementAndGet();
        return new Handle(done, cb, (w, h) -> docker.resizeContainerCmd(containerId).withSize(h, w).exec());
    }

    @Override
    public StreamHandle logs(String containerId, LogRequest request, OutputSink sink) {
        var cmd = docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true)
                .withFollowStream(request.follow()).withTimestamps(request.timestamps());
        if (request.tailLines() != null) {
            cmd = cmd.withTail(request.tailLines());
        }
        if (request.since() != null) {
            cmd = cmd.withSince((int) request.since().getEpochSecond());
        }
        CompletableFuture<Integer> done = new CompletableFuture<>();
        OutputSink limited = request.limitBytes() == null ? sink : new OutputSink() {
            long left = request.limitBytes();

            @Override
            public void stdout(byte[] data) {
                if (left > 0) {
                    byte[] d = data.length > left ? java.util.Arrays.copyOf(data, (int) left) : data;
                    left -= d.length;
                    sink.stdout(d);
                }
            }

            @Override
            public void stderr(byte[] data) {
                stdout(data);
            }
        };
        Callback cb = new Callback(limited, () -> done.complete(0), done);
        cmd.exec(cb);
        opened.incrementAndGet();
        return new Handle(done, cb, (w, h) -> { });
    }

    @Override
    public Optional<ContainerStats> stats(String containerId) {
        var cb = docker.statsCmd(containerId).withNoStream(true).exec(new ResultCallback.Adapter<com.github.dockerjava.api.model.Statistics>() {
            volatile com.github.dockerjava.api.model.Statistics last;

            @Override
            public void onNext(com.github.dockerjava.api.model.Statistics s) {
                last = s;
            }
        });
        try {
            cb.awaitCompletion(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        var s = cb.last;
        if (s == null || s.getCpuStats() == null || s.getCpuStats().getCpuUsage() == null) {
            return Optional.empty();
        }
        long usage = s.getMemoryStats().getUsage() == null ? 0 : s.getMemoryStats().getUsage();
        Map<String, Long> ms = s.getMemoryStats().getStats() == null ? Map.of() : Map.of(
                "inactive", Optional.ofNullable(s.getMemoryStats().getStats().getTotalInactiveFile()).orElse(0L),
                "rss", Optional.ofNullable(s.getMemoryStats().getStats().getRss()).orElse(0L));
        return Optional.of(new ContainerStats(Instant.now(), s.getCpuStats().getCpuUsage().getTotalUsage(), usage,
                Math.max(0, usage - ms.getOrDefault("inactive", 0L)), ms.getOrDefault("rss", 0L), -1));
    }

    private final class Callback extends ResultCallback.Adapter<Frame> {
        private final OutputSink sink;
        private final Runnable onEnd;
        private final CompletableFuture<Integer> done;

        Callback(OutputSink sink, Runnable onEnd, CompletableFuture<Integer> done) {
            this.sink = sink;
            this.onEnd = onEnd;
            this.done = done;
        }

        @Override
        public void onNext(Frame f) {
            if (f.getStreamType() == StreamType.STDERR) {
                sink.stderr(f.getPayload());
            } else if (f.getStreamType() == StreamType.STDOUT || f.getStreamType() == StreamType.RAW) {
                sink.stdout(f.getPayload());
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
            super.onError(t);
        }

        @Override
        public void onComplete() {
            try {
                onEnd.run();
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
            super.onComplete();
        }
    }

    private interface Resizer {
        void resize(int width, int height);
    }

    private final class Handle implements StreamHandle {
        private final CompletableFuture<Integer> done;
        private final Closeable callback;
        private final Resizer resizer;
        private final java.util.concurrent.atomic.AtomicBoolean isClosed = new java.util.concurrent.atomic.AtomicBoolean();

        Handle(CompletableFuture<Integer> done, Closeable callback, Resizer resizer) {
            this.done = done;
            this.callback = callback;
            this.resizer = resizer;
            done.whenComplete((v, e) -> markClosed());
        }

        private void markClosed() {
            if (isClosed.compareAndSet(false, true)) {
                closed.incrementAndGet();
            }
        }

        @Override
        public CompletableFuture<Integer> completion() {
            return done;
        }

        @Override
        public void resize(int width, int height) {
            resizes.add(width + "x" + height);
            resizer.resize(width, height);
        }

        @Override
        public void close() {
            try {
                callback.close();
            } catch (java.io.IOException e) {
                // closing a finished stream
            }
            done.completeExceptionally(new java.util.concurrent.CancellationException("stream closed"));
            markClosed();
        }
    }

    // ---- not needed by the node API

    @Override
    public RuntimeInfo info() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<ImageInfo> inspectImage(String image) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ImageInfo pullImage(String image) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Sandbox runSandbox(SandboxSpec spec) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void stopSandbox(String sandboxId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void removeSandbox(String sandboxId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String createContainer(Sandbox sandbox, ContainerSpec spec) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void startContainer(String containerId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void stopContainer(String containerId, Duration gracePeriod) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void removeContainer(String containerId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void ensureTmpfsVolume(String name, long sizeBytes, String podUid) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void removePodVolumes(String podUid) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ExecResult execSync(String containerId, List<String> command, Duration timeout) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
        try {
            docker.close();
        } catch (java.io.IOException e) {
            // ignore
        }
    }

    static String ip(String containerId) {
        return NodeApiTestImages.run("docker", "inspect", "-f", "{{.NetworkSettings.IPAddress}}", containerId).out();
    }

}
