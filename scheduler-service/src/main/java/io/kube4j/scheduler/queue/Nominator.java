package io.kube4j.scheduler.queue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.PodKeys;
import io.kube4j.scheduler.framework.PodNominator;

/**
 * Kubernetes' {@code nominator}: which pending pods are nominated to which node. It learns nominations from the pods'
 * {@code status.nominatedNodeName} (queue adds and updates) and from this scheduler's own preemption decisions
 * (before the status write comes back), and forgets a pod when it is deleted, bound or assumed. Writers serialize on
 * this object; readers (filter threads) see immutable per-node lists, so the common "nothing nominated" read is one
 * map lookup.
 */
public final class Nominator implements PodNominator {

    private final Map<String, List<Pod>> byNode = new ConcurrentHashMap<>();
    private final Map<String, String> nodeOfPod = new HashMap<>();

    @Override
    public List<Pod> nominatedPodsForNode(String nodeName) {
        if (nodeName == null) {
            return List.of();
        }
        List<Pod> l = byNode.get(nodeName);
        return l == null ? List.of() : l;
    }

    @Override
    public boolean isEmpty() {
        return byNode.isEmpty();
    }

    /** The node {@code pod} is nominated to here, or null. */
    public synchronized String nominatedNodeOf(Pod pod) {
        return nodeOfPod.get(PodKeys.key(pod));
    }

    /**
     * Records {@code pod}'s nomination: to {@code overrideNode} when given ("" clears it, as a preemption that found
     * no candidate does), otherwise to the pod's own {@code status.nominatedNodeName}. A bound pod is never nominated.
     */
    public synchronized void add(Pod pod, String overrideNode) {
        deleteLocked(PodKeys.key(pod));
        String node = overrideNode != null ? overrideNode : nominatedNodeName(pod);
        if (node == null || node.isEmpty() || assigned(pod)) {
            return;
        }
        String key = PodKeys.key(pod);
        nodeOfPod.put(key, node);
        List<Pod> l = new ArrayList<>(nominatedPodsForNode(node));
        l.add(pod);
        byNode.put(node, List.copyOf(l));
    }

    /**
     * A pod changed. If neither version carries a nomination but this scheduler nominated the pod (its status write
     * has not come back yet), the nomination is kept, as Kubernetes' {@code UpdateNominatedPod} does.
     */
    public synchronized void update(Pod oldPod, Pod newPod) {
        String override = null;
        if (oldPod != null && isEmpty(nominatedNodeName(oldPod)) && isEmpty(nominatedNodeName(newPod))) {
            override = nodeOfPod.get(PodKeys.key(oldPod));
        }
        if (oldPod != null) {
            deleteLocked(PodKeys.key(oldPod));
        }
        add(newPod, override);
    }

    /** Forgets {@code pod}'s nomination, if any. */
    public synchronized void delete(Pod pod) {
        deleteLocked(PodKeys.key(pod));
    }

    /** How many pods are nominated. */
    public synchronized int size() {
        return nodeOfPod.size();
    }

    private void deleteLocked(String key) {
        String node = nodeOfPod.remove(key);
        if (node == null) {
            return;
        }
        List<Pod> l = new ArrayList<>(nominatedPodsForNode(node));
        l.removeIf(p -> PodKeys.key(p).equals(key));
        if (l.isEmpty()) {
            byNode.remove(node);
        } else {
            byNode.put(node, List.copyOf(l));
        }
    }

    private static String nominatedNodeName(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
    }

    private static boolean assigned(Pod pod) {
        return pod.getSpec() != null && !isEmpty(pod.getSpec().getNodeName());
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }
}
