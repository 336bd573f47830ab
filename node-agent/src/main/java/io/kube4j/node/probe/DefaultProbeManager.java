package io.kube4j.node.probe;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.runtime.ContainerStatus;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's prober manager: one worker per (container id, probe kind) ticking on {@code ctx.scheduler()} every
 * {@code periodSeconds} (first after {@code initialDelaySeconds} from the container's start). A tick never blocks:
 * it starts an asynchronous probe ({@link ProbeRunner}) and skips while the previous one is in flight. A result
 * becomes the container's only after {@code failureThreshold} failures / {@code successThreshold} successes in a
 * row. Readiness starts false, liveness and startup true/false as the kubelet; readiness and liveness do not run
 * until the startup probe succeeded, which then stops. After liveness (or startup) reaches its failure threshold
 * the worker holds until a new container id (the container is restarted by the pod syncer, which checks
 * {@link #alive}: it is also false when the startup probe failed, since the kubelet kills those containers too).
 * Every failed probe records an {@code Unhealthy} Warning event ("Liveness probe failed: ...") and every probe
 * counts in {@code prober_probe_total}. gRPC probes are not supported: they always fail, with a log line.
 */
public final class DefaultProbeManager implements ProbeManager {

    private static final Logger log = LoggerFactory.getLogger(DefaultProbeManager.class);

    /** The three kinds of probe, with the kubelet's names. */
    enum Kind {
        STARTUP("Startup"), READINESS("Readiness"), LIVENESS("Liveness");

        final String label;

        Kind(String label) {
            this.label = label;
        }

        Probe of(Container c) {
            return switch (this) {
                case STARTUP -> c.getStartupProbe();
                case READINESS -> c.getReadinessProbe();
                case LIVENESS -> c.getLivenessProbe();
            };
        }
    }

    private final NodeContext ctx;
    private final Consumer<String> onResultChange;
    private final ProbeRunner runner;
    private final Map<String, PodProbes> pods = new ConcurrentHashMap<>();
    /** Latest results by container id; absent: the container has no such probe. */
    private final Map<String, Boolean> readiness = new ConcurrentHashMap<>();
    private final Map<String, Boolean> liveness = new ConcurrentHashMap<>();
    private final Map<String, Boolean> startup = new ConcurrentHashMap<>();

    private static final class PodProbes {
        volatile Pod pod;
        volatile String podIp;
        final Map<String, Worker> workers = new ConcurrentHashMap<>(); // key: containerId/kind
    }

    public DefaultProbeManager(NodeContext ctx, Consumer<String> onResultChange) {
        this.ctx = ctx;
        this.onResultChange = onResultChange == null ? uid -> { } : onResultChange;
        this.runner = new ProbeRunner(ctx.runtime());
    }

    @Override
    public void syncPod(Pod pod, Map<String, ContainerStatus> running, String podIp) {
        String uid = pod.getMetadata().getUid();
        PodProbes pp = pods.computeIfAbsent(uid, u -> new PodProbes());
        synchronized (pp) {
            pp.pod = pod;
            pp.podIp = podIp;
            Set<String> liveIds = new HashSet<>();
            for (Container c : probedContainers(pod)) {
                ContainerStatus st = running.get(c.getName());
                if (st == null || !st.running()) {
                    continue;
                }
                liveIds.add(st.id());
                for (Kind kind : Kind.values()) {
                    Probe probe = kind.of(c);
                    if (probe == null) {
                        continue;
                    }
                    String key = st.id() + "/" + kind;
                    if (!pp.workers.containsKey(key)) {
                        Worker w = new Worker(uid, pp, c, st, kind, probe);
                        pp.workers.put(key, w);
                        w.start();
                    }
                }
            }
            for (var it = pp.workers.entrySet().iterator(); it.hasNext(); ) {
                Worker w = it.next().getValue();
                if (!liveIds.contains(w.containerId)) {
                    w.stop();
                    forget(w.containerId);
                    it.remove();
                }
            }
        }
    }

    /** Regular containers and restartable (sidecar) init containers. */
    private static List<Container> probedContainers(Pod pod) {
        List<Container> out = new ArrayList<>();
        if (pod.getSpec().getContainers() != null) {
            out.addAll(pod.getSpec().getContainers());
        }
        if (pod.getSpec().getInitContainers() != null) {
            for (Container c : pod.getSpec().getInitContainers()) {
                if ("Always".equals(c.getRestartPolicy())) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    @Override
    public void removePod(String podUid) {
        PodProbes pp = pods.remove(podUid);
        if (pp == null) {
            return;
        }
        synchronized (pp) {
            for (Worker w : pp.workers.values()) {
                w.stop();
                forget(w.containerId);
            }
            pp.workers.clear();
        }
    }

    private void forget(String containerId) {
        readiness.remove(containerId);
        liveness.remove(containerId);
        startup.remove(containerId);
    }

    @Override
    public boolean ready(String containerId) {
        return readiness.getOrDefault(containerId, true);
    }

    @Override
    public boolean alive(String containerId) {
        return liveness.getOrDefault(containerId, true);
    }

    @Override
    public boolean started(String containerId) {
        return startup.getOrDefault(containerId, true);
    }

    private Map<String, Boolean> results(Kind kind) {
        return switch (kind) {
            case STARTUP -> startup;
            case READINESS -> readiness;
            case LIVENESS -> liveness;
        };
    }

    /** Probes one container with one probe, on the shared scheduler. */
    private final class Worker {
        final String podUid;
        final PodProbes pp;
        final Container container;
        final String containerId;
        final Instant startedAt;
        final Kind kind;
        final Probe probe;
        final Duration timeout;
        final int period;
        final int successThreshold;
        final int failureThreshold;
        final AtomicBoolean inFlight = new AtomicBoolean();
        ScheduledFuture<?> future;
        volatile boolean stopped;
        Boolean lastResult; // null: unknown
        int resultRun;
        boolean onHold;

        Worker(String podUid, PodProbes pp, Container container, ContainerStatus st, Kind kind, Probe probe) {
            this.podUid = podUid;
            this.pp = pp;
            this.container = container;
            this.containerId = st.id();
            this.startedAt = st.startedAt();
            this.kind = kind;
            this.probe = probe;
            this.timeout = Duration.ofSeconds(positive(probe.getTimeoutSeconds(), 1));
            this.period = positive(probe.getPeriodSeconds(), 10);
            this.successThreshold = positive(probe.getSuccessThreshold(), 1);
            this.failureThreshold = positive(probe.getFailureThreshold(), 3);
            // initial results as the kubelet: not ready, alive, not started
            results(kind).put(containerId, kind == Kind.LIVENESS);
        }

        void start() {
            long delayMs = 0;
            int initialDelay = probe.getInitialDelaySeconds() == null ? 0 : Math.max(0, probe.getInitialDelaySeconds());
            if (initialDelay > 0) {
                Instant since = startedAt == null ? ctx.clock().now() : startedAt;
                delayMs = Math.max(0, Duration.between(ctx.clock().now(), since.plusSeconds(initialDelay)).toMillis());
            }
            if (probe.getGrpc() != null) {
                log.warn("pod {} container {}: gRPC {} probes are not supported by this node; they fail", podUid,
                        container.getName(), kind.label.toLowerCase(java.util.Locale.ROOT));
            }
            future = ctx.scheduler().scheduleWithFixedDelay(this::tick, delayMs, period * 1000L, TimeUnit.MILLISECONDS);
        }

        void stop() {
            stopped = true;
            if (future != null) {
                future.cancel(false);
            }
        }

        /** On the scheduler thread: must not block. */
        private void tick() {
            try {
                if (stopped || onHold) {
                    return;
                }
                if (kind != Kind.STARTUP && !started(containerId)) {
                    return; // gated by the startup probe
                }
                if (kind == Kind.STARTUP && Boolean.TRUE.equals(startup.get(containerId))) {
                    stop();
                    return;
                }
                if (!inFlight.compareAndSet(false, true)) {
                    return;
                }
                runner.run(probe, container, containerId, pp.podIp, timeout).whenComplete((r, err) -> {
                    try {
                        handle(err != null ? new ProbeRunner.Result(false, String.valueOf(err)) : r);
                    } catch (RuntimeException e) {
                        log.warn("probe result handling failed: {}", e.toString());
                    } finally {
                        inFlight.set(false);
                    }
                });
            } catch (RuntimeException e) {
                inFlight.set(false);
                log.warn("pod {} container {}: {} probe could not run: {}", podUid, container.getName(), kind.label,
                        e.toString());
            }
        }

        private void handle(ProbeRunner.Result r) {
            boolean changed;
            synchronized (this) {
                if (stopped) {
                    return;
                }
                Pod pod = pp.pod;
                count(pod, r.success());
                if (!r.success()) {
                    String msg = kind.label + " probe failed: " + r.message();
                    log.debug("pod {} container {}: {}", podUid, container.getName(), msg);
                    if (ctx.events() != null && pod != null) {
                        ctx.events().event(pod, EventRecorder.WARNING, "Unhealthy", msg);
                    }
                }
                if (lastResult != null && lastResult == r.success()) {
                    resultRun++;
                } else {
                    lastResult = r.success();
                    resultRun = 1;
                }
                if ((!r.success() && resultRun < failureThreshold) || (r.success() && resultRun < successThreshold)) {
                    return;
                }
                Boolean previous = results(kind).put(containerId, r.success());
                changed = previous == null || previous != r.success();
                if (!r.success() && (kind == Kind.LIVENESS || kind == Kind.STARTUP)) {
                    // the container will be restarted: stop probing until a new container id
                    onHold = true;
                    resultRun = 0;
                    if (kind == Kind.STARTUP) {
                        changed |= !Boolean.FALSE.equals(liveness.put(containerId, false));
                    }
                }
                if (r.success() && kind == Kind.STARTUP) {
                    stop();
                }
            }
            if (changed) {
                onResultChange.accept(podUid);
            }
        }

        private void count(Pod pod, boolean success) {
            if (ctx.meters() == null) {
                return;
            }
            Counter.builder("prober_probe_total")
                    .description("Cumulative number of liveness, readiness and startup probes by result")
                    .tag("probe_type", kind.label)
                    .tag("container", container.getName())
                    .tag("pod", pod == null ? "" : pod.getMetadata().getName())
                    .tag("namespace", pod == null || pod.getMetadata().getNamespace() == null ? ""
                            : pod.getMetadata().getNamespace())
                    .tag("pod_uid", podUid)
                    .tag("result", success ? "successful" : "failed")
                    .register(ctx.meters()).increment();
        }
    }

    private static int positive(Integer v, int dflt) {
        return v == null || v <= 0 ? dflt : v;
    }
}
