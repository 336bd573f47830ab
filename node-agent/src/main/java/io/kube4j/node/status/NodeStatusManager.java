package io.kube4j.node.status;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.DaemonEndpoint;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeDaemonEndpoints;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Taint;
import io.kube4j.api.codec.Codecs;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.RuntimeInfo;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Registers this node's {@code Node} and keeps its status current, after the kubelet's node status manager:
 * labels, taints, pod CIDR, capacity/allocatable, addresses, daemon endpoints, nodeInfo and the Ready and pressure
 * conditions. Registration is asynchronous and retried with backoff until the apiserver answers
 * ({@link #registered()}); then every {@code statusUpdateFrequency} the status is recomputed and written through
 * {@code /status} when it changed or {@code statusReportInterval} has passed since the last write.
 *
 * <p>On an agent restart the Node already exists: the labels and taints this agent set (remembered in annotations)
 * are reconciled to the configuration, everything others set is kept.
 */
public final class NodeStatusManager {

    /** The kubelet version the node reports: the apiserver's Kubernetes version, as a kube4j build. */
    public static final String KUBELET_VERSION = "v1.31.0-kube4j." + version();
    /** Label keys this agent set, comma-separated: on restart only these are reconciled. */
    public static final String OWNED_LABELS_ANNOTATION = "node.kube4j.io/agent-labels";
    /** Taints ({@code key:Effect}) this agent set, comma-separated. */
    public static final String OWNED_TAINTS_ANNOTATION = "node.kube4j.io/agent-taints";

    static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;
    private static final Logger log = LoggerFactory.getLogger(NodeStatusManager.class);

    private final NodeContext ctx;
    private final NodeAgentProperties props;
    private final int kubeletPort;
    private final Supplier<NodePressure> pressure;
    private final HostFacts facts;
    private final ResourceClient<Node> nodes;
    private final CompletableFuture<Node> registered = new CompletableFuture<>();
    private final AtomicBoolean syncing = new AtomicBoolean();
    private volatile List<Taint> taints;
    private volatile Node current;
    private volatile Instant lastStatusWrite;
    private volatile boolean stopped;
    private volatile Disposable registration;
    private volatile ScheduledFuture<?> ticker;

    public NodeStatusManager(NodeContext ctx, int kubeletPort, Supplier<NodePressure> pressure) {
        this(ctx, kubeletPort, pressure, HostFacts.host());
    }

    /** With the host facts given (hollow nodes pass {@link HostFacts#hollow}; tests pass fixed cgroup limits). */
    public NodeStatusManager(NodeContext ctx, int kubeletPort, Supplier<NodePressure> pressure, HostFacts facts) {
        this.ctx = Objects.requireNonNull(ctx);
        this.props = ctx.properties();
        this.kubeletPort = kubeletPort;
        this.pressure = pressure == null ? () -> NodePressure.NONE : pressure;
        this.facts = Objects.requireNonNull(facts);
        this.nodes = ctx.client().resources(Node.class);
    }

    /**
     * Validates the configuration (bad taints or reservations throw {@link IllegalArgumentException} here) and
     * starts registering in the background; returns at once.
     */
    public synchronized void start() {
        if (registration != null) {
            return;
        }
        taints = Taints.parseAll(props.taints());
        NodeCapacity.millis(props.reserved().cpu(), "kube4j.node.reserved.cpu");
        NodeCapacity.bytes(props.reserved().memory(), "kube4j.node.reserved.memory");
        NodeCapacity.bytes(props.reserved().ephemeralStorage(), "kube4j.node.reserved.ephemeral-storage");
        registration = register()
                .retryWhen(Retry.backoff(Long.MAX_VALUE, MIN_BACKOFF).maxBackoff(MAX_BACKOFF).jitter(0.5)
                        .filter(NodeStatusManager::retryable)
                        .doBeforeRetry(s -> log.warn("node {}: registration failed, retrying: {}", ctx.nodeName(),
                                s.failure().toString())))
                .subscribe(n -> {
                    log.info("node {} registered (uid {})", ctx.nodeName(), n.getMetadata().getUid());
                    registered.complete(n);
                    scheduleTicks();
                }, e -> {
                    log.error("node {}: registration failed for good: {}", ctx.nodeName(), e.toString());
                    registered.completeExceptionally(e);
                });
    }

    /** Completes with the registered Node (exceptionally when the apiserver rejects it for good). */
    public CompletableFuture<Node> registered() {
        return registered;
    }

    /** The Node as last read from or written to the apiserver; null before registration. */
    public Node currentNode() {
        return current;
    }

    /** Stops the periodic status updates; the Node stays (its Lease running out marks it unknown). */
    public synchronized void stop() {
        stopped = true;
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (registration != null) {
            registration.dispose();
        }
        if (!registered.isDone()) {
            registered.completeExceptionally(new IllegalStateException("node status manager stopped"));
        }
    }

    private synchronized void scheduleTicks() {
        if (stopped) {
            return;
        }
        long every = Math.max(1, props.statusUpdateFrequency().toMillis());
        ticker = ctx.scheduler().scheduleAtFixedRate(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    /** Runs on the shared scheduler: only kicks off the sync (which reads the runtime) on another thread. */
    private void tick() {
        if (stopped || !syncing.compareAndSet(false, true)) {
            return;
        }
        syncStatus().doFinally(s -> syncing.set(false))
                .subscribe(n -> { }, e -> log.warn("node {}: status update failed: {}", ctx.nodeName(), e.toString()));
    }

    /** Recomputes the status and writes it when it changed or the report interval passed; emits the Node. */
    public Mono<Node> syncStatus() {
        return Mono.fromCallable(this::observe).subscribeOn(Schedulers.boundedElastic()).flatMap(obs -> {
            Node known = current;
            if (known == null) {
                return Mono.empty();
            }
            Instant now = ctx.clock().now();
            NodeStatus desired = buildStatus(known.getStatus(), obs, now);
            boolean due = lastStatusWrite == null
                    || !now.isBefore(lastStatusWrite.plus(props.statusReportInterval()));
            if (!due && sameIgnoringHeartbeats(known.getStatus(), desired)) {
                // Unchanged since our last write, but the stored Node may not be: the node lifecycle controller
                // sets Ready Unknown when our heartbeats stop arriving (a network partition). As the kubelet,
                // compare with what the apiserver holds (from its watch cache: no store read per node and
                // period) and write when it differs.
                return nodes.getCached(null, ctx.nodeName())
                        .timeout(heartbeatTimeout(props))
                        .flatMap(stored -> sameIgnoringHeartbeats(stored.getStatus(), desired) ? Mono.just(stored)
                                : writeStatus(obs))
                        .onErrorResume(ApiStatusException.NotFound.class, e -> writeStatus(obs));
            }
            return writeStatus(obs);
        });
    }

    /**
     * How long one status update or Lease renewal may take (the kubelet's heartbeat client timeout): the status
     * update frequency, at most the Lease duration. A request stuck on a connection that went dead (a partition
     * drops packets without a reset) is abandoned then, so the next heartbeat goes out on a new connection instead
     * of waiting for the request timeout.
     */
    static Duration heartbeatTimeout(NodeAgentProperties props) {
        Duration t = props.statusUpdateFrequency();
        Duration lease = props.lease().duration();
        return lease.compareTo(t) < 0 ? lease : t;
    }

    private Mono<Node> writeStatus(Observation obs) {
        return nodes.updateWithRetry(null, ctx.nodeName(), n -> {
                    n.setStatus(buildStatus(n.getStatus(), obs, ctx.clock().now()));
                    return n;
                }, true)
                .timeout(heartbeatTimeout(props))
                .doOnNext(this::wroteStatus)
                .onErrorResume(ApiStatusException.NotFound.class, e -> {
                    // Someone deleted our Node: register it again, as the kubelet does.
                    log.warn("node {} was deleted; registering it again", ctx.nodeName());
                    return register();
                });
    }

    private void wroteStatus(Node n) {
        current = n;
        lastStatusWrite = ctx.clock().now();
    }

    /** What the runtime and the pressure source say now (the runtime may block: not on the shared scheduler). */
    private Observation observe() {
        RuntimeInfo info;
        String runtimeError = null;
        try {
            info = ctx.runtime().info();
        } catch (RuntimeException e) {
            info = null;
            runtimeError = "container runtime is down: " + e.getMessage();
        }
        NodePressure p;
        try {
            p = pressure.get();
        } catch (RuntimeException e) {
            log.warn("node {}: pressure signals unavailable: {}", ctx.nodeName(), e.toString());
            p = NodePressure.NONE;
        }
        return new Observation(info, runtimeError, p == null ? NodePressure.NONE : p);
    }

    record Observation(RuntimeInfo info, String runtimeError, NodePressure pressure) {
    }

    // ---- registration

    private Mono<Node> register() {
        return Mono.fromCallable(this::observe).subscribeOn(Schedulers.boundedElastic())
                .flatMap(obs -> nodes.get(null, ctx.nodeName())
                        .flatMap(existing -> updateExisting(existing, obs))
                        .onErrorResume(ApiStatusException.NotFound.class, e -> create(obs)))
                .doOnNext(this::wroteStatus);
    }

    private Mono<Node> create(Observation obs) {
        Node n = new Node();
        n.setApiVersion("v1");
        n.setKind("Node");
        ObjectMeta m = new ObjectMeta();
        m.setName(ctx.nodeName());
        m.setLabels(new LinkedHashMap<>());
        m.setAnnotations(new LinkedHashMap<>());
        n.setMetadata(m);
        n.setSpec(new NodeSpec());
        reconcileOwned(n, obs.info());
        n.setStatus(buildStatus(null, obs, ctx.clock().now()));
        // AlreadyExists: another agent of the same name, or our own earlier attempt: retry reads it.
        return nodes.create(n).onErrorMap(ApiStatusException.AlreadyExists.class,
                e -> new ApiStatusException.Conflict(409, e.status(), e.getMessage()));
    }

    private Mono<Node> updateExisting(Node existing, Observation obs) {
        Node desired = Codecs.json().convertValue(existing, Node.class);
        reconcileOwned(desired, obs.info());
        Mono<Node> main = sameTree(existing.getMetadata(), desired.getMetadata())
                && sameTree(existing.getSpec(), desired.getSpec()) ? Mono.just(existing) : nodes.update(desired);
        return main.flatMap(n -> {
            n.setStatus(buildStatus(n.getStatus(), obs, ctx.clock().now()));
            return nodes.updateStatus(n);
        });
    }

    /**
     * Sets the labels, taints and pod CIDR this agent owns on {@code n}: previously owned labels/taints that the
     * configuration no longer has are removed, labels and taints of others are kept.
     */
    void reconcileOwned(Node n, RuntimeInfo info) {
        ObjectMeta m = n.getMetadata();
        Map<String, String> labels = m.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(m.getLabels());
        Map<String, String> annotations = m.getAnnotations() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(m.getAnnotations());
        Map<String, String> desiredLabels = desiredLabels(info);
        for (String k : split(annotations.get(OWNED_LABELS_ANNOTATION))) {
            if (!desiredLabels.containsKey(k)) {
                labels.remove(k);
            }
        }
        labels.putAll(desiredLabels);
        annotations.put(OWNED_LABELS_ANNOTATION, String.join(",", new TreeSet<>(desiredLabels.keySet())));

        NodeSpec spec = n.getSpec() == null ? new NodeSpec() : n.getSpec();
        Set<String> previouslyOwned = new LinkedHashSet<>(split(annotations.get(OWNED_TAINTS_ANNOTATION)));
        Map<String, Taint> desiredTaints = new LinkedHashMap<>();
        for (Taint t : taints) {
            desiredTaints.put(Taints.id(t), t);
        }
        List<Taint> out = new ArrayList<>();
        for (Taint t : spec.getTaints() == null ? List.<Taint>of() : spec.getTaints()) {
            String id = Taints.id(t);
            if (desiredTaints.containsKey(id) || previouslyOwned.contains(id)) {
                continue; // ours: re-added below with the configured value
            }
            out.add(t);
        }
        out.addAll(desiredTaints.values());
        annotations.put(OWNED_TAINTS_ANNOTATION, String.join(",", new TreeSet<>(desiredTaints.keySet())));
        annotations.putIfAbsent("node.alpha.kubernetes.io/ttl", "0");
        annotations.putIfAbsent("volumes.kubernetes.io/controller-managed-attach-detach", "true");
        // where the local-path provisioner puts this node's volumes (it refuses nodes without it)
        annotations.put(io.kube4j.node.volume.LocalPathVolumes.DIR_ANNOTATION,
                props.localPathPath(ctx.rootDir() != null ? ctx.rootDir() : props.rootPath()).toString());
        spec.setTaints(out.isEmpty() ? null : out);
        if (props.podCidr() != null && !props.podCidr().isBlank()) {
            spec.setPodCIDR(props.podCidr());
            spec.setPodCIDRs(List.of(props.podCidr()));
        }
        n.setSpec(spec);
        m.setLabels(labels);
        m.setAnnotations(annotations);
    }

    Map<String, String> desiredLabels(RuntimeInfo info) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put("kubernetes.io/hostname", ctx.nodeName());
        l.put("kubernetes.io/os", "linux");
        l.put("kubernetes.io/arch", arch(info));
        l.put("beta.kubernetes.io/os", "linux");
        l.put("beta.kubernetes.io/arch", arch(info));
        l.putAll(props.labels());
        return l;
    }

    private static List<String> split(String csv) {
        if (csv == null || csv.isBlank()) {
            return List.of();
        }
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toList());
    }

    // ---- status

    NodeStatus buildStatus(NodeStatus previous, Observation obs, Instant now) {
        NodeStatus s = new NodeStatus();
        RuntimeInfo info = obs.info();
        if (info != null) {
            NodeCapacity c = NodeCapacity.compute(info, facts.cgroupLimits(), props);
            s.setCapacity(new LinkedHashMap<>(c.capacity()));
            s.setAllocatable(new LinkedHashMap<>(c.allocatable()));
        } else if (previous != null && previous.getCapacity() != null) {
            s.setCapacity(previous.getCapacity());
            s.setAllocatable(previous.getAllocatable());
        } else {
            // no engine yet: the host's own figures, so the node's size is known while it waits
            NodeCapacity c = NodeCapacity.compute(NodeCapacity.hostResources(props.rootPath()), facts.cgroupLimits(),
                    props);
            s.setCapacity(new LinkedHashMap<>(c.capacity()));
            s.setAllocatable(new LinkedHashMap<>(c.allocatable()));
        }
        Map<String, NodeCondition> prev = new HashMap<>();
        if (previous != null && previous.getConditions() != null) {
            for (NodeCondition c : previous.getConditions()) {
                prev.put(c.getType(), c);
            }
        }
        NodePressure p = obs.pressure();
        List<NodeCondition> conditions = new ArrayList<>();
        conditions.add(condition(prev, "MemoryPressure", p.memory(), now,
                "KubeletHasInsufficientMemory", "kubelet has insufficient memory available",
                "KubeletHasSufficientMemory", "kubelet has sufficient memory available"));
        conditions.add(condition(prev, "DiskPressure", p.disk(), now,
                "KubeletHasDiskPressure", "kubelet has disk pressure",
                "KubeletHasNoDiskPressure", "kubelet has no disk pressure"));
        conditions.add(condition(prev, "PIDPressure", p.pid(), now,
                "KubeletHasInsufficientPID", "kubelet has insufficient PID available",
                "KubeletHasSufficientPID", "kubelet has sufficient PID available"));
        boolean ready = info != null;
        conditions.add(condition(prev, "Ready", ready, now, "KubeletReady", "kubelet is posting ready status",
                "KubeletNotReady", obs.runtimeError()));
        s.setConditions(conditions);

        List<NodeAddress> addresses = new ArrayList<>();
        addresses.add(new NodeAddress(ctx.nodeIp(), "InternalIP"));
        addresses.add(new NodeAddress(ctx.nodeName(), "Hostname"));
        s.setAddresses(addresses);
        NodeDaemonEndpoints de = new NodeDaemonEndpoints();
        de.setKubeletEndpoint(new DaemonEndpoint(kubeletPort));
        s.setDaemonEndpoints(de);

        NodeSystemInfo ni = new NodeSystemInfo();
        ni.setMachineID(facts.machineId());
        ni.setSystemUUID(facts.systemUuid());
        ni.setBootID(facts.bootId());
        ni.setKubeletVersion(KUBELET_VERSION);
        ni.setKubeProxyVersion(KUBELET_VERSION);
        ni.setOperatingSystem(info != null && info.operatingSystem() != null ? info.operatingSystem() : "linux");
        ni.setArchitecture(arch(info));
        ni.setKernelVersion(info != null && info.kernelVersion() != null ? info.kernelVersion()
                : System.getProperty("os.version"));
        ni.setOsImage(info != null && info.osImage() != null ? info.osImage() : "");
        ni.setContainerRuntimeVersion(info != null ? info.containerRuntimeVersion()
                : previous != null && previous.getNodeInfo() != null
                ? previous.getNodeInfo().getContainerRuntimeVersion() : "");
        s.setNodeInfo(ni);
        return s;
    }

    /**
     * A condition with {@code lastTransitionTime} kept from the previous one while its status is unchanged, and
     * {@code lastHeartbeatTime} now (the time of this report).
     */
    private static NodeCondition condition(Map<String, NodeCondition> prev, String type, boolean isTrue, Instant now,
                                           String trueReason, String trueMessage, String falseReason,
                                           String falseMessage) {
        String status = isTrue ? "True" : "False";
        NodeCondition old = prev.get(type);
        String ts = RFC3339.format(now.truncatedTo(ChronoUnit.SECONDS));
        NodeCondition c = new NodeCondition();
        c.setType(type);
        c.setStatus(status);
        c.setReason(isTrue ? trueReason : falseReason);
        c.setMessage(isTrue ? trueMessage : falseMessage);
        c.setLastHeartbeatTime(ts);
        c.setLastTransitionTime(old != null && status.equals(old.getStatus()) && old.getLastTransitionTime() != null
                ? old.getLastTransitionTime() : ts);
        return c;
    }

    static boolean sameIgnoringHeartbeats(NodeStatus a, NodeStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        return sameTree(withoutHeartbeats(a), withoutHeartbeats(b));
    }

    private static NodeStatus withoutHeartbeats(NodeStatus s) {
        NodeStatus c = Codecs.json().convertValue(s, NodeStatus.class);
        if (c.getConditions() != null) {
            for (NodeCondition nc : c.getConditions()) {
                nc.setLastHeartbeatTime(null);
            }
        }
        // Only what this agent writes: others (e.g. images, volumes) are not ours to compare.
        NodeStatus out = new NodeStatus();
        out.setCapacity(c.getCapacity());
        out.setAllocatable(c.getAllocatable());
        out.setConditions(c.getConditions());
        out.setAddresses(c.getAddresses());
        out.setDaemonEndpoints(c.getDaemonEndpoints());
        out.setNodeInfo(c.getNodeInfo());
        return out;
    }

    private static boolean sameTree(Object a, Object b) {
        return Codecs.json().valueToTree(a).equals(Codecs.json().valueToTree(b));
    }

    /** Kubernetes' GOARCH names: amd64, arm64, ... from the runtime's or the JVM's architecture. */
    static String arch(RuntimeInfo info) {
        String a = info != null && info.architecture() != null && !info.architecture().isBlank()
                ? info.architecture() : System.getProperty("os.arch");
        return switch (a) {
            case "x86_64", "amd64", "x86-64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "armv7l", "arm" -> "arm";
            default -> a;
        };
    }

    /** Conflicts, throttling, server and connection errors are worth retrying; a rejected Node is not. */
    static boolean retryable(Throwable e) {
        if (e instanceof ApiStatusException a) {
            return a.code() != 400 && a.code() != 401 && a.code() != 403 && a.code() != 422;
        }
        return !(e instanceof IllegalArgumentException);
    }

    private static String version() {
        String v = NodeStatusManager.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
