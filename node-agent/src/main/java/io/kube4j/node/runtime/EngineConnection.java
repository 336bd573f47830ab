package io.kube4j.node.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.kube4j.client.util.Clock;
import io.kube4j.node.pod.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A runtime whose engine may not answer yet, or may go away and come back: the node agent starts anyway and reports
 * why its node is not ready, as the kubelet does ({@code Ready=False}, {@code KubeletNotReady}, {@code container
 * runtime is down: ...}) instead of exiting.
 *
 * <p>While the engine is down, a connect is retried with a capped exponential backoff ({@code retryInitial} doubling
 * up to {@code retryMax}); a connect sets the engine up for pods (Docker: network and pause image), so an engine that
 * comes back empty is set up again. While it is up, it is pinged every {@code checkPeriod} (the kubelet checks its
 * runtime every 5 s). A failure is logged once per distinct message, not at every retry. Every operation on a
 * down engine fails at once with the reason, so {@link #info()} failing makes the node NotReady with it.
 *
 * <p>The first connect is made by {@link #start()}, in the caller's thread: an engine that answers but cannot be
 * used as configured (a clashing network) is a configuration error and fails the start, as before.
 */
public final class EngineConnection implements ContainerRuntime {

    private static final Logger log = LoggerFactory.getLogger(EngineConnection.class);
    private static final String BACKOFF_KEY = "engine";

    /**
     * The engine behind the runtime.
     *
     * @param connect checks that it answers and sets it up for pods; throws {@link EngineUnavailableException} when
     *                nothing answers, another exception when it answers but cannot be used
     * @param ping    checks that it answers; throws when it does not
     */
    public record Engine(Runnable connect, Runnable ping) {
    }

    private final String nodeName;
    private final ContainerRuntime delegate;
    private final Engine engine;
    private final Runnable onConnect;
    private final Backoff backoff;
    private final Duration checkPeriod;
    private final Duration retryMax;
    private final Clock clock;
    private final CompletableFuture<Void> firstUp = new CompletableFuture<>();
    private volatile RuntimeHealth health;
    private String lastLogged;
    private int failures;
    private ScheduledExecutorService timer;
    private volatile boolean closed;

    /**
     * @param delegate  the runtime to use while the engine is up (closed with this)
     * @param onConnect run after every successful connect (host set-up that needs the engine); its failure is logged
     */
    public EngineConnection(String nodeName, ContainerRuntime delegate, Engine engine, Runnable onConnect,
                            Duration retryInitial, Duration retryMax, Duration checkPeriod, Clock clock) {
        this.nodeName = Objects.requireNonNull(nodeName);
        this.delegate = Objects.requireNonNull(delegate);
        this.engine = Objects.requireNonNull(engine);
        this.onConnect = onConnect == null ? () -> { } : onConnect;
        this.backoff = new Backoff(positive(retryInitial, "retry-initial"), positive(retryMax, "retry-max"),
                Duration.ofDays(3650), clock);
        this.checkPeriod = positive(checkPeriod, "check-period");
        this.retryMax = retryMax;
        this.clock = clock;
        this.health = RuntimeHealth.down("container runtime not connected yet", clock.now());
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("kube4j.node.docker." + name + " must be a positive duration, not " + d);
        }
        return d;
    }

    /**
     * Connects once in this thread, then keeps checking in the background: returns this whether or not the engine
     * answered.
     *
     * @throws RuntimeException when the engine answers but cannot be used as configured (the delegate is closed)
     */
    public EngineConnection start() {
        Duration first = connectFirst();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "container-engine-" + nodeName);
            t.setDaemon(true);
            return t;
        });
        schedule(first);
        return this;
    }

    /** The first connect; returns the delay before the next check (tests call it without the background checks). */
    Duration connectFirst() {
        try {
            engine.connect().run();
        } catch (EngineUnavailableException e) {
            return failed(e);
        } catch (RuntimeException e) {
            delegate.close();
            throw e;
        }
        connected();
        return checkPeriod;
    }

    private void schedule(Duration delay) {
        if (closed) {
            return;
        }
        try {
            timer.schedule(() -> schedule(checkOnce()), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /**
     * One check: a ping while the engine is up, a connect while it is down. Returns the delay before the next one
     * (the check period when up, the backoff when down).
     */
    Duration checkOnce() {
        if (health.up()) {
            try {
                engine.ping().run();
                return checkPeriod;
            } catch (RuntimeException e) {
                return failed(e);
            }
        }
        try {
            engine.connect().run();
        } catch (RuntimeException e) {
            return failed(e);
        }
        connected();
        return checkPeriod;
    }

    private synchronized Duration failed(RuntimeException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        RuntimeHealth was = health;
        failures++;
        Duration next = backoff.next(BACKOFF_KEY);
        if (was.up() || !message.equals(lastLogged)) {
            // once per distinct reason: a retry every 30 s for hours must not fill the log
            log.warn("node {}: container runtime is down: {}; pods are not synced until it is up, retrying every"
                    + " {} s at most", nodeName, message, retryMax.toSeconds());
            lastLogged = message;
        } else {
            log.debug("node {}: container runtime still down ({} failures), next try in {} ms: {}", nodeName,
                    failures, next.toMillis(), message);
        }
        health = RuntimeHealth.down(message, was.up() || !message.equals(was.error()) ? clock.now() : was.since());
        return next;
    }

    private void connected() {
        RuntimeHealth was;
        int failed;
        synchronized (this) {
            was = health;
            failed = failures;
            failures = 0;
            lastLogged = null;
            backoff.forget(BACKOFF_KEY);
        }
        try {
            onConnect.run();
        } catch (RuntimeException e) {
            log.warn("node {}: setting up the host for the container runtime failed: {}", nodeName, e.toString());
        }
        health = new RuntimeHealth(true, null, clock.now());
        if (failed > 0) {
            log.info("node {}: container runtime is up after {} failed attempts ({} s down)", nodeName, failed,
                    Duration.between(was.since(), clock.now()).toSeconds());
        }
        firstUp.complete(null);
    }

    @Override
    public RuntimeHealth health() {
        return health;
    }

    @Override
    public CompletableFuture<Void> whenUp() {
        return firstUp;
    }

    /** The engine's runtime while it is up; throws the reason it is down otherwise. */
    private ContainerRuntime live() {
        RuntimeHealth h = health;
        if (!h.up()) {
            throw new RuntimeOperationException(h.error());
        }
        return delegate;
    }

    /** The runtime behind this (tests and diagnostics). */
    public ContainerRuntime delegate() {
        return delegate;
    }

    @Override
    public RuntimeInfo info() {
        ContainerRuntime d = live();
        try {
            return d.info();
        } catch (RuntimeException e) {
            // (docker-java lets I/O errors through unwrapped: "java.io.IOException: Broken pipe")
            // gone between two checks? find out now, so the node reports why rather than the failed call
            try {
                engine.ping().run();
            } catch (RuntimeException pingFailure) {
                failed(pingFailure);
                throw new RuntimeOperationException(health.error(), e);
            }
            throw e;
        }
    }

    @Override
    public Optional<ImageInfo> inspectImage(String image) {
        return live().inspectImage(image);
    }

    @Override
    public ImageInfo pullImage(String image) {
        return live().pullImage(image);
    }

    @Override
    public Sandbox runSandbox(SandboxSpec spec) {
        return live().runSandbox(spec);
    }

    @Override
    public void stopSandbox(String sandboxId) {
        live().stopSandbox(sandboxId);
    }

    @Override
    public void removeSandbox(String sandboxId) {
        live().removeSandbox(sandboxId);
    }

    @Override
    public List<Sandbox> listSandboxes() {
        return live().listSandboxes();
    }

    @Override
    public String createContainer(Sandbox sandbox, ContainerSpec spec) {
        return live().createContainer(sandbox, spec);
    }

    @Override
    public void startContainer(String containerId) {
        live().startContainer(containerId);
    }

    @Override
    public void stopContainer(String containerId, Duration gracePeriod) {
        live().stopContainer(containerId, gracePeriod);
    }

    @Override
    public void removeContainer(String containerId) {
        live().removeContainer(containerId);
    }

    @Override
    public List<ContainerStatus> listContainers() {
        return live().listContainers();
    }

    @Override
    public Optional<ContainerStatus> inspectContainer(String containerId) {
        return live().inspectContainer(containerId);
    }

    @Override
    public void ensureTmpfsVolume(String name, long sizeBytes, String podUid) {
        live().ensureTmpfsVolume(name, sizeBytes, podUid);
    }

    @Override
    public void removePodVolumes(String podUid) {
        live().removePodVolumes(podUid);
    }

    @Override
    public ExecResult execSync(String containerId, List<String> command, Duration timeout) {
        return live().execSync(containerId, command, timeout);
    }

    @Override
    public StreamHandle exec(String containerId, List<String> command, StreamIo io) {
        return live().exec(containerId, command, io);
    }

    @Override
    public StreamHandle attach(String containerId, StreamIo io) {
        return live().attach(containerId, io);
    }

    @Override
    public StreamHandle logs(String containerId, LogRequest request, OutputSink sink) {
        return live().logs(containerId, request, sink);
    }

    @Override
    public Optional<ContainerStats> stats(String containerId) {
        return live().stats(containerId);
    }

    @Override
    public void close() {
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
        }
        delegate.close();
    }
}
