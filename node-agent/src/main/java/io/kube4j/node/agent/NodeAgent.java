package io.kube4j.node.agent;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.kube4j.node.config.PodLifecycleProperties;
import io.kube4j.node.env.ConfigObjects;
import io.kube4j.node.env.KubeletEnvResolver;
import io.kube4j.node.env.ServiceSource;
import io.kube4j.node.eviction.EvictionManager;
import io.kube4j.node.pod.PodManager;
import io.kube4j.node.pod.PodSyncer;
import io.kube4j.node.probe.DefaultProbeManager;
import io.kube4j.node.server.NodeApiServer;
import io.kube4j.node.source.ApiServerPodSource;
import io.kube4j.node.source.ManifestPodSource;
import io.kube4j.node.runtime.RuntimeHealth;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.status.HostFacts;
import io.kube4j.node.status.NodePressure;
import io.kube4j.node.status.NodeLeaseRenewer;
import io.kube4j.node.status.NodeStatusManager;
import io.kube4j.node.volume.HostVolumeManager;
import io.kube4j.node.volume.LocalPathVolumes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node agent: the composition root of a kubelet. Registers the Node and keeps its Lease and status fresh, runs
 * the pods bound to it (from the apiserver, static manifests, a manifest URL) on the context's runtime, probes
 * them, evicts under pressure, and (when {@code serveNodeApi}) serves the node API for logs, exec and stats. The
 * Spring application runs one; a hollow fleet runs many in one JVM, sharing the client, scheduler and pod worker
 * threads.
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

    private final NodeContext ctx;
    private final PodLifecycleProperties lifecycle;
    private final ExecutorService podExecutor;
    private final boolean ownsExecutor;
    private final boolean serveNodeApi;
    private HostVolumeManager volumes;
    private LocalPathVolumes localPath;
    private ServiceSource services;
    private DefaultProbeManager probes;
    private PodManager pods;
    private EvictionManager eviction;
    private NodeApiServer nodeApi;
    private NodeStatusManager status;
    private NodeLeaseRenewer lease;
    private boolean podsStarted;

    /**
     * @param podExecutor  threads for pod syncs (null: a pool of this agent's own); syncs block on the runtime
     * @param serveNodeApi start the node API server (hollow nodes do not)
     */
    public NodeAgent(NodeContext ctx, PodLifecycleProperties lifecycle, ExecutorService podExecutor,
                     boolean serveNodeApi) {
        this.ctx = ctx;
        this.lifecycle = lifecycle;
        this.ownsExecutor = podExecutor == null;
        this.podExecutor = podExecutor != null ? podExecutor : Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "pod-worker-" + ctx.nodeName());
            t.setDaemon(true);
            return t;
        });
        this.serveNodeApi = serveNodeApi;
    }

    public synchronized void start() {
        AtomicReference<PodManager> podsRef = new AtomicReference<>();
        volumes = new HostVolumeManager(ctx, uid -> {
            PodManager p = podsRef.get();
            if (p != null) {
                p.podChanged(uid);
            }
        });
        probes = new DefaultProbeManager(ctx, uid -> {
            PodManager p = podsRef.get();
            if (p != null) {
                p.podChanged(uid);
            }
        });
        boolean hollow = isHollow();
        // a hollow fleet would hold one Service watch per node: hollow containers run nothing, so no service variables
        services = hollow ? null : new ServiceSource(ctx.client());
        PodSyncer syncer = new PodSyncer(ctx, volumes, new KubeletEnvResolver(ctx,
                ConfigObjects.of(ctx.client(), Duration.ofSeconds(10)), services == null ? null : services::services),
                probes, lifecycle);
        pods = new PodManager(ctx, syncer, volumes, podExecutor);
        podsRef.set(pods);
        var props = ctx.properties();
        pods.addSource(new ApiServerPodSource(ctx.client(), ctx.nodeName(), Duration.ZERO));
        if (props.staticPodPath() != null && !props.staticPodPath().isBlank()) {
            pods.addSource(ManifestPodSource.directory(Path.of(props.staticPodPath()), ctx.nodeName(),
                    props.manifestUrlPeriod(), ctx.scheduler(), podExecutor));
        }
        if (props.manifestUrl() != null && !props.manifestUrl().isBlank()) {
            pods.addSource(ManifestPodSource.url(URI.create(props.manifestUrl()), ctx.nodeName(),
                    props.manifestUrlPeriod(), ctx.scheduler(), podExecutor));
        }
        // a hollow node has no real memory or disk to run out of: no eviction, and its fake capacity rather
        // than this host's cgroup limits
        eviction = hollow ? null : new EvictionManager(ctx, pods);
        Supplier<NodePressure> pressure = hollow ? () -> NodePressure.NONE : eviction::pressure;
        // an agent without a node API advertises port 0, so nothing (the metrics scraper) calls it
        int kubeletPort = 0;
        if (serveNodeApi) {
            nodeApi = new NodeApiServer(ctx, pods);
            kubeletPort = nodeApi.start();
        }
        status = hollow ? new NodeStatusManager(ctx, kubeletPort, pressure, HostFacts.hollow(ctx.nodeName()))
                : new NodeStatusManager(ctx, kubeletPort, pressure);
        lease = new NodeLeaseRenewer(ctx, status::currentNode);
        status.start();
        if (!hollow && ctx.client() != null) {
            // hollow nodes create no directories, so there is nothing of theirs to remove
            localPath = new LocalPathVolumes(props.localPathPath(ctx.rootDir() != null ? ctx.rootDir() : props.rootPath()),
                    ctx.nodeName(),
                    ctx.client().resources(io.fabric8.kubernetes.api.model.PersistentVolume.class));
            localPath.start();
        }
        if (hollow) {
            // a fleet of 1,000 nodes renewing every 10 s is 100 writes/s: spread them over the interval
            long interval = props.lease().renewInterval().toMillis();
            lease.start(Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, interval))));
        } else {
            lease.start();
        }
        if (services != null) {
            services.start();
            try {
                // containers started before the first list would fail with CreateContainerConfigError and wait a retry
                if (!services.awaitSynced(Duration.ofSeconds(10))) {
                    log.warn("node {}: the Services were not listed within 10 s; containers wait for them",
                            ctx.nodeName());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        RuntimeHealth health = ctx.runtime().health();
        if (!health.up()) {
            // the kubelet's "skipping pod synchronization - container runtime is down": pods bound here stay
            // Pending until the engine answers; the Node says why meanwhile
            log.warn("node agent {} started without a container runtime ({}): the node is NotReady and its pods wait"
                    + " for the runtime", ctx.nodeName(), health.error());
        }
        int port = kubeletPort;
        if (ctx.runtime().whenUp().isDone()) {
            startPods(port);
        } else {
            ctx.runtime().whenUp().thenRun(() -> {
                try {
                    startPods(port);
                } catch (RuntimeException e) {
                    log.error("node agent {}: starting the pod sync after the runtime came up failed", ctx.nodeName(),
                            e);
                }
            });
        }
    }

    private boolean isHollow() {
        if (!ctx.runtime().health().up()) {
            return false; // a hollow runtime is always up
        }
        try {
            return HollowRuntime.RUNTIME_NAME.equals(ctx.runtime().info().runtimeName());
        } catch (RuntimeException e) {
            return false; // gone since the check above: not hollow
        }
    }

    /** Starts syncing pods once the runtime is up (now, or from the thread that saw it come up). */
    private synchronized void startPods(int kubeletPort) {
        if (pods == null || podsStarted) {
            return; // closed before the runtime came up
        }
        podsStarted = true;
        pods.start();
        if (eviction != null) {
            eviction.start();
        }
        String version;
        try {
            version = ctx.runtime().info().containerRuntimeVersion();
        } catch (RuntimeException e) {
            version = "(down again: " + e.getMessage() + ")";
        }
        log.info("node agent {} started: runtime {}, pod CIDR {}, node IP {}{}{}", ctx.nodeName(), version,
                ctx.properties().podCidr(), ctx.nodeIp(),
                localPath == null ? "" : ", local-path volumes in " + localPath.dir(),
                serveNodeApi ? ", node API on port " + kubeletPort : "");
    }

    public PodManager pods() {
        return pods;
    }

    public NodeStatusManager nodeStatus() {
        return status;
    }

    public NodeLeaseRenewer lease() {
        return lease;
    }

    public NodeApiServer nodeApi() {
        return nodeApi;
    }

    public NodeContext context() {
        return ctx;
    }

    /** Stops the agent; the pods keep running in the runtime (a new agent adopts them). */
    @Override
    public synchronized void close() {
        if (pods == null) {
            return;
        }
        if (eviction != null && podsStarted) {
            eviction.stop();
        }
        pods.stop();
        podsStarted = false;
        lease.stop();
        status.stop();
        if (nodeApi != null) {
            nodeApi.stop();
        }
        volumes.close();
        if (localPath != null) {
            localPath.close();
            localPath = null;
        }
        if (services != null) {
            services.close();
        }
        for (var pod : pods.allPods()) {
            probes.removePod(pod.getMetadata().getUid());
        }
        if (ownsExecutor) {
            // let syncs in flight finish (a half-done sync is redone by the next agent, but cleanly is better)
            podExecutor.shutdown();
            try {
                if (!podExecutor.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    podExecutor.shutdownNow();
                }
            } catch (InterruptedException e) {
                podExecutor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        pods = null;
    }
}
