package io.kube4j.controller.nodelifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.kube4j.client.util.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' NoExecute taint manager (the taint eviction controller): a pod on a node with NoExecute taints it does
 * not all tolerate is deleted at once; one that tolerates them with {@code tolerationSeconds} is deleted when the
 * smallest of those has passed since the taints were first seen (a timer per pod, cancelled when the taints go, the
 * tolerations cover them forever or the pod goes); a pod tolerating them without a limit stays. The decisions live
 * here; the deletions and events go through {@link Actions}, and the timers through {@link TimedEvictions}.
 */
final class NoExecuteTaintManager {

    private static final Logger log = LoggerFactory.getLogger(NoExecuteTaintManager.class);

    /** The side effects: the real one deletes through the apiserver and records Events; tests record. */
    interface Actions {
        /** Deletes the pod (event TaintManagerEviction "Marking for deletion Pod ns/name"). */
        void evict(String namespace, String name) throws Exception;

        /** A scheduled eviction was cancelled (event TaintManagerEviction "Cancelling deletion of Pod ns/name"). */
        void cancelled(String namespace, String name);
    }

    private final Clock clock;
    private final Function<String, Node> nodes;
    private final Function<String, List<Pod>> podsOnNode;
    private final Actions actions;
    private final TimedEvictions timers;
    /** Node name → its NoExecute taints, for nodes that have some. */
    private final Map<String, List<Taint>> taintedNodes = new ConcurrentHashMap<>();

    /**
     * @param nodes      a node by name from the informer cache (null when absent)
     * @param podsOnNode the cached pods bound to a node
     */
    NoExecuteTaintManager(Clock clock, Function<String, Node> nodes, Function<String, List<Pod>> podsOnNode,
                          Actions actions) {
        this.clock = clock;
        this.nodes = nodes;
        this.podsOnNode = podsOnNode;
        this.actions = actions;
        this.timers = new TimedEvictions(clock);
    }

    /** Whether an informer node update matters: its NoExecute taints changed (or it came or went). */
    static boolean noExecuteTaintsChanged(Node oldNode, Node newNode) {
        List<Taint> o = oldNode == null ? List.of() : NodeTaints.noExecute(oldNode);
        List<Taint> n = newNode == null ? List.of() : NodeTaints.noExecute(newNode);
        return !o.equals(n);
    }

    /** Whether an informer pod update matters: it was bound, moved, or its tolerations changed (or it came or went). */
    static boolean podChanged(Pod oldPod, Pod newPod) {
        if (oldPod == null || newPod == null) {
            return true;
        }
        return !Objects.equals(nodeName(oldPod), nodeName(newPod)) || !Objects.equals(tolerations(oldPod),
                tolerations(newPod));
    }

    /** Kubernetes' {@code handleNodeUpdate}: re-evaluates every pod of the node against its NoExecute taints. */
    void nodeUpdated(String nodeName) {
        Node node = nodes.apply(nodeName);
        if (node == null) {
            taintedNodes.remove(nodeName);
            return;
        }
        List<Taint> taints = NodeTaints.noExecute(node);
        if (taints.isEmpty()) {
            taintedNodes.remove(nodeName);
        } else {
            taintedNodes.put(nodeName, taints);
        }
        List<Pod> pods = podsOnNode.apply(nodeName);
        Instant now = clock.now();
        for (Pod pod : pods) {
            String key = key(pod);
            if (taints.isEmpty()) {
                cancel(key);
            } else {
                processPodOnNode(key, tolerations(pod), taints, now);
            }
        }
    }

    /**
     * Kubernetes' {@code handlePodUpdate}: {@code pod} is the cached pod (null when it is gone, which cancels its
     * eviction).
     */
    void podUpdated(String namespace, String name, Pod pod) {
        String key = namespace + "/" + name;
        if (pod == null) {
            cancel(key);
            return;
        }
        String nodeName = nodeName(pod);
        if (nodeName == null) {
            return;
        }
        List<Taint> taints = taintedNodes.get(nodeName);
        if (taints == null) {
            // an untainted node: eviction was cancelled when its taints went
            return;
        }
        processPodOnNode(key, tolerations(pod), taints, clock.now());
    }

    /** Kubernetes' {@code processPodOnNode}. */
    synchronized void processPodOnNode(String key, List<Toleration> tolerations, List<Taint> taints, Instant now) {
        if (taints.isEmpty()) {
            cancel(key);
            return;
        }
        TaintTolerations.Verdict v = TaintTolerations.verdict(taints, tolerations);
        if (!v.tolerated()) {
            cancel(key);
            log.info("pod {} does not tolerate the NoExecute taints {} of its node: deleting it", key, ids(taints));
            timers.add(key, now, now);
            return;
        }
        if (v.forever()) {
            cancel(key);
            return;
        }
        Instant start = now;
        TimedEvictions.Work existing = timers.get(key);
        if (existing != null) {
            start = existing.createdAt();
            if (start.plus(v.evictAfter()).isBefore(now.plus(v.evictAfter()))) {
                // an eviction counting from earlier is already scheduled: keep it
                return;
            }
            cancel(key);
        }
        timers.add(key, start, start.plus(v.evictAfter()));
    }

    private void cancel(String key) {
        if (timers.cancel(key)) {
            int slash = key.indexOf('/');
            actions.cancelled(key.substring(0, slash), key.substring(slash + 1));
        }
    }

    /** The eviction scheduled for {@code namespace/name}, or null. */
    TimedEvictions.Work scheduled(String key) {
        return timers.get(key);
    }

    /**
     * Waits up to {@code timeout} for one due eviction and carries it out; true when one ran. A failed deletion is
     * retried a second later (the timer's start is kept).
     */
    boolean runNext(Duration timeout) throws InterruptedException {
        TimedEvictions.Work w = timers.next(timeout);
        if (w == null) {
            return false;
        }
        int slash = w.key().indexOf('/');
        try {
            actions.evict(w.key().substring(0, slash), w.key().substring(slash + 1));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            log.warn("taint eviction of pod {} failed, retrying in 1s: {}", w.key(), e.toString());
            synchronized (this) {
                if (timers.get(w.key()) == null) {
                    Instant now = clock.now();
                    timers.add(w.key(), w.createdAt(), now.plusSeconds(1));
                }
            }
        }
        return true;
    }

    void shutDown() {
        timers.shutDown();
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private static String nodeName(Pod pod) {
        String n = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        return n == null || n.isEmpty() ? null : n;
    }

    private static List<Toleration> tolerations(Pod pod) {
        List<Toleration> t = pod.getSpec() == null ? null : pod.getSpec().getTolerations();
        return t == null ? List.of() : t;
    }

    private static List<String> ids(List<Taint> taints) {
        return taints.stream().map(t -> t.getKey() + ":" + t.getEffect()).toList();
    }
}
