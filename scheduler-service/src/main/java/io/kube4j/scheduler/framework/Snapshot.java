package io.kube4j.scheduler.framework;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes as one scheduling cycle sees them; the cache refreshes it between cycles, copying only nodes whose
 * generation is newer than the snapshot's.
 */
public final class Snapshot {

    private final Map<String, NodeInfo> byName = new HashMap<>();
    private final Map<String, Integer> index = new HashMap<>();
    private List<NodeInfo> nodes = new ArrayList<>();
    private long generation;
    // Grows whenever a node's Node object (not just its pods) may have changed, or the node set did.
    private long nodesVersion;

    /** A snapshot of the given node infos (for tests and simulations). */
    public static Snapshot of(List<NodeInfo> nodes) {
        Snapshot s = new Snapshot();
        for (NodeInfo n : nodes) {
            s.byName.put(n.name(), n);
        }
        s.setNodes(new ArrayList<>(nodes), 0);
        return s;
    }

    /** The nodes, in a stable order (the cache's). */
    public List<NodeInfo> nodes() {
        return nodes;
    }

    public NodeInfo get(String nodeName) {
        return byName.get(nodeName);
    }

    public int size() {
        return nodes.size();
    }

    public long generation() {
        return generation;
    }

    /**
     * A number that changes whenever a node's {@code Node} object (labels, taints, images, ...) may have changed or
     * the node set did, and stays put when only pods moved; plugins that derive data from the Node objects alone
     * (ImageLocality's image counts) recompute it only when this changes rather than every cycle.
     */
    public long nodesVersion() {
        return nodesVersion;
    }

    // Written only by the cache, which owns the refresh.
    public Map<String, NodeInfo> byNameForUpdate() {
        return byName;
    }

    public void setNodes(List<NodeInfo> nodes, long generation) {
        this.nodes = nodes;
        this.generation = generation;
        nodesVersion++;
        index.clear();
        for (int i = 0; i < nodes.size(); i++) {
            index.put(nodes.get(i).name(), i);
        }
    }

    /** Replaces one node's info in place (the node set is unchanged). */
    public void replace(NodeInfo info) {
        NodeInfo old = byName.put(info.name(), info);
        if (old == null || old.node() != info.node()) {
            nodesVersion++;
        }
        nodes.set(index.get(info.name()), info);
    }

    public void setGeneration(long generation) {
        this.generation = generation;
    }
}
