package io.kube4j.node.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The narrow interface between the node agent and a container engine, shaped after the CRI: pod sandboxes (the
 * "pause" container that holds a pod's network namespace), containers joined to them, images, and streams.
 * Implementations: {@code DockerRuntime} (docker-java) and {@code HollowRuntime} (in memory, for scale tests).
 *
 * <p>Everything an implementation creates carries the {@link RuntimeLabels} of the pod, container and node, so
 * that {@link #listSandboxes()} and {@link #listContainers()} return exactly this node's objects and the agent can
 * rebuild its state after a restart. Methods block (they are called from the pod workers' threads) and throw
 * {@link RuntimeOperationException} on failure.
 */
public interface ContainerRuntime extends AutoCloseable {

    /** Engine name and version, and the host resources the engine sees (for the Node's capacity and nodeInfo). */
    RuntimeInfo info();

    /**
     * Whether the engine answers now and, when not, why (the node reports it and does not sync pods). A runtime
     * whose engine cannot be down, or was checked when it was made, is always up.
     */
    default RuntimeHealth health() {
        return RuntimeHealth.ALWAYS_UP;
    }

    /** Completes the first time the engine is up (at once for a runtime that is always up); never fails. */
    default java.util.concurrent.CompletableFuture<Void> whenUp() {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    // ---- images ----

    /** The image's id and size when it is present locally. */
    Optional<ImageInfo> inspectImage(String image);

    /** Pulls {@code image}; throws {@link ImagePullException} with a user-facing message when it cannot. */
    ImageInfo pullImage(String image);

    // ---- sandboxes ----

    /** Creates and starts the pod's sandbox on the node's pod network; the returned sandbox carries its IP. */
    Sandbox runSandbox(SandboxSpec spec);

    /** Stops the sandbox (and so the pod's network); containers must have been stopped before. Idempotent. */
    void stopSandbox(String sandboxId);

    /** Removes a stopped sandbox. Idempotent: an unknown id is not an error. */
    void removeSandbox(String sandboxId);

    /** Every sandbox of this node, in any state. */
    List<Sandbox> listSandboxes();

    // ---- containers ----

    /** Creates (not starts) a container in the sandbox's namespaces; returns its id. */
    String createContainer(Sandbox sandbox, ContainerSpec spec);

    void startContainer(String containerId);

    /** SIGTERM (or the image's stop signal), then SIGKILL after {@code gracePeriod}. Idempotent. */
    void stopContainer(String containerId, Duration gracePeriod);

    /** Removes a stopped container. Idempotent. */
    void removeContainer(String containerId);

    /** Every container of this node (sandboxes excluded), in any state. */
    List<ContainerStatus> listContainers();

    Optional<ContainerStatus> inspectContainer(String containerId);

    // ---- volumes the engine manages (emptyDir with medium Memory) ----

    /** Creates (when missing) a tmpfs-backed volume of at most {@code sizeBytes} (0: no limit) for one pod. */
    void ensureTmpfsVolume(String name, long sizeBytes, String podUid);

    /** Removes every engine volume created for the pod. Idempotent. */
    void removePodVolumes(String podUid);

    // ---- exec, attach, logs, stats ----

    /** Runs {@code command} in the container and collects its output (probes, hooks), killing it after timeout. */
    ExecResult execSync(String containerId, List<String> command, Duration timeout);

    /** Starts an interactive exec; output goes to {@code io}'s sink while the handle's exit future completes. */
    StreamHandle exec(String containerId, List<String> command, StreamIo io);

    /** Attaches to the container's main process (stdin when the container was created with stdin open). */
    StreamHandle attach(String containerId, StreamIo io);

    /** Streams the container's logs into {@code sink}; the handle completes at the end (or when closed). */
    StreamHandle logs(String containerId, LogRequest request, OutputSink sink);

    /** One CPU/memory sample of a running container; empty when it is not running. */
    Optional<ContainerStats> stats(String containerId);

    /** Releases connections; created containers keep running. */
    @Override
    void close();

    /** Guard for operations that need a positive grace period. */
    static Duration atLeast(Duration d, Duration min) {
        return d == null || d.compareTo(min) < 0 ? min : d;
    }
}
