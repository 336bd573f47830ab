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
    // Nodes with pods that have (required anti-)affinity, by name in node order, kept as nodes are replaced (as
    // Kubernetes' havePodsWithAffinityNodeInfoList); the lists are built from them when first asked for.
    private final Map<String, NodeInfo> withAffinity = new java.util.LinkedHashMap<>();
    private final Map<String, NodeInfo> withRequiredAntiAffinity = new java.util.LinkedHashMap<>();
    private List<NodeInfo> withAffinityList;
    private List<NodeInfo> withRequiredAntiAffinityList;

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

    /** The nodes having pods with pod affinity or anti-affinity. */
    public synchronized List<NodeInfo> havePodsWithAffinity() {
        if (withAffinityList == null) {
            withAffinityList = List.copyOf(withAffinity.values());
        }
        return withAffinityList;
    }

    /** The nodes having pods with required pod anti-affinity. */
    public synchronized List<NodeInfo> havePodsWithRequiredAntiAffinity() {
        if (withRequiredAntiAffinityList == null) {
            withRequiredAntiAffinityList = List.copyOf(withRequiredAntiAffinity.values());
        }
        return withRequiredAntiAffinityList;
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
        withAffinity.clear();
        withRequiredAntiAffinity.clear();
        for (NodeInfo n : nodes) {
            trackAffinity(n);
        }
    }

    private synchronized void trackAffinity(NodeInfo info) {
        String name = info.name();
        boolean had = withAffinity.containsKey(name);
        boolean hadAnti = withRequiredAntiAffinity.containsKey(name);
        if (!had && !hadAnti && info.podsWithAffinity().isEmpty()) {
            return;
        }
        // Re-inserting keeps a node's place only when it stays; a node gaining affinity pods goes last, which is
        // as good as node order for the plugins that read these lists.
        if (info.podsWithAffinity().isEmpty()) {
            withAffinity.remove(name);
        } else {
            withAffinity.put(name, info);
        }
        if (info.podsWithRequiredAntiAffinity().isEmpty()) {
            withRequiredAntiAffinity.remove(name);
        } else {
            withRequiredAntiAffinity.put(name, info);
        }
        withAffinityList = null;
        withRequiredAntiAffinityList = null;
    }

    /** Replaces one node's info in place (the node set is unchanged). */
    public void replace(NodeInfo info) {
        NodeInfo old = byName.put(info.name(), info);
        if (old == null || old.node() != info.node()) {
            nodesVersion++;
        }
        nodes.set(index.get(info.name()), info);
        trackAffinity(info);
    }

    public void setGeneration(long generation) {
        this.generation = generation;
    }
}
