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
    private List<NodeInfo> nodes = new ArrayList<>();
    private long generation;

    /** A snapshot of the given node infos (for tests and simulations). */
    public static Snapshot of(List<NodeInfo> nodes) {
        Snapshot s = new Snapshot();
        for (NodeInfo n : nodes) {
            s.byName.put(n.name(), n);
        }
        s.nodes = new ArrayList<>(nodes);
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

    // Written only by the cache, which owns the refresh.
    public Map<String, NodeInfo> byNameForUpdate() {
        return byName;
    }

    public void setNodes(List<NodeInfo> nodes, long generation) {
        this.nodes = nodes;
        this.generation = generation;
    }

    public void setGeneration(long generation) {
        this.generation = generation;
    }
}
