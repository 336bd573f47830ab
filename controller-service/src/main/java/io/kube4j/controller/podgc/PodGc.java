package io.kube4j.controller.podgc;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.kube4j.client.util.Clock;
import io.kube4j.client.workqueue.DefaultDelayingQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One pass of Kubernetes' pod garbage collector ({@code gc_controller.go}), on the informer caches:
 * <ol>
 * <li>terminated pods (Succeeded/Failed) beyond the threshold are deleted, evicted ones first, then oldest first;</li>
 * <li>terminating pods on a node that is not Ready and carries the {@code node.kubernetes.io/out-of-service} taint are
 * force-deleted;</li>
 * <li>pods bound to a node that is not in the cache are orphans once the node, after {@code quarantineTime}, is
 * still missing from the cache and a GET confirms it is gone: they are failed (condition DisruptionTarget,
 * DeletionByPodGC) and force-deleted;</li>
 * <li>terminating pods that were never scheduled are failed and force-deleted.</li>
 * </ol>
 */
public final class PodGc {

    static final String OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service";
    private static final Logger log = LoggerFactory.getLogger(PodGc.class);
    private static final int PARALLEL_DELETES = 16;

    private final Supplier<List<Pod>> pods;
    private final Supplier<List<Node>> nodes;
    private final PodGcControl control;
    private final Clock clock;
    private final PodGcControllerProperties props;
    private final DefaultDelayingQueue<String> nodeQueue;
    private final MeterRegistry meters;

    public PodGc(Supplier<List<Pod>> pods, Supplier<List<Node>> nodes, PodGcControl control, Clock clock,
                 PodGcControllerProperties props, MeterRegistry meters) {
        this.pods = pods;
        this.nodes = nodes;
        this.control = control;
        this.clock = clock;
        this.props = props;
        this.meters = meters;
        this.nodeQueue = new DefaultDelayingQueue<>("orphaned_pods_nodes", clock, meters);
    }

    /** One pass over the caches. */
    public void gc() {
        List<Pod> allPods = pods.get();
        List<Node> allNodes = nodes.get();
        if (props.terminatedPodGcThreshold() > 0) {
            gcTerminated(allPods);
        }
        gcTerminating(allPods, allNodes);
        gcOrphaned(allPods, allNodes);
        gcUnscheduledTerminating(allPods);
    }

    /** Stops the quarantine queue. */
    public void shutDown() {
        nodeQueue.shutDown();
    }

    void gcTerminated(List<Pod> allPods) {
        List<Pod> terminated = new ArrayList<>();
        for (Pod p : allPods) {
            if (isTerminated(p)) {
                terminated.add(p);
            }
        }
        int deleteCount = terminated.size() - props.terminatedPodGcThreshold();
        if (deleteCount <= 0) {
            return;
        }
        log.info("garbage collecting {} terminated pods (threshold {})", deleteCount, props.terminatedPodGcThreshold());
        terminated.sort(BY_EVICTION_AND_CREATION);
        deleteAll(terminated.subList(0, deleteCount), null, "terminated");
    }

    void gcTerminating(List<Pod> allPods, List<Node> allNodes) {
        List<Pod> terminating = new ArrayList<>();
        for (Pod p : allPods) {
            if (p.getMetadata().getDeletionTimestamp() == null || nodeName(p) == null) {
                continue;
            }
            Node node = allNodes.stream().filter(n -> n.getMetadata().getName().equals(nodeName(p))).findFirst()
                    .orElse(null);
            if (node != null && !isReady(node) && hasTaint(node, OUT_OF_SERVICE_TAINT)) {
                terminating.add(p);
            }
        }
        if (terminating.isEmpty()) {
            return;
        }
        log.info("garbage collecting {} terminating pods on out-of-service nodes", terminating.size());
        terminating.sort(BY_EVICTION_AND_CREATION);
        deleteAll(terminating, null, "out-of-service");
    }

    void gcOrphaned(List<Pod> allPods, List<Node> allNodes) {
        Set<String> existing = new HashSet<>();
        allNodes.forEach(n -> existing.add(n.getMetadata().getName()));
        for (Pod p : allPods) {
            String node = nodeName(p);
            if (node != null && !existing.contains(node)) {
                nodeQueue.addAfter(node, props.quarantineTime());
            }
        }
        Set<String> deletedNodes = new HashSet<>();
        String node;
        try {
            while ((node = nodeQueue.poll(Duration.ZERO)) != null) {
                try {
                    if (!existing.contains(node) && !control.nodeExists(node)) {
                        deletedNodes.add(node);
                    }
                } catch (RuntimeException e) {
                    log.warn("pod GC: could not check whether node {} exists: {}", node, e.toString());
                } finally {
                    nodeQueue.done(node);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (deletedNodes.isEmpty()) {
            return;
        }
        List<Pod> orphans = allPods.stream().filter(p -> nodeName(p) != null && deletedNodes.contains(nodeName(p)))
                .toList();
        log.info("garbage collecting {} pods of deleted nodes {}", orphans.size(), deletedNodes);
        PodCondition condition = new PodCondition();
        condition.setType("DisruptionTarget");
        condition.setStatus("True");
        condition.setReason("DeletionByPodGC");
        condition.setMessage("PodGC: node no longer exists");
        condition.setLastTransitionTime(clock.now().truncatedTo(ChronoUnit.SECONDS).toString());
        deleteAll(orphans, condition, "orphaned");
    }

    void gcUnscheduledTerminating(List<Pod> allPods) {
        List<Pod> unscheduled = allPods.stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() != null && nodeName(p) == null).toList();
        if (!unscheduled.isEmpty()) {
            log.info("garbage collecting {} unscheduled terminating pods", unscheduled.size());
            deleteAll(unscheduled, null, "unscheduled");
        }
    }

    private void deleteAll(List<Pod> victims, PodCondition condition, String reason) {
        Flux.fromIterable(List.copyOf(victims))
                .flatMap(p -> control.markFailedAndDelete(p, condition)
                        .doOnSuccess(v -> counter("pod_gc_deleting_pods_total", p, reason).increment())
                        .onErrorResume(e -> {
                            log.warn("pod GC ({}): could not delete pod {}/{}: {}", reason,
                                    p.getMetadata().getNamespace(), p.getMetadata().getName(), e.toString());
                            counter("pod_gc_deleting_pods_error_total", p, reason).increment();
                            return Mono.empty();
                        }), PARALLEL_DELETES)
                .blockLast(Duration.ofMinutes(5));
    }

    private Counter counter(String name, Pod p, String reason) {
        return Counter.builder(name).tag("namespace", String.valueOf(p.getMetadata().getNamespace()))
                .tag("reason", reason).register(meters);
    }

    /** Kubernetes' {@code isPodTerminated}: any phase but Pending, Running and Unknown. */
    static boolean isTerminated(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return !"Pending".equals(phase) && !"Running".equals(phase) && !"Unknown".equals(phase);
    }

    /** Evicted pods first, then the oldest, names breaking ties (Kubernetes' byEvictionAndCreationTimestamp). */
    static final Comparator<Pod> BY_EVICTION_AND_CREATION = Comparator
            .comparing((Pod p) -> !isEvicted(p))
            .thenComparing(p -> created(p))
            .thenComparing(p -> p.getMetadata().getName());

    static boolean isEvicted(Pod p) {
        return p.getStatus() != null && "Failed".equals(p.getStatus().getPhase())
                && "Evicted".equals(p.getStatus().getReason());
    }

    private static Instant created(Pod p) {
        String ts = p.getMetadata().getCreationTimestamp();
        if (ts == null) {
            return Instant.MIN;
        }
        try {
            return OffsetDateTime.parse(ts).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.MIN;
        }
    }

    private static String nodeName(Pod p) {
        String n = p.getSpec() == null ? null : p.getSpec().getNodeName();
        return n == null || n.isEmpty() ? null : n;
    }

    private static boolean isReady(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return false;
        }
        for (NodeCondition c : node.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    private static boolean hasTaint(Node node, String key) {
        return node.getSpec() != null && node.getSpec().getTaints() != null
                && node.getSpec().getTaints().stream().anyMatch(t -> key.equals(t.getKey()));
    }
}
