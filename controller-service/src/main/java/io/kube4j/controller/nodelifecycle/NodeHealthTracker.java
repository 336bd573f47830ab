package io.kube4j.controller.nodelifecycle;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.client.util.Clock;

/**
 * What the node lifecycle controller remembers of each node's heartbeats (Kubernetes' {@code nodeHealthMap} and
 * {@code tryUpdateNodeHealth}). The controller never compares the kubelet's timestamps with its own clock: it records
 * when it last SAW the Ready condition's {@code lastHeartbeatTime} or the node Lease's {@code renewTime} change (the
 * probe timestamp), so clock skew between machines does not matter. A node whose probe timestamp is older than the
 * grace period gets its Ready, MemoryPressure, DiskPressure and PIDPressure conditions set to Unknown.
 */
final class NodeHealthTracker {

    static final String NODE_READY = "Ready";
    static final List<String> CONDITIONS_SET_UNKNOWN = List.of("Ready", "MemoryPressure", "DiskPressure", "PIDPressure");

    /** One node's remembered health: the status last seen, when a heartbeat was last seen, the lease last seen. */
    record NodeHealth(NodeStatus status, Instant probeTimestamp, Instant readyTransitionTimestamp,
                      String leaseRenewTime) {
        NodeHealth withProbe(Instant probe) {
            return new NodeHealth(status, probe, readyTransitionTimestamp, leaseRenewTime);
        }
    }

    /**
     * One node's evaluation.
     *
     * @param gracePeriod     the grace period that applied (startup grace when the node never posted a Ready condition)
     * @param observedReady   the Ready condition as the node had it (a made-up Unknown one when it has none)
     * @param currentReady    the Ready condition after this evaluation (null when the node has none and none was set)
     * @param statusToWrite   the node with its conditions set to Unknown, to write through /status; null when nothing
     *                        changes
     */
    record Evaluation(Duration gracePeriod, NodeCondition observedReady, NodeCondition currentReady, Node statusToWrite) {
    }

    private final Clock clock;
    private final Duration gracePeriod;
    private final Duration startupGracePeriod;
    private final Map<String, NodeHealth> health = new ConcurrentHashMap<>();

    NodeHealthTracker(Clock clock, Duration gracePeriod, Duration startupGracePeriod) {
        this.clock = clock;
        this.gracePeriod = gracePeriod;
        this.startupGracePeriod = startupGracePeriod;
    }

    NodeHealth get(String nodeName) {
        return health.get(nodeName);
    }

    void forget(String nodeName) {
        health.remove(nodeName);
    }

    /** Kubernetes' "exiting master disruption mode": every node's probe and transition timestamps become now. */
    void resetAll(List<Node> nodes) {
        Instant now = clock.now();
        for (Node n : nodes) {
            health.computeIfPresent(n.getMetadata().getName(),
                    (k, h) -> new NodeHealth(h.status(), now, now, h.leaseRenewTime()));
        }
    }

    /**
     * Kubernetes' {@code tryUpdateNodeHealth} up to the write: updates the probe timestamps from what {@code node}
     * and {@code lease} show and, when the heartbeat is older than the grace period, answers the node with its
     * conditions set to Unknown. {@code node} is not modified. Call {@link #written} after the write succeeds.
     */
    Evaluation evaluate(Node node, Lease lease) {
        String name = node.getMetadata().getName();
        Instant now = clock.now();
        Instant created = parse(node.getMetadata().getCreationTimestamp(), now);
        NodeHealth saved = health.get(name);
        NodeCondition currentReady = condition(node.getStatus(), NODE_READY);
        NodeCondition observedReady;
        Duration grace;
        NodeHealth h = saved;
        if (currentReady == null) {
            observedReady = new NodeCondition(time(created), time(created), null, null, "Unknown", NODE_READY);
            grace = startupGracePeriod;
            h = saved != null ? new NodeHealth(node.getStatus(), saved.probeTimestamp(), saved.readyTransitionTimestamp(),
                    saved.leaseRenewTime()) : new NodeHealth(node.getStatus(), created, created, null);
        } else {
            observedReady = copy(currentReady);
            grace = gracePeriod;
        }
        NodeCondition savedReady = saved == null ? null : condition(saved.status(), NODE_READY);
        String savedLease = saved == null ? null : saved.leaseRenewTime();
        if (saved == null) {
            if (currentReady != null) {
                h = new NodeHealth(node.getStatus(), now, now, null);
            }
        } else if (savedReady == null && currentReady != null) {
            h = new NodeHealth(node.getStatus(), now, now, savedLease);
        } else if (savedReady != null && currentReady == null) {
            h = new NodeHealth(node.getStatus(), now, now, savedLease);
        } else if (savedReady != null
                && !Objects.equals(savedReady.getLastHeartbeatTime(), currentReady.getLastHeartbeatTime())) {
            Instant transition = Objects.equals(savedReady.getLastTransitionTime(), currentReady.getLastTransitionTime())
                    ? saved.readyTransitionTimestamp() : now;
            h = new NodeHealth(node.getStatus(), now, transition, savedLease);
        }
        // a renewed Lease is a heartbeat too
        String renew = lease == null || lease.getSpec() == null || lease.getSpec().getRenewTime() == null ? null
                : lease.getSpec().getRenewTime().toInstant().toString();
        if (renew != null && (savedLease == null || Instant.parse(savedLease).isBefore(Instant.parse(renew)))) {
            h = new NodeHealth(h.status(), now, h.readyTransitionTimestamp(), renew);
        }
        health.put(name, h);

        if (!now.isAfter(h.probeTimestamp().plus(grace))) {
            return new Evaluation(grace, observedReady, currentReady, null);
        }
        Node updated = copyForStatus(node);
        List<NodeCondition> conditions = updated.getStatus().getConditions();
        String nowText = time(now);
        for (String type : CONDITIONS_SET_UNKNOWN) {
            NodeCondition c = condition(updated.getStatus(), type);
            if (c == null) {
                conditions.add(new NodeCondition(time(created), nowText, "Kubelet never posted node status.",
                        "NodeStatusNeverUpdated", "Unknown", type));
            } else if (!"Unknown".equals(c.getStatus())) {
                c.setStatus("Unknown");
                c.setReason("NodeStatusUnknown");
                c.setMessage("Kubelet stopped posting node status.");
                c.setLastTransitionTime(nowText);
            }
        }
        NodeCondition newReady = condition(updated.getStatus(), NODE_READY);
        if (sameCondition(newReady, observedReady)) {
            return new Evaluation(grace, observedReady, currentReady, null);
        }
        return new Evaluation(grace, observedReady, newReady, updated);
    }

    /** Records a successful write of the Unknown conditions, as Kubernetes does after its UpdateStatus. */
    void written(Node written, String leaseRenewTime) {
        String name = written.getMetadata().getName();
        NodeHealth h = health.get(name);
        Instant probe = h == null ? clock.now() : h.probeTimestamp();
        health.put(name, new NodeHealth(written.getStatus(), probe, clock.now(),
                leaseRenewTime != null ? leaseRenewTime : h == null ? null : h.leaseRenewTime()));
    }

    static NodeCondition condition(NodeStatus status, String type) {
        if (status == null || status.getConditions() == null) {
            return null;
        }
        for (NodeCondition c : status.getConditions()) {
            if (type.equals(c.getType())) {
                return c;
            }
        }
        return null;
    }

    private static boolean sameCondition(NodeCondition a, NodeCondition b) {
        return a != null && b != null && Objects.equals(a.getStatus(), b.getStatus())
                && Objects.equals(a.getReason(), b.getReason()) && Objects.equals(a.getMessage(), b.getMessage())
                && Objects.equals(a.getLastHeartbeatTime(), b.getLastHeartbeatTime())
                && Objects.equals(a.getLastTransitionTime(), b.getLastTransitionTime());
    }

    private static NodeCondition copy(NodeCondition c) {
        return new NodeConditionBuilder(c).build();
    }

    /** A deep copy of {@code node} (the informer's object must not change), with a status and a condition list. */
    private static Node copyForStatus(Node node) {
        Node n = new NodeBuilder(node).build();
        if (n.getStatus() == null) {
            n.setStatus(new NodeStatus());
        }
        if (n.getStatus().getConditions() == null) {
            n.getStatus().setConditions(new ArrayList<>());
        } else {
            List<NodeCondition> copies = new ArrayList<>();
            for (NodeCondition c : n.getStatus().getConditions()) {
                copies.add(copy(c));
            }
            n.getStatus().setConditions(copies);
        }
        return n;
    }

    /** A metav1.Time: RFC 3339 at second precision. */
    static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static Instant parse(String timestamp, Instant fallback) {
        if (timestamp == null || timestamp.isEmpty()) {
            return fallback;
        }
        try {
            return Instant.parse(timestamp);
        } catch (RuntimeException e) {
            return fallback;
        }
    }
}
