package io.kube4j.scheduler.framework;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * No node fits the pod: why each node was filtered, and the Kubernetes-style summary
 * ({@code 0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {k: v}.}).
 */
public final class FitError extends RuntimeException {

    private final int numAllNodes;
    private final Map<String, Status> nodeStatuses;
    private final Set<String> unschedulablePlugins;
    private final String preFilterMessage;

    public FitError(int numAllNodes, Map<String, Status> nodeStatuses, Set<String> unschedulablePlugins,
            String preFilterMessage) {
        super(null, null, false, false);
        this.numAllNodes = numAllNodes;
        this.nodeStatuses = Map.copyOf(nodeStatuses);
        this.unschedulablePlugins = Set.copyOf(unschedulablePlugins);
        this.preFilterMessage = preFilterMessage;
    }

    public int numAllNodes() {
        return numAllNodes;
    }

    /** Node name to the status that filtered it out. */
    public Map<String, Status> nodeStatuses() {
        return nodeStatuses;
    }

    /** The plugins that rejected the pod; a cluster event they care about may make it schedulable. */
    public Set<String> unschedulablePlugins() {
        return unschedulablePlugins;
    }

    @Override
    public String getMessage() {
        StringBuilder msg = new StringBuilder("0/").append(numAllNodes).append(" nodes are available:");
        if (preFilterMessage != null && !preFilterMessage.isEmpty()) {
            msg.append(' ').append(preFilterMessage).append('.');
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (Status s : nodeStatuses.values()) {
            for (String r : s.reasons()) {
                counts.merge(r, 1, Integer::sum);
            }
        }
        // Kubernetes sorts the "<count> <reason>" strings themselves.
        List<String> parts = new ArrayList<>();
        counts.forEach((reason, n) -> parts.add(n + " " + reason));
        parts.sort(null);
        if (!parts.isEmpty()) {
            msg.append(' ').append(String.join(", ", parts)).append('.');
        }
        return msg.toString();
    }
}
