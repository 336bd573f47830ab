package io.kube4j.node.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A {@link ContainerRuntime} decorator that times every call as {@code kubelet_runtime_operations_duration_seconds}
 * and counts failures as {@code kubelet_runtime_operations_errors_total}, both tagged {@code operation_type} with
 * the method name (as the kubelet names its CRI operations). Works over any runtime.
 */
public final class InstrumentedRuntime implements ContainerRuntime {

    public static final String DURATION = "kubelet.runtime.operations.duration";
    public static final String ERRORS = "kubelet.runtime.operations.errors";
    public static final String OPERATION_TAG = "operation_type";

    private final ContainerRuntime delegate;
    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();

    public InstrumentedRuntime(ContainerRuntime delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
    }

    /** The runtime being measured. */
    public ContainerRuntime delegate() {
        return delegate;
    }

    private <T> T record(String op, Supplier<T> call) {
        Timer timer = timers.computeIfAbsent(op, o -> Timer.builder(DURATION)
                .description("Duration of container runtime operations")
                .tag(OPERATION_TAG, o).publishPercentileHistogram().register(registry));
        long start = System.nanoTime();
        try {
            return call.get();
        } catch (RuntimeException | Error e) {
            errors.computeIfAbsent(op, o -> Counter.builder(ERRORS)
                    .description("Container runtime operations that failed")
                    .tag(OPERATION_TAG, o).register(registry)).increment();
            throw e;
        } finally {
            timer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private void run(String op, Runnable call) {
        record(op, () -> {
            call.run();
            return null;
        });
    }

    @Override
    public RuntimeInfo info() {
        return record("version", delegate::info);
    }

    @Override
    public Optional<ImageInfo> inspectImage(String image) {
        return record("image_status", () -> delegate.inspectImage(image));
    }

    @Override
    public ImageInfo pullImage(String image) {
        return record("pull_image", () -> delegate.pullImage(image));
    }

    @Override
    public Sandbox runSandbox(SandboxSpec spec) {
        return record("run_podsandbox", () -> delegate.runSandbox(spec));
    }

    @Override
    public void stopSandbox(String sandboxId) {
        run("stop_podsandbox", () -> delegate.stopSandbox(sandboxId));
    }

    @Override
    public void removeSandbox(String sandboxId) {
        run("remove_podsandbox", () -> delegate.removeSandbox(sandboxId));
    }

    @Override
    public List<Sandbox> listSandboxes() {
        return record("list_podsandbox", delegate::listSandboxes);
    }

    @Override
    public String createContainer(Sandbox sandbox, ContainerSpec spec) {
        return record("create_container", () -> delegate.createContainer(sandbox, spec));
    }

    @Override
    public void startContainer(String containerId) {
        run("start_container", () -> delegate.startContainer(containerId));
    }

    @Override
    public void stopContainer(String containerId, Duration gracePeriod) {
        run("stop_container", () -> delegate.stopContainer(containerId, gracePeriod));
    }

    @Override
    public void removeContainer(String containerId) {
        run("remove_container", () -> delegate.removeContainer(containerId));
    }

    @Override
    public List<ContainerStatus> listContainers() {
        return record("list_containers", delegate::listContainers);
    }

    @Override
    public Optional<ContainerStatus> inspectContainer(String containerId) {
        return record("container_status", () -> delegate.inspectContainer(containerId));
    }

    @Override
    public void ensureTmpfsVolume(String name, long sizeBytes, String podUid) {
        run("ensure_tmpfs_volume", () -> delegate.ensureTmpfsVolume(name, sizeBytes, podUid));
    }

    @Override
    public void removePodVolumes(String podUid) {
        run("remove_pod_volumes", () -> delegate.removePodVolumes(podUid));
    }

    @Override
    public ExecResult execSync(String containerId, List<String> command, Duration timeout) {
        return record("exec_sync", () -> delegate.execSync(containerId, command, timeout));
    }

    /** Times the start of the stream only: an interactive session's length says nothing about the runtime. */
    @Override
    public StreamHandle exec(String containerId, List<String> command, StreamIo io) {
        return record("exec", () -> delegate.exec(containerId, command, io));
    }

    @Override
    public StreamHandle attach(String containerId, StreamIo io) {
        return record("attach", () -> delegate.attach(containerId, io));
    }

    @Override
    public StreamHandle logs(String containerId, LogRequest request, OutputSink sink) {
        return record("logs", () -> delegate.logs(containerId, request, sink));
    }

    @Override
    public Optional<ContainerStats> stats(String containerId) {
        return record("container_stats", () -> delegate.stats(containerId));
    }

    @Override
    public RuntimeHealth health() {
        return delegate.health();
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> whenUp() {
        return delegate.whenUp();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
