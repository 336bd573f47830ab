package io.kube4j.node.runtime.hollow;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.kube4j.client.util.Clock;
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
import io.kube4j.node.runtime.RuntimeOperationException;
import io.kube4j.node.runtime.Sandbox;
import io.kube4j.node.runtime.SandboxSpec;
import io.kube4j.node.runtime.StreamHandle;
import io.kube4j.node.runtime.StreamIo;

/**
 * An in-memory {@link ContainerRuntime} for hollow (simulated) nodes, after kubemark's fake runtime: sandboxes get
 * addresses from the node's pod CIDR, a started container is RUNNING once {@code startDelay} has passed on the clock
 * (computed when read, so nothing is scheduled), and then runs until stopped; stopped containers exit 0. Every
 * image is present, exec succeeds with no output, logs are empty and stats are zeros. Thread-safe; with no pods it
 * holds two empty maps.
 */
public final class HollowRuntime implements ContainerRuntime {

    /** What a hollow node advertises: CPUs, memory and storage bytes. */
    public record Resources(int cpus, long memoryBytes, long storageBytes) {

        /** 4 CPUs, 16Gi memory, 100Gi storage. */
        public static final Resources DEFAULT = new Resources(4, 16L << 30, 100L << 30);
    }

    public static final String RUNTIME_NAME = "hollow";
    public static final String VERSION = "0.1.0";

    private final String nodeName;
    private final String nodeIp;
    private final Duration startDelay;
    private final Clock clock;
    private final Resources resources;
    private final PodIpAllocator ips;
    private final Map<String, SandboxState> sandboxes = new ConcurrentHashMap<>(4);
    private final Map<String, ContainerState> containers = new ConcurrentHashMap<>(4);

    private static final class SandboxState {
        final SandboxSpec spec;
        final String id;
        final String ip;
        final Instant createdAt;
        volatile boolean ready = true;

        SandboxState(SandboxSpec spec, String id, String ip, Instant createdAt) {
            this.spec = spec;
            this.id = id;
            this.ip = ip;
            this.createdAt = createdAt;
        }
    }

    private static final class ContainerState {
        final String id;
        final String sandboxId;
        final ContainerSpec spec;
        final Instant createdAt;
        volatile Instant startRequestedAt;
        volatile Instant finishedAt;
        final List<CompletableFuture<Integer>> followers = new CopyOnWriteArrayList<>();

        ContainerState(String id, String sandboxId, ContainerSpec spec, Instant createdAt) {
            this.id = id;
            this.sandboxId = sandboxId;
            this.spec = spec;
            this.createdAt = createdAt;
        }
    }

    public HollowRuntime(String nodeName, String nodeIp, String podCidr, Duration startDelay, Clock clock,
                         Resources resources) {
        this.nodeName = nodeName;
        this.nodeIp = nodeIp;
        this.startDelay = startDelay == null || startDelay.isNegative() ? Duration.ZERO : startDelay;
        this.clock = clock;
        this.resources = resources == null ? Resources.DEFAULT : resources;
        this.ips = new PodIpAllocator(podCidr);
    }

    @Override
    public RuntimeInfo info() {
        return new RuntimeInfo(RUNTIME_NAME, VERSION, VERSION, "linux", "hollow", "kube4j hollow node", "amd64",
                resources.cpus(), resources.memoryBytes(), resources.storageBytes(), "none");
    }

    // ---- images: all present

    @Override
    public Optional<ImageInfo> inspectImage(String image) {
        return Optional.of(imageInfo(image));
    }

    @Override
    public ImageInfo pullImage(String image) {
        return imageInfo(image);
    }

    private static ImageInfo imageInfo(String image) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(image.getBytes(StandardCharsets.UTF_8));
            return new ImageInfo("sha256:" + HexFormat.of().formatHex(d), List.of(image), 0);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- sandboxes

    @Override
    public Sandbox runSandbox(SandboxSpec spec) {
        String ip;
        try {
            ip = spec.hostNetwork() ? nodeIp : ips.allocate();
        } catch (IllegalStateException e) {
            throw new RuntimeOperationException(e.getMessage(), e);
        }
        SandboxState s = new SandboxState(spec, newId(), ip, clock.now());
        sandboxes.put(s.id, s);
        return toSandbox(s);
    }

    @Override
    public void stopSandbox(String sandboxId) {
        SandboxState s = sandboxes.get(sandboxId);
        if (s != null) {
            s.ready = false;
        }
    }

    @Override
    public void removeSandbox(String sandboxId) {
        SandboxState s = sandboxes.remove(sandboxId);
        if (s != null && !s.spec.hostNetwork()) {
            ips.release(s.ip);
        }
    }

    @Override
    public List<Sandbox> listSandboxes() {
        List<Sandbox> out = new ArrayList<>(sandboxes.size());
        for (SandboxState s : sandboxes.values()) {
            out.add(toSandbox(s));
        }
        return out;
    }

    private Sandbox toSandbox(SandboxState s) {
        Map<String, String> labels = new HashMap<>(s.spec.labels());
        labels.put(RuntimeLabels.POD_UID, s.spec.podUid());
        labels.put(RuntimeLabels.POD_NAME, s.spec.podName());
        labels.put(RuntimeLabels.POD_NAMESPACE, s.spec.namespace());
        labels.put(RuntimeLabels.CONTAINER_TYPE, RuntimeLabels.TYPE_SANDBOX);
        labels.put(RuntimeLabels.CONTAINER_NAME, RuntimeLabels.SANDBOX_CONTAINER_NAME);
        labels.put(RuntimeLabels.ATTEMPT, Integer.toString(s.spec.attempt()));
        labels.put(RuntimeLabels.NODE, nodeName);
        return new Sandbox(s.id, s.spec.podUid(), s.spec.podName(), s.spec.namespace(), s.spec.attempt(),
                s.ready ? Sandbox.State.READY : Sandbox.State.NOT_READY, s.ip, s.createdAt, labels);
    }

    // ---- containers

    @Override
    public String createContainer(Sandbox sandbox, ContainerSpec spec) {
        SandboxState s = sandboxes.get(sandbox.id());
        if (s == null) {
            throw new RuntimeOperationException("sandbox " + sandbox.id() + " does not exist");
        }
        if (!s.ready) {
            throw new RuntimeOperationException("sandbox " + sandbox.id() + " is not ready");
        }
        ContainerState c = new ContainerState(newId(), s.id, spec, clock.now());
        containers.put(c.id, c);
        return c.id;
    }

    @Override
    public void startContainer(String containerId) {
        ContainerState c = require(containerId);
        SandboxState s = sandboxes.get(c.sandboxId);
        if (s == null || !s.ready) {
            // as Docker: a container joins its sandbox's network namespace when it starts
            throw new RuntimeOperationException("cannot start container " + containerId + ": its sandbox "
                    + c.sandboxId + (s == null ? " does not exist" : " is not running"));
        }
        synchronized (c) {
            if (c.finishedAt != null) {
                throw new RuntimeOperationException("container " + containerId + " has exited; it cannot be started again");
            }
            if (c.startRequestedAt == null) {
                c.startRequestedAt = clock.now();
            }
        }
    }

    @Override
    public void stopContainer(String containerId, Duration gracePeriod) {
        ContainerState c = containers.get(containerId);
        if (c == null) {
            return;
        }
        synchronized (c) {
            if (c.startRequestedAt == null) {
                return; // as Docker: stopping a container that was created and never started leaves it created
            }
            if (c.finishedAt == null) {
                c.finishedAt = clock.now();
            }
        }
        endFollowers(c);
    }

    @Override
    public void removeContainer(String containerId) {
        ContainerState c = containers.remove(containerId);
        if (c != null) {
            endFollowers(c);
        }
    }

    @Override
    public List<ContainerStatus> listContainers() {
        Instant now = clock.now();
        List<ContainerStatus> out = new ArrayList<>(containers.size());
        for (ContainerState c : containers.values()) {
            out.add(status(c, now));
        }
        return out;
    }

    @Override
    public Optional<ContainerStatus> inspectContainer(String containerId) {
        ContainerState c = containers.get(containerId);
        return c == null ? Optional.empty() : Optional.of(status(c, clock.now()));
    }

    private ContainerStatus status(ContainerState c, Instant now) {
        Instant requested;
        Instant finished;
        synchronized (c) {
            requested = c.startRequestedAt;
            finished = c.finishedAt;
        }
        Instant startedAt = requested == null ? null : requested.plus(startDelay);
        ContainerStatus.State state;
        int exit = 0;
        String reason = null;
        if (finished != null) {
            state = ContainerStatus.State.EXITED;
            reason = "Completed";
            if (startedAt == null || startedAt.isAfter(finished)) {
                startedAt = null; // stopped before it got going: it never ran
            }
        } else if (startedAt != null && !now.isBefore(startedAt)) {
            state = ContainerStatus.State.RUNNING;
        } else {
            state = ContainerStatus.State.CREATED;
            startedAt = null;
        }
        ContainerSpec s = c.spec;
        Map<String, String> labels = new HashMap<>(s.labels());
        labels.put(RuntimeLabels.POD_UID, s.podUid());
        labels.put(RuntimeLabels.POD_NAME, s.podName());
        labels.put(RuntimeLabels.POD_NAMESPACE, s.namespace());
        labels.put(RuntimeLabels.CONTAINER_NAME, s.name());
        labels.put(RuntimeLabels.CONTAINER_TYPE, RuntimeLabels.TYPE_CONTAINER);
        labels.put(RuntimeLabels.SANDBOX_ID, c.sandboxId);
        labels.put(RuntimeLabels.ATTEMPT, Integer.toString(s.attempt()));
        if (s.hash() != null) {
            labels.put(RuntimeLabels.CONTAINER_HASH, s.hash());
        }
        labels.put(RuntimeLabels.NODE, nodeName);
        return new ContainerStatus(c.id, s.podUid(), s.podName(), s.namespace(), s.name(), s.attempt(), c.sandboxId,
                state, c.createdAt, startedAt, finished, exit, reason, null, s.image(), imageInfo(s.image()).id(),
                s.hash(), labels);
    }

    private ContainerState require(String containerId) {
        ContainerState c = containers.get(containerId);
        if (c == null) {
            throw new RuntimeOperationException("container " + containerId + " does not exist");
        }
        return c;
    }

    private boolean running(ContainerState c) {
        return status(c, clock.now()).running();
    }

    // ---- volumes: nothing to make

    @Override
    public void ensureTmpfsVolume(String name, long sizeBytes, String podUid) {
    }

    @Override
    public void removePodVolumes(String podUid) {
    }

    // ---- exec, attach, logs, stats

    @Override
    public ExecResult execSync(String containerId, List<String> command, Duration timeout) {
        requireRunning(containerId);
        return new ExecResult(0, new byte[0], new byte[0], false);
    }

    @Override
    public StreamHandle exec(String containerId, List<String> command, StreamIo io) {
        requireRunning(containerId);
        return new Handle(CompletableFuture.completedFuture(0));
    }

    @Override
    public StreamHandle attach(String containerId, StreamIo io) {
        ContainerState c = requireRunning(containerId);
        return follow(c);
    }

    @Override
    public StreamHandle logs(String containerId, LogRequest request, OutputSink sink) {
        ContainerState c = require(containerId);
        // A hollow container writes nothing; a follower waits until it exits, as with a real engine.
        if (request != null && request.follow() && c.finishedAt == null) {
            return follow(c);
        }
        return new Handle(CompletableFuture.completedFuture(0));
    }

    private StreamHandle follow(ContainerState c) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        c.followers.add(f);
        f.whenComplete((v, e) -> c.followers.remove(f));
        if (c.finishedAt != null || !containers.containsKey(c.id)) {
            f.complete(0);
        }
        return new Handle(f);
    }

    private static void endFollowers(ContainerState c) {
        for (CompletableFuture<Integer> f : c.followers) {
            f.complete(0);
        }
    }

    @Override
    public Optional<ContainerStats> stats(String containerId) {
        ContainerState c = containers.get(containerId);
        if (c == null || !running(c)) {
            return Optional.empty();
        }
        // Hollow containers use nothing: zeros, so eviction and metrics see an idle node.
        return Optional.of(new ContainerStats(clock.now(), 0, 0, 0, 0, 0));
    }

    private ContainerState requireRunning(String containerId) {
        ContainerState c = require(containerId);
        if (!running(c)) {
            throw new RuntimeOperationException("container " + containerId + " is not running");
        }
        return c;
    }

    @Override
    public void close() {
    }

    /** Pod addresses in use (for tests and metrics). */
    public int podIpsInUse() {
        return ips.inUse();
    }

    private static String newId() {
        UUID u = UUID.randomUUID();
        return Long.toHexString(u.getMostSignificantBits()) + Long.toHexString(u.getLeastSignificantBits());
    }

    private record Handle(CompletableFuture<Integer> completion) implements StreamHandle {

        @Override
        public void resize(int width, int height) {
        }

        @Override
        public void close() {
            completion.complete(0);
        }
    }
}
