package io.kube4j.scheduler.cache;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.client.util.Clock;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodKeys;
import io.kube4j.scheduler.framework.Snapshot;

/**
 * The scheduler's incremental view of nodes and the pods placed on them, fed by informers, plus <em>assumed</em>
 * pods: a scheduling decision is applied here before its binding returns, so the next cycle already sees the room it
 * takes; the assumption is confirmed when the informer reports the bound pod, and forgotten when binding fails, or
 * when it finished but the informer did not confirm it within {@code assumedPodTtl}. Thread-safe.
 */
public final class SchedulerCache {

    private static final class PodState {
        Pod pod;
        boolean assumed;
        Instant deadline;

        PodState(Pod pod, boolean assumed) {
            this.pod = pod;
            this.assumed = assumed;
        }
    }

    private final Clock clock;
    private final Duration assumedPodTtl;
    // Insertion order is the order nodes are tried in.
    private final Map<String, NodeInfo> nodes = new LinkedHashMap<>();
    private final Map<String, PodState> pods = new HashMap<>();
    private long generation;
    // Names touched since the last snapshot update, so an update need not scan every node.
    private final java.util.Set<String> dirty = new java.util.LinkedHashSet<>();
    private long lastSnapshotGeneration = -1;
    private boolean nodeSetChanged;

    public SchedulerCache(Clock clock, Duration assumedPodTtl) {
        this.clock = Objects.requireNonNull(clock);
        this.assumedPodTtl = assumedPodTtl;
    }

    public synchronized void addNode(Node node) {
        String name = node.getMetadata().getName();
        NodeInfo info = nodes.computeIfAbsent(name, k -> new NodeInfo());
        if (info.node() == null) {
            nodeSetChanged = true;
        }
        info.setNode(node);
        touch(name, info);
    }

    public synchronized void updateNode(Node node) {
        addNode(node);
    }

    /** Removes a node; its entry lingers without a node while pods still point at it. */
    public synchronized void removeNode(Node node) {
        String name = node.getMetadata().getName();
        NodeInfo info = nodes.get(name);
        if (info == null) {
            return;
        }
        if (info.pods().isEmpty()) {
            nodes.remove(name);
        } else {
            info.setNode(null);
            touch(name, info);
        }
        nodeSetChanged = true;
    }

    /** An assigned pod the informer reports; confirms it if it was assumed. */
    public synchronized void addPod(Pod pod) {
        String key = PodKeys.key(pod);
        PodState state = pods.get(key);
        if (state != null) {
            // Assumed (or a repeated add): the informer's version replaces ours, wherever it was bound.
            removeFromNode(state.pod);
        }
        addToNode(pod);
        pods.put(key, new PodState(pod, false));
    }

    public synchronized void updatePod(Pod pod) {
        addPod(pod);
    }

    public synchronized void removePod(Pod pod) {
        PodState state = pods.remove(PodKeys.key(pod));
        if (state != null) {
            removeFromNode(state.pod);
        }
    }

    /**
     * Applies a scheduling decision: {@code pod} (with {@code spec.nodeName} set to the chosen node) counts on that
     * node from now on.
     */
    public synchronized void assumePod(Pod pod) {
        String key = PodKeys.key(pod);
        if (pods.containsKey(key)) {
            throw new IllegalStateException("pod " + key + " is already in the scheduler cache");
        }
        addToNode(pod);
        pods.put(key, new PodState(pod, true));
    }

    /** The binding of an assumed pod returned; from now the informer has {@code assumedPodTtl} to confirm it. */
    public synchronized void finishBinding(Pod pod) {
        PodState state = pods.get(PodKeys.key(pod));
        if (state != null && state.assumed) {
            state.deadline = clock.now().plus(assumedPodTtl);
        }
    }

    /** Undoes {@link #assumePod} (binding failed); a pod the informer confirmed meanwhile stays. */
    public synchronized void forgetPod(Pod pod) {
        String key = PodKeys.key(pod);
        PodState state = pods.get(key);
        if (state != null && state.assumed) {
            pods.remove(key);
            removeFromNode(state.pod);
        }
    }

    public synchronized boolean isAssumed(Pod pod) {
        PodState state = pods.get(PodKeys.key(pod));
        return state != null && state.assumed;
    }

    /** Whether the pod (assumed or confirmed) is placed on a node here. */
    public synchronized boolean contains(Pod pod) {
        return pods.containsKey(PodKeys.key(pod));
    }

    /** Forgets assumed pods whose binding finished more than {@code assumedPodTtl} ago without confirmation. */
    public synchronized List<Pod> cleanupExpiredAssumedPods() {
        Instant now = clock.now();
        List<Pod> expired = new ArrayList<>();
        for (Iterator<PodState> it = pods.values().iterator(); it.hasNext();) {
            PodState s = it.next();
            if (s.assumed && s.deadline != null && !s.deadline.isAfter(now)) {
                it.remove();
                removeFromNode(s.pod);
                expired.add(s.pod);
            }
        }
        return expired;
    }

    /**
     * Brings {@code snapshot} up to date, copying only the nodes that changed since it was last updated, and keeps
     * the cache's node order.
     */
    public synchronized void updateSnapshot(Snapshot snapshot) {
        long since = snapshot.generation();
        if (since == generation && !nodeSetChanged) {
            return;
        }
        Map<String, NodeInfo> byName = snapshot.byNameForUpdate();
        if (since == lastSnapshotGeneration && !nodeSetChanged) {
            // The snapshot we updated last, and the same nodes: copy just the touched ones into their places.
            for (String name : dirty) {
                snapshot.replace(nodes.get(name).copy());
            }
            dirty.clear();
            snapshot.setGeneration(generation);
            lastSnapshotGeneration = generation;
            return;
        }
        for (Map.Entry<String, NodeInfo> e : nodes.entrySet()) {
            NodeInfo info = e.getValue();
            if (info.generation() > since && info.node() != null) {
                byName.put(e.getKey(), info.copy());
            }
        }
        byName.keySet().removeIf(name -> {
            NodeInfo info = nodes.get(name);
            return info == null || info.node() == null;
        });
        List<NodeInfo> list = new ArrayList<>(byName.size());
        for (Map.Entry<String, NodeInfo> e : nodes.entrySet()) {
            if (e.getValue().node() != null) {
                list.add(byName.get(e.getKey()));
            }
        }
        snapshot.setNodes(list, generation);
        dirty.clear();
        nodeSetChanged = false;
        lastSnapshotGeneration = generation;
    }

    /** The number of nodes (with a Node object) in the cache. */
    public synchronized int nodeCount() {
        return (int) nodes.values().stream().filter(n -> n.node() != null).count();
    }

    public synchronized int podCount() {
        return pods.size();
    }

    /** A copy of one node's info, for tests and debugging. */
    public synchronized NodeInfo nodeInfo(String name) {
        NodeInfo info = nodes.get(name);
        return info == null ? null : info.copy();
    }

    private void addToNode(Pod pod) {
        String nodeName = pod.getSpec().getNodeName();
        NodeInfo info = nodes.computeIfAbsent(nodeName, k -> new NodeInfo());
        info.addPod(pod);
        touch(nodeName, info);
    }

    private void removeFromNode(Pod pod) {
        String nodeName = pod.getSpec().getNodeName();
        NodeInfo info = nodes.get(nodeName);
        if (info == null) {
            return;
        }
        info.removePod(pod);
        touch(nodeName, info);
        if (info.node() == null && info.pods().isEmpty()) {
            nodes.remove(nodeName);
        }
    }

    private void touch(String name, NodeInfo info) {
        info.setGeneration(++generation);
        // Entries without a Node are not in snapshots; they enter through nodeSetChanged when their Node comes.
        if (info.node() != null) {
            dirty.add(name);
        }
    }
}
