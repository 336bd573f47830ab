package io.kube4j.node.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.kube4j.node.runtime.ContainerRuntime;
import io.kube4j.node.runtime.ContainerSpec;
import io.kube4j.node.runtime.ContainerStats;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.runtime.ExecResult;
import io.kube4j.node.runtime.ImageInfo;
import io.kube4j.node.runtime.LogRequest;
import io.kube4j.node.runtime.OutputSink;
import io.kube4j.node.runtime.RuntimeInfo;
import io.kube4j.node.runtime.Sandbox;
import io.kube4j.node.runtime.SandboxSpec;
import io.kube4j.node.runtime.StreamHandle;
import io.kube4j.node.runtime.StreamIo;

/**
 * A runtime for volume, env and probe tests: {@code execSync} answers with a settable exit code per container,
 * tmpfs volume calls are recorded, {@code info()} reports 4 CPUs and 8 GiB; everything else is unsupported.
 */
public final class ExecStubRuntime implements ContainerRuntime {

    private final Map<String, AtomicInteger> exitCodes = new ConcurrentHashMap<>();
    public final List<String> execs = new CopyOnWriteArrayList<>();
    public final List<String> tmpfsVolumes = new CopyOnWriteArrayList<>();
    public final List<String> removedPodVolumes = new CopyOnWriteArrayList<>();

    /** The exit code exec probes in this container get from now on. */
    public void exitCode(String containerId, int code) {
        exitCodes.computeIfAbsent(containerId, k -> new AtomicInteger()).set(code);
    }

    @Override
    public ExecResult execSync(String containerId, List<String> command, Duration timeout) {
        execs.add(containerId + ":" + String.join(" ", command));
        int code = exitCodes.computeIfAbsent(containerId, k -> new AtomicInteger()).get();
        return new ExecResult(code, ("exit " + code).getBytes(), new byte[0], false);
    }

    @Override
    public RuntimeInfo info() {
        return new RuntimeInfo("stub", "1", "1", "linux", "6", "test", "amd64", 4, 8L << 30, 100L << 30, "cgroupfs");
    }

    @Override
    public void ensureTmpfsVolume(String name, long sizeBytes, String podUid) {
        tmpfsVolumes.add(name + ":" + sizeBytes + ":" + podUid);
    }

    @Override
    public void removePodVolumes(String podUid) {
        removedPodVolumes.add(podUid);
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
    public List<Sandbox> listSandboxes() {
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
    public List<ContainerStatus> listContainers() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<ContainerStatus> inspectContainer(String containerId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public StreamHandle exec(String containerId, List<String> command, StreamIo io) {
        throw new UnsupportedOperationException();
    }

    @Override
    public StreamHandle attach(String containerId, StreamIo io) {
        throw new UnsupportedOperationException();
    }

    @Override
    public StreamHandle logs(String containerId, LogRequest request, OutputSink sink) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<ContainerStats> stats(String containerId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
}
