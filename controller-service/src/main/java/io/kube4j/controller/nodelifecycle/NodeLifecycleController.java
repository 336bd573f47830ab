package io.kube4j.controller.nodelifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.Indexers;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.common.Pods;
import io.kube4j.controller.manager.ControllerContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' node lifecycle controller with its NoExecute taint manager, as one {@link Startable}:
 * <ul>
 * <li>every {@code nodeMonitorPeriod} it checks each node's heartbeats ({@link NodeHealthTracker}); a node silent for
 * longer than the grace period gets Ready (and the pressure conditions) Unknown through {@code /status}, a
 * {@code NodeNotReady} event, and its pods' Ready condition set to False so Endpoints drop them;</li>
 * <li>a node whose Ready is False or Unknown is queued for the {@code not-ready} / {@code unreachable} NoExecute taint
 * in its zone's rate-limited queue ({@code nodeEvictionRate} per zone, slower or stopped when the zone is disrupted,
 * nothing at all when every zone is fully disrupted); a node Ready again loses those taints;</li>
 * <li>NoSchedule taints follow the node conditions and {@code spec.unschedulable} at once (TaintNodesByCondition);</li>
 * <li>the {@link NoExecuteTaintManager} deletes the pods that do not tolerate their node's NoExecute taints, at once or
 * after their {@code tolerationSeconds}.</li>
 * </ul>
 * Everything is read from the shared informers' caches; every write is a compare-and-swap.
 */
public final class NodeLifecycleController implements Startable {

    private static final Logger log = LoggerFactory.getLogger(NodeLifecycleController.class);

    static final String LEASE_NAMESPACE = "kube-node-lease";
    /** Kubernetes' {@code NodeEvictionPeriod}: how often the NoExecute tainting queues are tried. */
    static final Duration TAINTING_PERIOD = Duration.ofMillis(100);
    static final String LABEL_EXCLUDE_DISRUPTION = "node.kubernetes.io/exclude-disruption";
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final int STATUS_UPDATE_ATTEMPTS = 5;
    /** Kubernetes' {@code nodeUpdateWorkerSize}: nodes updated at once in a monitor pass. */
    static final int NODE_UPDATE_WORKERS = 8;
    /** Threads carrying out due taint evictions. */
    static final int EVICTION_WORKERS = 4;

    private final NodeLifecycleProperties props;
    private final KubeClient client;
    private final Clock clock;
    private final SharedIndexInformer<Node> nodeInformer;
    private final SharedIndexInformer<Lease> leaseInformer;
    private final SharedIndexInformer<Pod> podInformer;
    private final EventRecorder nodeEvents;
    private final EventRecorder taintEvents;
    private final NodeHealthTracker health;
    private final NoExecuteTaintManager taintManager;
    private final Controller noScheduleTainter;
    private final Controller podProcessor;
    private final Controller taintManagerNodes;
    private final Controller taintManagerPods;
    private final Counter evictionsTotal;
    private final Counter podDeletionsTotal;

    // knownNodes belongs to the monitor thread; the zone queues are shared with its node workers
    private final Map<String, Node> knownNodes = new HashMap<>();
    private final Map<String, RateLimitedTimedQueue> zoneTainters = new ConcurrentHashMap<>();
    private final ZoneDisruption disruption;
    private final Set<String> nodesToRetry = ConcurrentHashMap.newKeySet();

    private ScheduledExecutorService monitor;
    private ExecutorService nodeWorkers;
    private final List<Thread> evictionWorkers = new ArrayList<>();
    private volatile boolean stopping;

    /** Registers the informer handlers on {@code ctx}'s shared informers; {@link #start} starts the loops. */
    public NodeLifecycleController(ControllerContext ctx, NodeLifecycleProperties props) {
        this.props = props;
        this.client = ctx.client();
        this.clock = ctx.clock();
        this.nodeInformer = ctx.informer(Node.class);
        this.leaseInformer = ctx.informer(Lease.class);
        this.podInformer = ctx.informer(Pod.class);
        this.nodeEvents = ctx.recorder("node-controller");
        this.taintEvents = ctx.recorder("taint-eviction-controller");
        this.disruption = new ZoneDisruption(props);
        this.health = new NodeHealthTracker(clock, props.nodeMonitorGracePeriod(), props.nodeStartupGracePeriod());
        MeterRegistry meters = ctx.meters();
        this.evictionsTotal = Counter.builder("node_collector_evictions_total")
                .description("NoExecute taints the node lifecycle controller put on nodes").register(meters);
        this.podDeletionsTotal = Counter.builder("taint_eviction_controller_pod_deletions_total")
                .description("Pods deleted by the taint eviction controller").register(meters);
        this.taintManager = new NoExecuteTaintManager(clock, this::cachedNode, this::podsOnNode, new ApiActions());

        this.noScheduleTainter = ctx.controller("node-lifecycle-noschedule-taints").reconciler(this::noScheduleTaintingPass)
                .waitFor(nodeInformer::hasSynced).build();
        this.podProcessor = ctx.controller("node-lifecycle-pods").reconciler(this::processPod)
                .waitFor(nodeInformer::hasSynced).waitFor(podInformer::hasSynced).build();
        this.taintManagerNodes = ctx.controller("taint-eviction-nodes").reconciler(r -> {
            taintManager.nodeUpdated(r.name());
            return Result.done();
        }).waitFor(nodeInformer::hasSynced).waitFor(podInformer::hasSynced).build();
        this.taintManagerPods = ctx.controller("taint-eviction-pods").reconciler(r -> {
            taintManager.podUpdated(r.namespace(), r.name(), podInformer.lister().get(r.namespace(), r.name()));
            return Result.done();
        }).waitFor(nodeInformer::hasSynced).waitFor(podInformer::hasSynced).build();

        nodeInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                noScheduleTainter.enqueue(Request.of(node));
                taintManagerNodes.enqueue(Request.of(node));
            }

            @Override
            public void onUpdate(Node oldNode, Node newNode) {
                noScheduleTainter.enqueue(Request.of(newNode));
                if (NoExecuteTaintManager.noExecuteTaintsChanged(oldNode, newNode)) {
                    taintManagerNodes.enqueue(Request.of(newNode));
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                nodesToRetry.remove(node.getMetadata().getName());
                taintManagerNodes.enqueue(Request.of(node));
            }
        });
        podInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                podUpdated(null, pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                podUpdated(oldPod, newPod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                taintManagerPods.enqueue(Request.of(pod));
            }
        });
    }

    private void podUpdated(Pod oldPod, Pod newPod) {
        String node = nodeName(newPod);
        if (node != null && (oldPod == null || !node.equals(nodeName(oldPod)))) {
            podProcessor.enqueue(Request.of(newPod));
        }
        if (NoExecuteTaintManager.podChanged(oldPod, newPod)) {
            taintManagerPods.enqueue(Request.of(newPod));
        }
    }

    @Override
    public String name() {
        return "nodelifecycle";
    }

    @Override
    public synchronized void start() {
        noScheduleTainter.start();
        podProcessor.start();
        taintManagerNodes.start();
        taintManagerPods.start();
        java.util.concurrent.atomic.AtomicInteger ids = new java.util.concurrent.atomic.AtomicInteger();
        nodeWorkers = Executors.newFixedThreadPool(NODE_UPDATE_WORKERS, r -> {
            Thread t = new Thread(r, "node-lifecycle-update-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        monitor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-lifecycle-monitor");
            t.setDaemon(true);
            return t;
        });
        monitor.scheduleWithFixedDelay(this::monitorSafely, 0, props.nodeMonitorPeriod().toMillis(),
                TimeUnit.MILLISECONDS);
        monitor.scheduleWithFixedDelay(this::taintingSafely, TAINTING_PERIOD.toMillis(), TAINTING_PERIOD.toMillis(),
                TimeUnit.MILLISECONDS);
        // Kubernetes fires each eviction on a goroutine of its own: a few workers, so one slow delete does not hold
        // back the evictions due after it
        for (int i = 0; i < EVICTION_WORKERS; i++) {
            Thread t = new Thread(this::runEvictions, "taint-eviction-worker-" + i);
            t.setDaemon(true);
            t.start();
            evictionWorkers.add(t);
        }
        log.info("node lifecycle controller started: monitor period {}, grace period {}, startup grace {}, eviction rate"
                        + " {}/s (secondary {}/s above {} nodes), unhealthy zone threshold {}", props.nodeMonitorPeriod(),
                props.nodeMonitorGracePeriod(), props.nodeStartupGracePeriod(), props.nodeEvictionRate(),
                props.secondaryNodeEvictionRate(), props.largeClusterSizeThreshold(), props.unhealthyZoneThreshold());
    }

    @Override
    public void stop() throws InterruptedException {
        stopping = true;
        ScheduledExecutorService m;
        synchronized (this) {
            m = monitor;
        }
        if (m != null) {
            m.shutdownNow();
            m.awaitTermination(30, TimeUnit.SECONDS);
        }
        if (nodeWorkers != null) {
            nodeWorkers.shutdownNow();
            nodeWorkers.awaitTermination(30, TimeUnit.SECONDS);
        }
        taintManager.shutDown();
        for (Thread t : evictionWorkers) {
            t.interrupt();
        }
        for (Thread t : evictionWorkers) {
            t.join(10_000);
        }
        for (Controller c : List.of(taintManagerPods, taintManagerNodes, podProcessor, noScheduleTainter)) {
            c.stop();
        }
    }

    private boolean synced() {
        return nodeInformer.hasSynced() && leaseInformer.hasSynced() && podInformer.hasSynced();
    }

    private void monitorSafely() {
        if (stopping || !synced()) {
            return;
        }
        try {
            monitorNodeHealth();
        } catch (RuntimeException e) {
            log.warn("node health monitoring pass failed: {}", e.toString(), e);
        }
    }

    private void taintingSafely() {
        if (stopping || !synced()) {
            return;
        }
        try {
            doNoExecuteTaintingPass();
        } catch (RuntimeException e) {
            log.warn("NoExecute tainting pass failed: {}", e.toString(), e);
        }
    }

    // ------------------------------------------------------------------------------------------------ the monitor

    /** Kubernetes' {@code monitorNodeHealth}: one pass over every cached node. */
    void monitorNodeHealth() {
        List<Node> nodes = nodeInformer.lister().list((String) null);
        Set<String> seen = new HashSet<>();
        for (Node n : nodes) {
            String name = n.getMetadata().getName();
            seen.add(name);
            if (!knownNodes.containsKey(name)) {
                log.info("node lifecycle controller observed a new node {}", name);
                nodeEvents.event(n, EventRecorder.NORMAL, "RegisteredNode", "Registered Node " + name + " in Controller");
                tainter(ZoneState.zoneKey(n));
                markNodeAsReachable(n);
            }
            knownNodes.put(name, n);
        }
        for (String name : new ArrayList<>(knownNodes.keySet())) {
            if (!seen.contains(name)) {
                Node gone = knownNodes.remove(name);
                log.info("node lifecycle controller observed the deletion of node {}", name);
                nodeEvents.event(gone, EventRecorder.NORMAL, "RemovingNode", "Removing Node " + name + " from Controller");
                health.forget(name);
                RateLimitedTimedQueue q = zoneTainters.get(ZoneState.zoneKey(gone));
                if (q != null) {
                    q.remove(name);
                }
            }
        }

        Map<String, List<NodeCondition>> zoneToReady = new ConcurrentHashMap<>();
        // the writes of one pass (status, taints, pods) are network-bound: several nodes at a time, as Kubernetes'
        // nodeUpdateWorkerSize
        List<Callable<Void>> work = new ArrayList<>(nodes.size());
        for (Node cached : nodes) {
            work.add(() -> {
                updateNodeHealth(cached, zoneToReady);
                return null;
            });
        }
        try {
            for (Future<Void> f : nodeWorkers.invokeAll(work)) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    log.warn("node health update failed: {}", e.getCause().toString(), e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        handleDisruption(zoneToReady, nodes);
    }

    /** One node of {@link #monitorNodeHealth}: its health, the taint decision, NotReady pods. */
    private void updateNodeHealth(Node cached, Map<String, List<NodeCondition>> zoneToReady) {
        Node node = cached;
        NodeHealthTracker.Evaluation ev = null;
        for (int attempt = 0; attempt < STATUS_UPDATE_ATTEMPTS && ev == null; attempt++) {
            try {
                ev = tryUpdateNodeHealth(node);
            } catch (ApiStatusException.Conflict e) {
                node = client.resources(Node.class).get(null, node.getMetadata().getName())
                        .onErrorResume(ApiStatusException.NotFound.class, x -> reactor.core.publisher.Mono.empty())
                        .block(WRITE_TIMEOUT);
                if (node == null) {
                    break;
                }
            } catch (RuntimeException e) {
                log.warn("updating the health of node {} failed: {}", node.getMetadata().getName(), e.toString());
                break;
            }
        }
        if (ev == null) {
            log.warn("node {}: health not updated this pass; no pods will be evicted", cached.getMetadata().getName());
            return;
        }
        Map<String, String> labels = node.getMetadata().getLabels();
        if (labels == null || !labels.containsKey(LABEL_EXCLUDE_DISRUPTION)) {
            zoneToReady.computeIfAbsent(ZoneState.zoneKey(node), k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(ev.currentReady());
        }
        String name = node.getMetadata().getName();
        NodeCondition current = ev.currentReady();
        NodeCondition observed = ev.observedReady();
        if (current != null) {
            processTaintBaseEviction(node, observed);
            boolean needsRetry = nodesToRetry.contains(name);
            boolean becameNotReady = !"True".equals(current.getStatus()) && "True".equals(observed.getStatus());
            if (becameNotReady) {
                log.info("node {} is now NotReady ({}: {})", name, current.getStatus(), current.getReason());
                nodeEvents.event(node, EventRecorder.NORMAL, "NodeNotReady",
                        "Node " + name + " status is now: NodeNotReady");
            }
            if (becameNotReady || (needsRetry && !"True".equals(observed.getStatus()))) {
                if (!markPodsNotReady(podsOnNode(name), name)) {
                    nodesToRetry.add(name);
                    return;
                }
            }
        }
        nodesToRetry.remove(name);
    }

    /** Evaluates one node and writes its Unknown conditions when the heartbeat is too old; Conflict propagates. */
    private NodeHealthTracker.Evaluation tryUpdateNodeHealth(Node node) {
        String name = node.getMetadata().getName();
        Lease lease = leaseInformer.lister().get(LEASE_NAMESPACE, name);
        NodeHealthTracker.Evaluation ev = health.evaluate(node, lease);
        if (ev.statusToWrite() != null) {
            log.info("node {}: no heartbeat for more than {}; setting its conditions to Unknown", name, ev.gracePeriod());
            Node written = client.resources(Node.class).updateStatus(ev.statusToWrite()).block(WRITE_TIMEOUT);
            health.written(written != null ? written : ev.statusToWrite(), null);
        }
        return ev;
    }

    /** Kubernetes' {@code processTaintBaseEviction}, on the Ready condition the node had before this pass. */
    private void processTaintBaseEviction(Node node, NodeCondition observedReady) {
        List<Taint> taints = NodeTaints.of(node);
        switch (observedReady.getStatus()) {
            case "False" -> {
                if (NodeTaints.exists(taints, NodeTaints.UNREACHABLE_NO_EXECUTE)) {
                    swapTaints(node, List.of(NodeTaints.NOT_READY_NO_EXECUTE), List.of(NodeTaints.UNREACHABLE_NO_EXECUTE));
                } else {
                    markNodeForTainting(node, "False");
                }
            }
            case "Unknown" -> {
                if (NodeTaints.exists(taints, NodeTaints.NOT_READY_NO_EXECUTE)) {
                    swapTaints(node, List.of(NodeTaints.UNREACHABLE_NO_EXECUTE), List.of(NodeTaints.NOT_READY_NO_EXECUTE));
                } else {
                    markNodeForTainting(node, "Unknown");
                }
            }
            case "True" -> markNodeAsReachable(node);
            default -> {
            }
        }
    }

    private void markNodeForTainting(Node node, String status) {
        RateLimitedTimedQueue q = tainter(ZoneState.zoneKey(node));
        List<Taint> taints = NodeTaints.of(node);
        String name = node.getMetadata().getName();
        Taint wanted = "False".equals(status) ? NodeTaints.NOT_READY_NO_EXECUTE : NodeTaints.UNREACHABLE_NO_EXECUTE;
        if (!NodeTaints.exists(taints, wanted)) {
            // not tainted (any more): let it be queued again
            q.remove(name);
        }
        if (q.add(name, node.getMetadata().getUid())) {
            log.info("node {} is {}: queued for the NoExecute taint", name, "False".equals(status) ? "NotReady" : "unreachable");
        }
    }

    /** Removes the NoExecute not-ready/unreachable taints and forgets the node in its zone's queue. */
    private void markNodeAsReachable(Node node) {
        List<Taint> taints = NodeTaints.of(node);
        if (NodeTaints.exists(taints, NodeTaints.UNREACHABLE_NO_EXECUTE)
                || NodeTaints.exists(taints, NodeTaints.NOT_READY_NO_EXECUTE)) {
            if (swapTaints(node, List.of(), List.of(NodeTaints.UNREACHABLE_NO_EXECUTE, NodeTaints.NOT_READY_NO_EXECUTE))) {
                log.info("node {} is reachable again: removed its NoExecute taints", node.getMetadata().getName());
            }
        }
        tainter(ZoneState.zoneKey(node)).remove(node.getMetadata().getName());
    }

    private RateLimitedTimedQueue tainter(String zone) {
        return zoneTainters.computeIfAbsent(zone, z -> {
            disruption.seen(z);
            return new RateLimitedTimedQueue(props.nodeEvictionRate(), clock);
        });
    }

    /** Kubernetes' {@code handleDisruption}: zone states and the tainting rate of each zone. */
    private void handleDisruption(Map<String, List<NodeCondition>> zoneToReady, List<Node> nodes) {
        ZoneDisruption.Decision d = disruption.update(zoneToReady);
        if (d.enteredFullDisruption()) {
            log.warn("no node in any zone is Ready: entering master disruption mode, NoExecute tainting stopped");
            for (Node n : nodes) {
                markNodeAsReachable(cachedOr(n));
            }
        }
        if (d.exitedFullDisruption()) {
            log.info("some nodes are Ready again: exiting master disruption mode");
            health.resetAll(nodes);
        }
        for (var e : d.rates().entrySet()) {
            if (!d.enteredFullDisruption()) {
                log.info("zone \"{}\" is now {}: tainting at {} nodes/s", printable(e.getKey()),
                        disruption.state(e.getKey()), e.getValue());
            }
            tainter(e.getKey()).swapLimiter(e.getValue());
        }
    }

    /** The zone states after the last pass (for tests and diagnostics). */
    Map<String, ZoneState> zoneStates() {
        return disruption.states();
    }

    private Node cachedOr(Node n) {
        Node c = cachedNode(n.getMetadata().getName());
        return c != null ? c : n;
    }

    /** Kubernetes' {@code doNoExecuteTaintingPass}: takes nodes off each zone's queue as its rate allows. */
    void doNoExecuteTaintingPass() {
        for (var e : new ArrayList<>(zoneTainters.entrySet())) {
            String zone = e.getKey();
            e.getValue().tryProcess(v -> {
                Node node = cachedNode(v.value());
                if (node == null) {
                    return RateLimitedTimedQueue.Outcome.DONE;
                }
                NodeCondition ready = NodeHealthTracker.condition(node.getStatus(), NodeHealthTracker.NODE_READY);
                if (ready == null) {
                    return RateLimitedTimedQueue.Outcome.retryAfter(Duration.ofMillis(50));
                }
                Taint add;
                Taint opposite;
                switch (ready.getStatus()) {
                    case "False" -> {
                        add = NodeTaints.NOT_READY_NO_EXECUTE;
                        opposite = NodeTaints.UNREACHABLE_NO_EXECUTE;
                    }
                    case "Unknown" -> {
                        add = NodeTaints.UNREACHABLE_NO_EXECUTE;
                        opposite = NodeTaints.NOT_READY_NO_EXECUTE;
                    }
                    default -> {
                        return RateLimitedTimedQueue.Outcome.DONE;
                    }
                }
                if (swapTaints(node, List.of(add), List.of(opposite))) {
                    evictionsTotal.increment();
                    log.info("node {} (zone \"{}\") tainted {}:{}", v.value(), printable(zone), add.getKey(), add.getEffect());
                    return RateLimitedTimedQueue.Outcome.DONE;
                }
                return RateLimitedTimedQueue.Outcome.retryAfter(Duration.ZERO);
            });
        }
    }

    // ------------------------------------------------------------------------------------------------ writes

    /**
     * Kubernetes' {@code SwapNodeControllerTaint}: adds {@code add} and removes {@code remove} on the node's current
     * spec (re-read and retried on conflict); true when the node has them afterwards.
     */
    boolean swapTaints(Node cached, List<Taint> add, List<Taint> remove) {
        String name = cached.getMetadata().getName();
        if (NodeTaints.swap(NodeTaints.of(cached), add, remove, clock.now()) == null) {
            return true;
        }
        try {
            client.resources(Node.class).updateWithRetry(null, name, n -> {
                List<Taint> next = NodeTaints.swap(NodeTaints.of(n), add, remove, clock.now());
                if (next == null) {
                    return null;
                }
                n.getSpec().setTaints(next.isEmpty() ? null : next);
                return n;
            }, false).block(WRITE_TIMEOUT);
            return true;
        } catch (ApiStatusException.NotFound e) {
            return true;
        } catch (RuntimeException e) {
            log.warn("changing the taints of node {} failed (add {}, remove {}): {}", name, ids(add), ids(remove),
                    e.toString());
            return false;
        }
    }

    /** Kubernetes' {@code doNoScheduleTaintingPass}: the node's NoSchedule taints follow its conditions. */
    private Result noScheduleTaintingPass(Request r) {
        Node node = cachedNode(r.name());
        if (node == null) {
            return Result.done();
        }
        List<Taint> want = NodeTaints.desiredNoSchedule(node);
        List<Taint> have = NodeTaints.managedNoSchedule(node);
        List<Taint> add = NodeTaints.missing(want, have);
        List<Taint> del = NodeTaints.missing(have, want);
        if (add.isEmpty() && del.isEmpty()) {
            return Result.done();
        }
        if (!swapTaints(node, add, del)) {
            throw new IllegalStateException("failed to swap the NoSchedule taints of node " + r.name());
        }
        return Result.done();
    }

    /** Kubernetes' {@code processPod}: a pod bound to a node that is not Ready is marked not Ready too. */
    private Result processPod(Request r) {
        Pod pod = podInformer.lister().get(r.namespace(), r.name());
        if (pod == null) {
            return Result.done();
        }
        String nodeName = nodeName(pod);
        NodeHealthTracker.NodeHealth h = nodeName == null ? null : health.get(nodeName);
        if (h == null || cachedNode(nodeName) == null) {
            return Result.done();
        }
        NodeCondition ready = NodeHealthTracker.condition(h.status(), NodeHealthTracker.NODE_READY);
        if (ready == null || "True".equals(ready.getStatus())) {
            return Result.done();
        }
        return markPodsNotReady(List.of(pod), nodeName) ? Result.done() : Result.requeue();
    }

    /**
     * Kubernetes' {@code MarkPodsNotReady}: sets each pod's Ready condition to False through /status (with its
     * resourceVersion: a conflict is retried on the next pass) and records a NodeNotReady event; false when some
     * write failed.
     */
    boolean markPodsNotReady(List<Pod> pods, String nodeName) {
        boolean ok = true;
        for (Pod cached : pods) {
            PodCondition cachedReady = Pods.readyCondition(cached);
            if (!nodeName.equals(nodeName(cached)) || cachedReady == null || "False".equals(cachedReady.getStatus())) {
                continue;
            }
            Pod pod = new PodBuilder(cached).build(); // the cache's object stays as the apiserver sent it
            PodCondition ready = Pods.readyCondition(pod);
            ready.setStatus("False");
            ready.setLastTransitionTime(NodeHealthTracker.time(clock.now()));
            try {
                client.resources(Pod.class).updateStatus(pod).block(WRITE_TIMEOUT);
                taintEventsFor(pod);
            } catch (ApiStatusException.NotFound e) {
                // gone already
            } catch (RuntimeException e) {
                log.warn("marking pod {}/{} not ready failed: {}", pod.getMetadata().getNamespace(),
                        pod.getMetadata().getName(), e.toString());
                ok = false;
            }
        }
        return ok;
    }

    private void taintEventsFor(Pod pod) {
        nodeEvents.event(pod, EventRecorder.WARNING, "NodeNotReady", "Node is not ready");
    }

    /** Deletes pods for the taint manager and records its events. */
    private final class ApiActions implements NoExecuteTaintManager.Actions {
        @Override
        public void evict(String namespace, String name) {
            Pod pod = podInformer.lister().get(namespace, name);
            taintEvents.event(pod != null ? pod : ref(namespace, name), EventRecorder.NORMAL, "TaintManagerEviction",
                    "Marking for deletion Pod " + namespace + "/" + name);
            podDeletionsTotal.increment();
            // the DisruptionTarget condition says why the pod goes, as Kubernetes' addConditionAndDeletePod
            try {
                client.resources(Pod.class).updateWithRetry(namespace, name, p -> {
                    if (p.getStatus() == null || p.getMetadata().getDeletionTimestamp() != null) {
                        return null;
                    }
                    List<PodCondition> conditions = new ArrayList<>(p.getStatus().getConditions() == null ? List.of()
                            : p.getStatus().getConditions());
                    if (conditions.stream().anyMatch(c -> "DisruptionTarget".equals(c.getType()))) {
                        return null;
                    }
                    conditions.add(new PodCondition(null, NodeHealthTracker.time(clock.now()),
                            "Taint manager: deleting due to NoExecute taint", null, "DeletionByTaintManager", "True",
                            "DisruptionTarget"));
                    p.getStatus().setConditions(conditions);
                    return p;
                }, true).block(WRITE_TIMEOUT);
            } catch (ApiStatusException.NotFound e) {
                return;
            }
            try {
                client.resources(Pod.class).delete(namespace, name, DeleteOptions.defaults()).block(WRITE_TIMEOUT);
            } catch (ApiStatusException.NotFound e) {
                // gone already
            }
        }

        @Override
        public void cancelled(String namespace, String name) {
            Pod pod = podInformer.lister().get(namespace, name);
            taintEvents.event(pod != null ? pod : ref(namespace, name), EventRecorder.NORMAL, "TaintManagerEviction",
                    "Cancelling deletion of Pod " + namespace + "/" + name);
        }
    }

    private void runEvictions() {
        while (!stopping) {
            try {
                taintManager.runNext(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("taint eviction failed: {}", e.toString(), e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Node cachedNode(String name) {
        return nodeInformer.lister().get(null, name);
    }

    private List<Pod> podsOnNode(String nodeName) {
        return podInformer.getIndexer().byIndex(Indexers.NODE_NAME, nodeName);
    }

    private static String nodeName(Pod pod) {
        String n = pod == null || pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        return n == null || n.isEmpty() ? null : n;
    }

    private static Pod ref(String namespace, String name) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata().build();
    }

    private static String printable(String zone) {
        return zone.replace("\u0000", "");
    }

    private static List<String> ids(List<Taint> taints) {
        return taints.stream().map(t -> t.getKey() + ":" + t.getEffect()).toList();
    }
}
