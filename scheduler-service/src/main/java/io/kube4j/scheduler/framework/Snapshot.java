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

    // Written only by the cache, which owns the refresh.
    public Map<String, NodeInfo> byNameForUpdate() {
        return byName;
    }

    public void setNodes(List<NodeInfo> nodes, long generation) {
        this.nodes = nodes;
        this.generation = generation;
        index.clear();
        for (int i = 0; i < nodes.size(); i++) {
            index.put(nodes.get(i).name(), i);
        }
    }

    /** Replaces one node's info in place (the node set is unchanged). */
    public void replace(NodeInfo info) {
        byName.put(info.name(), info);
        nodes.set(index.get(info.name()), info);
    }

    public void setGeneration(long generation) {
        this.generation = generation;
    }
}
