package io.kube4j.node.pod;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.api.codec.Codecs;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.node.dns.PodDns;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.config.PodLifecycleProperties;
import io.kube4j.node.env.ContainerConfigException;
import io.kube4j.node.env.EnvResolver;
import io.kube4j.node.probe.ProbeManager;
import io.kube4j.node.runtime.ContainerRuntime;
import io.kube4j.node.runtime.ContainerSpec;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.runtime.ImagePullException;
import io.kube4j.node.runtime.RuntimeLabels;
import io.kube4j.node.runtime.RuntimeOperationException;
import io.kube4j.node.runtime.Sandbox;
import io.kube4j.node.runtime.SandboxSpec;
import io.kube4j.node.volume.VolumeManager;
import io.kube4j.node.volume.VolumeSetupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass of the kubelet's {@code SyncPod} for one pod: makes the runtime match the pod's spec (volumes, sandbox,
 * init containers in order, app containers with restart policy and crash-loop back-off, liveness kills, image pull
 * policy) and computes its status; or kills the pod gracefully (preStop hooks, SIGTERM, SIGKILL after the grace
 * period). Blocking: runs on a pod worker thread, one pass per pod at a time.
 */
public final class PodSyncer {

    private static final Logger log = LoggerFactory.getLogger(PodSyncer.class);
    /** Kills run in parallel per container, each blocking up to its grace period. */
    private static final ExecutorService KILLERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pod-killer");
        t.setDaemon(true);
        return t;
    });

    private final NodeContext ctx;
    private final ContainerRuntime runtime;
    private final VolumeManager volumes;
    private final EnvResolver env;
    private final ProbeManager probes;
    private final PodLifecycleProperties lifecycle;
    private final Backoff crashBackoff;
    private final Backoff pullBackoff;
    private final PodDns podDns;
    private volatile String runtimeName;

    /** What a sync decided: the status to report and when to look again (null: the periodic resync). */
    public record Outcome(PodStatus status, Duration requeueAfter, boolean running) {
    }

    public PodSyncer(NodeContext ctx, VolumeManager volumes, EnvResolver env, ProbeManager probes,
                     PodLifecycleProperties lifecycle) {
        this.ctx = ctx;
        this.runtime = ctx.runtime();
        this.volumes = volumes;
        this.env = env;
        this.probes = probes;
        this.lifecycle = lifecycle;
        this.podDns = new PodDns(ctx.properties().clusterDns(), ctx.properties().clusterDomain(),
                ctx.properties().resolvConf());
        this.crashBackoff = new Backoff(lifecycle.crashLoopBackoffInitial(), lifecycle.crashLoopBackoffMax(),
                lifecycle.crashLoopBackoffReset(), ctx.clock());
        this.pullBackoff = new Backoff(lifecycle.imagePullBackoffInitial(), lifecycle.imagePullBackoffMax(),
                lifecycle.imagePullBackoffMax().multipliedBy(2), ctx.clock());
    }

    // ------------------------------------------------------------------------------------------ running pods

    /**
     * Syncs a pod that should run. {@code terminal}, when set, is a verdict the agent reached (eviction): the pod
     * is killed and reported with it.
     */
    public Outcome sync(Pod pod, PodRuntimeState state, PodStatus lastStatus, PodStatusBuilder.Terminal terminal) {
        Instant now = ctx.clock().now();
        String uid = pod.getMetadata().getUid();
        Map<String, ContainerWaiting> waiting = new HashMap<>();
        Pod view = withStatus(pod, lastStatus);
        String lastPhase = lastStatus == null ? null : lastStatus.getPhase();

        if (terminal == null) {
            terminal = deadlineExceeded(pod, lastStatus, now);
        }
        if (terminal != null || PodStatusBuilder.isTerminalPhase(lastPhase)) {
            killPod(pod, state, grace(pod));
            PodRuntimeState after = relist(uid);
            return new Outcome(build(view, after, waiting, now, terminal), null, false);
        }

        try {
            volumes.setUp(pod);
        } catch (VolumeSetupException e) {
            event(pod, EventRecorder.WARNING, "FailedMount", e.getMessage());
            return new Outcome(build(view, state, waiting, now, null), Duration.ofSeconds(2), false);
        }

        Sandbox sandbox = state.latestSandbox().filter(Sandbox::ready).orElse(null);
        if (sandbox == null) {
            if (!needsSandbox(pod, state)) {
                return new Outcome(build(view, state, waiting, now, null), null, false);
            }
            killRunning(pod, state, grace(pod)); // containers of a dead sandbox lost their network
            int attempt = state.latestSandbox().map(s -> s.attempt() + 1).orElse(0);
            try {
                sandbox = runtime.runSandbox(sandboxSpec(pod, attempt));
            } catch (RuntimeOperationException e) {
                event(pod, EventRecorder.WARNING, "FailedCreatePodSandBox",
                        "Failed to create pod sandbox: " + e.getMessage());
                return new Outcome(build(view, state, waiting, now, null), Duration.ofSeconds(5), false);
            }
            if (attempt > 0) {
                event(pod, EventRecorder.NORMAL, "SandboxChanged",
                        "Pod sandbox changed, it will be killed and re-created.");
            }
            state = relist(uid);
        }

        Duration requeue = null;
        boolean initDone = true;
        List<Container> inits = pod.getSpec().getInitContainers() == null ? List.of()
                : pod.getSpec().getInitContainers();
        for (Container c : inits) {
            ContainerStatus latest = state.latest(c.getName()).orElse(null);
            if (latest != null && !sandbox.id().equals(latest.sandboxId())) {
                if (latest.state() == ContainerStatus.State.CREATED) {
                    removeQuietly(latest.id()); // never started, and bound to a sandbox that is gone
                }
                latest = null; // a new sandbox runs its init containers again
            }
            boolean sidecar = "Always".equals(c.getRestartPolicy());
            if (sidecar && latest != null && latest.running()) {
                continue; // a sidecar keeps running next to the app containers
            }
            if (!sidecar && latest != null && latest.state() == ContainerStatus.State.EXITED && latest.exitCode() == 0) {
                continue;
            }
            initDone = false;
            if (sidecar && latest != null && latest.state() == ContainerStatus.State.EXITED) {
                requeue = min(requeue, restartWithBackoff(pod, c, sandbox, state, latest, waiting));
                break; // sidecars restart whatever the pod's restart policy
            }
            if (latest != null && latest.running()) {
                break;
            }
            if (latest != null && latest.state() == ContainerStatus.State.EXITED) {
                if ("Never".equals(pod.getSpec().getRestartPolicy())) {
                    break; // the pod fails (the status builder says so)
                }
                requeue = min(requeue, restartWithBackoff(pod, c, sandbox, state, latest, waiting));
                break;
            }
            if (latest != null && latest.state() == ContainerStatus.State.CREATED) {
                tryStart(pod, c, latest.id(), waiting);
                break;
            }
            int attempt = state.latest(c.getName()).map(x -> x.attempt() + 1).orElse(0);
            ContainerWaiting w = startContainer(pod, c, sandbox, attempt);
            if (w != null) {
                waiting.put(c.getName(), w);
                requeue = min(requeue, retryDelay(pod, c, w));
            }
            break;
        }

        if (initDone) {
            for (Container c : pod.getSpec().getContainers()) {
                ContainerStatus latest = state.latest(c.getName()).orElse(null);
                if (latest != null && !sandbox.id().equals(latest.sandboxId())) {
                    if (latest.running()) {
                        stop(pod, c, latest, grace(pod));
                        latest = null;
                    } else if (latest.state() == ContainerStatus.State.CREATED) {
                        // created for an earlier sandbox and never started (the engine stopped in between): it would
                        // join that sandbox's network namespace, which is gone, and fail to start for ever; make a new
                        // one here
                        removeQuietly(latest.id());
                        latest = null;
                    }
                }
                if (latest == null) {
                    int attempt = state.latest(c.getName()).map(x -> x.attempt() + 1).orElse(0);
                    ContainerWaiting w = startContainer(pod, c, sandbox, attempt);
                    if (w != null) {
                        waiting.put(c.getName(), w);
                        requeue = min(requeue, retryDelay(pod, c, w));
                    }
                    continue;
                }
                switch (latest.state()) {
                    case RUNNING -> {
                        if (!probes.alive(latest.id())) {
                            event(pod, EventRecorder.NORMAL, "Killing", "Container " + c.getName()
                                    + " failed liveness probe, will be restarted");
                            stop(pod, c, latest, grace(pod));
                            requeue = Duration.ZERO;
                        } else if (!hash(c).equals(latest.hash())) {
                            event(pod, EventRecorder.NORMAL, "Killing", "Container " + c.getName()
                                    + " definition changed, will be restarted");
                            stop(pod, c, latest, grace(pod));
                            requeue = Duration.ZERO;
                        } else if (latest.startedAt() != null) {
                            crashBackoff.resetIfQuiet(key(pod, c), latest.startedAt());
                        }
                    }
                    case CREATED -> tryStart(pod, c, latest.id(), waiting);
                    case EXITED, UNKNOWN -> {
                        if (shouldRestart(pod, latest)) {
                            requeue = min(requeue, restartWithBackoff(pod, c, sandbox, state, latest, waiting));
                        }
                    }
                }
            }
        }

        state = relist(uid);
        garbageCollect(pod, state, sandbox);
        Map<String, ContainerStatus> running = new LinkedHashMap<>();
        for (ContainerStatus c : state.running()) {
            running.put(c.containerName(), c);
        }
        probes.syncPod(pod, running, sandbox.ip());
        PodStatus status = build(view, state, waiting, now, null);
        if (PodStatusBuilder.isTerminalPhase(status.getPhase())) {
            // all containers are done and none restarts: the sandbox goes too (the kubelet kills terminal pods)
            killPod(pod, state, grace(pod));
        }
        return new Outcome(status, requeue, "Running".equals(status.getPhase()));
    }

    // ------------------------------------------------------------------------------------------ killing

    /**
     * Kills every container of the pod (preStop hooks first, SIGTERM, SIGKILL after {@code grace}) in parallel,
     * then stops its sandboxes. Blocks until done.
     */
    public void killPod(Pod pod, PodRuntimeState state, Duration grace) {
        killRunning(pod, state, grace);
        for (Sandbox s : state.sandboxes()) {
            if (s.ready()) {
                try {
                    runtime.stopSandbox(s.id());
                } catch (RuntimeOperationException e) {
                    log.warn("stopping sandbox {} of pod {}: {}", s.id(), podName(pod), e.getMessage());
                }
            }
        }
        if (pod != null) {
            probes.removePod(pod.getMetadata().getUid());
        }
    }

    private void killRunning(Pod pod, PodRuntimeState state, Duration grace) {
        List<CompletableFuture<Void>> kills = new ArrayList<>();
        for (ContainerStatus c : state.containers()) {
            if (c.state() == ContainerStatus.State.RUNNING || c.state() == ContainerStatus.State.CREATED) {
                Container spec = pod == null ? null : find(pod, c.containerName());
                kills.add(CompletableFuture.runAsync(() -> stop(pod, spec, c, grace), KILLERS));
            }
        }
        kills.forEach(CompletableFuture::join);
    }

    /** Removes everything the pod left in the runtime and on disk (after it was killed). */
    public void cleanup(String podUid, PodRuntimeState state) {
        for (ContainerStatus c : state.containers()) {
            try {
                runtime.removeContainer(c.id());
            } catch (RuntimeOperationException e) {
                log.warn("removing container {} of pod {}: {}", c.id(), podUid, e.getMessage());
            }
        }
        for (Sandbox s : state.sandboxes()) {
            try {
                runtime.stopSandbox(s.id());
                runtime.removeSandbox(s.id());
            } catch (RuntimeOperationException e) {
                log.warn("removing sandbox {} of pod {}: {}", s.id(), podUid, e.getMessage());
            }
        }
        volumes.tearDown(podUid);
        probes.removePod(podUid);
        crashBackoff.forgetPrefix(podUid + "/");
    }

    private void stop(Pod pod, Container spec, ContainerStatus c, Duration grace) {
        Instant start = ctx.clock().now();
        if (pod != null && c.running()) {
            event(pod, EventRecorder.NORMAL, "Killing", "Stopping container " + c.containerName());
            if (spec != null && spec.getLifecycle() != null && spec.getLifecycle().getPreStop() != null) {
                runPreStop(pod, spec, c, grace);
            }
        }
        Duration left = grace.minus(Duration.between(start, ctx.clock().now()));
        Duration min = lifecycle.minimumKillGrace();
        try {
            runtime.stopContainer(c.id(), left.compareTo(min) < 0 ? min : left);
        } catch (RuntimeOperationException e) {
            log.warn("stopping container {} ({}): {}", c.containerName(), c.id(), e.getMessage());
        }
    }

    private void runPreStop(Pod pod, Container spec, ContainerStatus c, Duration grace) {
        var hook = spec.getLifecycle().getPreStop();
        try {
            if (hook.getExec() != null && hook.getExec().getCommand() != null) {
                var r = runtime.execSync(c.id(), hook.getExec().getCommand(), grace);
                if (r.exitCode() != 0) {
                    event(pod, EventRecorder.WARNING, "FailedPreStopHook", "PreStopHook failed: exit code "
                            + r.exitCode() + (r.timedOut() ? " (timed out)" : "") + ": " + r.stderrText().strip());
                }
            } else if (hook.getHttpGet() != null) {
                HttpHooks.get(hook.getHttpGet(), podIp(pod), grace);
            } else if (hook.getSleep() != null && hook.getSleep().getSeconds() != null) {
                Thread.sleep(Math.min(grace.toMillis(), hook.getSleep().getSeconds() * 1000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            event(pod, EventRecorder.WARNING, "FailedPreStopHook", "PreStopHook failed: " + e.getMessage());
        }
    }

    public Duration grace(Pod pod) {
        Long g = pod.getMetadata().getDeletionGracePeriodSeconds();
        if (g == null) {
            g = pod.getSpec().getTerminationGracePeriodSeconds();
        }
        return Duration.ofSeconds(g == null ? 30 : Math.max(0, g));
    }

    // ------------------------------------------------------------------------------------------ containers

    private ContainerWaiting startContainer(Pod pod, Container c, Sandbox sandbox, int attempt) {
        ContainerWaiting w = ensureImage(pod, c);
        if (w != null) {
            return w;
        }
        List<ContainerSpec.EnvVar> vars;
        List<ContainerSpec.Mount> mounts;
        try {
            vars = env.resolve(pod, c, sandbox.ip(), ctx.nodeIp());
            mounts = volumes.mounts(pod, c);
        } catch (ContainerConfigException | VolumeSetupException e) {
            event(pod, EventRecorder.WARNING, "Failed", "Error: " + e.getMessage());
            return new ContainerWaiting("CreateContainerConfigError", e.getMessage());
        }
        String id;
        try {
            id = runtime.createContainer(sandbox, containerSpec(pod, c, attempt, vars, mounts));
        } catch (RuntimeOperationException e) {
            event(pod, EventRecorder.WARNING, "Failed", "Error: " + e.getMessage());
            return new ContainerWaiting("CreateContainerError", e.getMessage());
        }
        event(pod, EventRecorder.NORMAL, "Created", "Created container " + c.getName());
        return tryStartCreated(pod, c, id);
    }

    private void tryStart(Pod pod, Container c, String id, Map<String, ContainerWaiting> waiting) {
        ContainerWaiting w = tryStartCreated(pod, c, id);
        if (w != null) {
            waiting.put(c.getName(), w);
        }
    }

    private ContainerWaiting tryStartCreated(Pod pod, Container c, String id) {
        try {
            runtime.startContainer(id);
        } catch (RuntimeOperationException e) {
            event(pod, EventRecorder.WARNING, "Failed", "Error: " + e.getMessage());
            return new ContainerWaiting("RunContainerError", e.getMessage());
        }
        event(pod, EventRecorder.NORMAL, "Started", "Started container " + c.getName());
        if (c.getLifecycle() != null && c.getLifecycle().getPostStart() != null
                && c.getLifecycle().getPostStart().getExec() != null) {
            var r = runtime.execSync(id, c.getLifecycle().getPostStart().getExec().getCommand(), Duration.ofSeconds(30));
            if (r.exitCode() != 0) {
                String msg = "PostStartHook failed: exit code " + r.exitCode();
                event(pod, EventRecorder.WARNING, "FailedPostStartHook", msg);
                runtime.stopContainer(id, lifecycle.minimumKillGrace());
            }
        }
        return null;
    }

    private Duration restartWithBackoff(Pod pod, Container c, Sandbox sandbox, PodRuntimeState state,
                                        ContainerStatus latest, Map<String, ContainerWaiting> waiting) {
        String key = key(pod, c);
        Duration left = crashBackoff.remaining(key);
        if (!left.isZero()) {
            String msg = "back-off " + human(crashBackoff.current(key)) + " restarting failed container="
                    + c.getName() + " pod=" + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace()
                    + "(" + pod.getMetadata().getUid() + ")";
            waiting.put(c.getName(), new ContainerWaiting("CrashLoopBackOff", msg));
            event(pod, EventRecorder.WARNING, "BackOff", "Back-off restarting failed container " + c.getName()
                    + " in pod " + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "("
                    + pod.getMetadata().getUid() + ")");
            return left;
        }
        crashBackoff.next(key);
        ContainerWaiting w = startContainer(pod, c, sandbox, latest.attempt() + 1);
        if (w != null) {
            waiting.put(c.getName(), w);
            return retryDelay(pod, c, w);
        }
        return null;
    }

    private boolean shouldRestart(Pod pod, ContainerStatus latest) {
        String policy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
        return switch (policy) {
            case "Never" -> false;
            case "OnFailure" -> latest.exitCode() != 0;
            default -> true;
        };
    }

    /** False when every app container finished and none will restart (no sandbox is needed any more). */
    private boolean needsSandbox(Pod pod, PodRuntimeState state) {
        if (state.sandboxes().isEmpty()) {
            return true;
        }
        for (Container c : pod.getSpec().getContainers()) {
            ContainerStatus latest = state.latest(c.getName()).orElse(null);
            if (latest == null || latest.state() != ContainerStatus.State.EXITED || shouldRestart(pod, latest)) {
                return true;
            }
        }
        return false;
    }

    private Duration retryDelay(Pod pod, Container c, ContainerWaiting w) {
        if (w.reason().equals("ErrImagePull") || w.reason().equals("ImagePullBackOff")) {
            Duration d = pullBackoff.remaining(pullKey(c));
            return d.isZero() ? Duration.ofSeconds(1) : d;
        }
        return Duration.ofSeconds(2);
    }

    private ContainerWaiting ensureImage(Pod pod, Container c) {
        String image = c.getImage();
        String policy = Objects.requireNonNullElse(c.getImagePullPolicy(), "IfNotPresent");
        boolean present;
        try {
            present = runtime.inspectImage(image).isPresent();
        } catch (RuntimeOperationException e) {
            return new ContainerWaiting("ErrImagePull", e.getMessage());
        }
        if ("Never".equals(policy)) {
            if (present) {
                return null;
            }
            String msg = "Container image \"" + image + "\" is not present with pull policy of Never";
            event(pod, EventRecorder.WARNING, "ErrImageNeverPull", msg);
            return new ContainerWaiting("ErrImageNeverPull", msg);
        }
        if (present && !"Always".equals(policy)) {
            event(pod, EventRecorder.NORMAL, "Pulled", "Container image \"" + image + "\" already present on machine");
            return null;
        }
        String key = pullKey(c);
        if (!pullBackoff.remaining(key).isZero()) {
            String msg = "Back-off pulling image \"" + image + "\"";
            event(pod, EventRecorder.NORMAL, "BackOff", msg);
            return new ContainerWaiting("ImagePullBackOff", msg);
        }
        event(pod, EventRecorder.NORMAL, "Pulling", "Pulling image \"" + image + "\"");
        long t0 = System.nanoTime();
        try {
            runtime.pullImage(image);
        } catch (ImagePullException e) {
            pullBackoff.next(key);
            event(pod, EventRecorder.WARNING, "Failed", "Failed to pull image \"" + image + "\": " + e.getMessage());
            return new ContainerWaiting("ErrImagePull", e.getMessage());
        }
        pullBackoff.forget(key);
        event(pod, EventRecorder.NORMAL, "Pulled", "Successfully pulled image \"" + image + "\" in "
                + human(Duration.ofNanos(System.nanoTime() - t0)));
        return null;
    }

    /** Removes exited containers beyond the newest two of each name, and old stopped sandboxes. */
    private void garbageCollect(Pod pod, PodRuntimeState state, Sandbox current) {
        Map<String, List<ContainerStatus>> byName = new HashMap<>();
        for (ContainerStatus c : state.containers()) {
            byName.computeIfAbsent(c.containerName(), k -> new ArrayList<>()).add(c);
        }
        for (List<ContainerStatus> list : byName.values()) {
            list.sort((a, b) -> Integer.compare(b.attempt(), a.attempt()));
            for (int i = 2; i < list.size(); i++) {
                if (list.get(i).state() == ContainerStatus.State.EXITED) {
                    removeQuietly(list.get(i).id());
                }
            }
        }
        for (Sandbox s : state.sandboxes()) {
            if (!s.id().equals(current.id()) && !s.ready()) {
                boolean used = state.containers().stream().anyMatch(c -> s.id().equals(c.sandboxId()) && c.running());
                if (!used) {
                    try {
                        runtime.removeSandbox(s.id());
                    } catch (RuntimeOperationException e) {
                        log.debug("removing old sandbox {}: {}", s.id(), e.getMessage());
                    }
                }
            }
        }
    }

    private void removeQuietly(String id) {
        try {
            runtime.removeContainer(id);
        } catch (RuntimeOperationException e) {
            log.debug("removing container {}: {}", id, e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------ specs

    SandboxSpec sandboxSpec(Pod pod, int attempt) {
        List<SandboxSpec.PortMapping> ports = new ArrayList<>();
        for (Container c : pod.getSpec().getContainers()) {
            if (c.getPorts() == null) {
                continue;
            }
            for (ContainerPort p : c.getPorts()) {
                if (p.getHostPort() != null && p.getHostPort() > 0) {
                    ports.add(new SandboxSpec.PortMapping(Objects.requireNonNullElse(p.getProtocol(), "TCP"),
                            p.getContainerPort(), p.getHostPort(), p.getHostIP()));
                }
            }
        }
        String hostname = pod.getSpec().getHostname() != null ? pod.getSpec().getHostname()
                : pod.getMetadata().getName();
        if (hostname.length() > 63) {
            hostname = hostname.substring(0, 63);
        }
        PodDns.Settings dns = podDns.configure(pod);
        return new SandboxSpec(pod.getMetadata().getUid(), pod.getMetadata().getName(),
                pod.getMetadata().getNamespace(), attempt, hostname, Boolean.TRUE.equals(pod.getSpec().getHostNetwork()),
                ports, dns.nameservers(), dns.searches(), dns.options(),
                Map.of(RuntimeLabels.TERMINATION_GRACE, String.valueOf(grace(pod).toSeconds())));
    }

    ContainerSpec containerSpec(Pod pod, Container c, int attempt, List<ContainerSpec.EnvVar> vars,
                                List<ContainerSpec.Mount> mounts) {
        Map<String, Quantity> req = c.getResources() == null ? null : c.getResources().getRequests();
        Map<String, Quantity> lim = c.getResources() == null ? null : c.getResources().getLimits();
        long cpuReq = millis(req == null ? null : req.get("cpu"));
        long cpuLim = millis(lim == null ? null : lim.get("cpu"));
        if (cpuReq == 0 && cpuLim > 0) {
            cpuReq = cpuLim; // requests default to limits
        }
        long mem = bytes(lim == null ? null : lim.get("memory"));
        var sc = c.getSecurityContext();
        Long runAsUser = sc != null && sc.getRunAsUser() != null ? sc.getRunAsUser()
                : pod.getSpec().getSecurityContext() != null ? pod.getSpec().getSecurityContext().getRunAsUser() : null;
        boolean privileged = sc != null && Boolean.TRUE.equals(sc.getPrivileged());
        return new ContainerSpec(pod.getMetadata().getUid(), pod.getMetadata().getName(),
                pod.getMetadata().getNamespace(), c.getName(), c.getImage(), c.getCommand(), c.getArgs(), vars,
                c.getWorkingDir(), mounts, cpuReq, cpuLim, mem, Boolean.TRUE.equals(c.getTty()),
                Boolean.TRUE.equals(c.getStdin()), Boolean.TRUE.equals(c.getStdinOnce()), attempt, hash(c),
                c.getTerminationMessagePath(), runAsUser, privileged,
                Map.of(RuntimeLabels.TERMINATION_GRACE, String.valueOf(grace(pod).toSeconds())));
    }

    /** A stable hash of the container's spec: a change means the container is recreated. */
    public static String hash(Container c) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(Codecs.json().writeValueAsString(c).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static long millis(Quantity q) {
        if (q == null) {
            return 0;
        }
        return q.getNumericalAmount().multiply(BigDecimal.valueOf(1000)).setScale(0, java.math.RoundingMode.CEILING)
                .longValueExact();
    }

    static long bytes(Quantity q) {
        return q == null ? 0 : q.getNumericalAmount().setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    /**
     * The status the runtime shows now, before {@link #sync} acts on it (the kubelet's {@code generateAPIPodStatus}
     * ahead of {@code SyncPod}): what a client must see of a pod whose containers died, even when the same sync starts
     * them again.
     */
    public PodStatus observedStatus(Pod pod, PodRuntimeState state, PodStatus lastStatus) {
        return build(withStatus(pod, lastStatus), state, new HashMap<>(), ctx.clock().now(), null);
    }

    /** Whether {@code status} has the condition Ready=True. */
    public static boolean ready(PodStatus status) {
        return status != null && status.getConditions() != null && status.getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    // ------------------------------------------------------------------------------------------ helpers

    private PodStatus build(Pod pod, PodRuntimeState state, Map<String, ContainerWaiting> waiting, Instant now,
                            PodStatusBuilder.Terminal terminal) {
        return PodStatusBuilder.build(pod, state, waiting, new PodStatusBuilder.Probes() {
            @Override
            public boolean ready(String id) {
                return probes.ready(id);
            }

            @Override
            public boolean started(String id) {
                return probes.started(id);
            }
        }, runtimeName(), ctx.nodeIp(), now, terminal);
    }

    /**
     * The final status of a pod whose containers were stopped because it is being deleted: a terminal phase, as the
     * kubelet gives such a pod (Kubernetes 1.27+: Succeeded when every container succeeded, else Failed), written
     * before the final delete so that whoever holds a finalizer on it (the Job controller's tracking finalizer) sees
     * how it ended, its DisruptionTarget condition and its exit codes, instead of a Running pod that never ends.
     */
    public PodStatus terminatedStatus(Pod pod, PodStatus last, PodRuntimeState after) {
        Instant now = ctx.clock().now();
        Pod view = withStatus(pod, last);
        PodStatus st = build(view, after, new HashMap<>(), now, null);
        if (!PodStatusBuilder.isTerminalPhase(st.getPhase())) {
            st = build(view, after, new HashMap<>(), now, new PodStatusBuilder.Terminal("Failed", null, null));
        }
        return st;
    }

    private PodStatusBuilder.Terminal deadlineExceeded(Pod pod, PodStatus last, Instant now) {
        Long deadline = pod.getSpec().getActiveDeadlineSeconds();
        if (deadline == null || last == null || last.getStartTime() == null) {
            return null;
        }
        Instant start = Instant.parse(last.getStartTime());
        if (now.isAfter(start.plusSeconds(deadline))) {
            return new PodStatusBuilder.Terminal("Failed", "DeadlineExceeded",
                    "Pod was active on the node longer than the specified deadline");
        }
        return null;
    }

    /** When the pod's active deadline falls (null: none). */
    public Duration untilDeadline(Pod pod, PodStatus last) {
        Long deadline = pod.getSpec().getActiveDeadlineSeconds();
        if (deadline == null || last == null || last.getStartTime() == null) {
            return null;
        }
        Duration d = Duration.between(ctx.clock().now(), Instant.parse(last.getStartTime()).plusSeconds(deadline));
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** The runtime's name for container URIs ({@code docker://...}); asked once. */
    private String runtimeName() {
        String n = runtimeName;
        if (n == null) {
            n = runtime.info().runtimeName();
            runtimeName = n;
        }
        return n;
    }

    public PodRuntimeState relist(String uid) {
        return PodRuntimeState.of(uid, runtime.listSandboxes(), runtime.listContainers());
    }

    private static Pod withStatus(Pod pod, PodStatus status) {
        if (status == null || status == pod.getStatus()) {
            return pod;
        }
        Pod copy = new Pod(pod.getApiVersion(), pod.getKind(), pod.getMetadata(), pod.getSpec(), status);
        return copy;
    }

    private void event(Pod pod, String type, String reason, String message) {
        if (ctx.events() != null && pod != null) {
            ctx.events().event(pod, type, reason, message);
        }
    }

    private static Container find(Pod pod, String name) {
        for (Container c : pod.getSpec().getContainers()) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        if (pod.getSpec().getInitContainers() != null) {
            for (Container c : pod.getSpec().getInitContainers()) {
                if (c.getName().equals(name)) {
                    return c;
                }
            }
        }
        return null;
    }

    private static String podIp(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    }

    private static String key(Pod pod, Container c) {
        return pod.getMetadata().getUid() + "/" + c.getName();
    }

    private static String pullKey(Container c) {
        return "image/" + c.getImage();
    }

    private static String podName(Pod pod) {
        return pod == null ? "?" : pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private static Duration min(Duration a, Duration b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** {@code 10s}, {@code 1m20s}, {@code 5m0s} — as Go prints durations in the kubelet's messages. */
    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            if (s == 0) {
                return String.format(java.util.Locale.ROOT, "%.3fs", d.toMillis() / 1000.0);
            }
            return s + "s";
        }
        return (s / 60) + "m" + (s % 60) + "s";
    }
}
