package io.kube4j.scheduler.plugins.helper;

import java.util.Map;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.client.informer.Lister;

/**
 * The selector of the pods that belong with a pod (Kubernetes' {@code helper.DefaultSelector}): the selectors of the
 * Services that select it, merged, plus the selector of its controlling ReplicaSet or StatefulSet. Used by default
 * topology spreading. (ReplicationControllers are not served by kube4j's apiserver, so they are not consulted.)
 * Any lister may be null: its kind is then not consulted.
 */
public record DefaultSelector(Lister<Service> services, Lister<ReplicaSet> replicaSets,
        Lister<StatefulSet> statefulSets) {

    /** The selector for {@code pod}; {@link LabelSelector#isEverything()} when nothing selects it. */
    public LabelSelector of(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        Map<String, String> podLabels = pod.getMetadata().getLabels() == null ? Map.of()
                : pod.getMetadata().getLabels();
        Map<String, String> labelSet = new TreeMap<>();
        if (services != null) {
            for (Service s : services.list(ns)) {
                Map<String, String> sel = s.getSpec() == null || s.getSpec().getSelector() == null ? Map.of()
                        : s.getSpec().getSelector();
                // As Kubernetes: a Service without a selector selects every pod here.
                if (podLabels.entrySet().containsAll(sel.entrySet())) {
                    labelSet.putAll(sel);
                }
            }
        }
        LabelSelector selector = fromSet(labelSet);
        OwnerReference owner = controller(pod);
        if (owner == null || owner.getApiVersion() == null) {
            return selector;
        }
        io.fabric8.kubernetes.api.model.LabelSelector ownerSelector = null;
        if ("apps/v1".equals(owner.getApiVersion()) && "ReplicaSet".equals(owner.getKind()) && replicaSets != null) {
            ReplicaSet rs = replicaSets.get(ns, owner.getName());
            if (rs != null && rs.getSpec() != null) {
                ownerSelector = rs.getSpec().getSelector();
            }
        } else if ("apps/v1".equals(owner.getApiVersion()) && "StatefulSet".equals(owner.getKind())
                && statefulSets != null) {
            StatefulSet ss = statefulSets.get(ns, owner.getName());
            if (ss != null && ss.getSpec() != null) {
                ownerSelector = ss.getSpec().getSelector();
            }
        }
        if (ownerSelector == null) {
            return selector;
        }
        try {
            return and(selector, LabelSelector.from(ownerSelector));
        } catch (IllegalArgumentException e) {
            return selector;
        }
    }

    /** The selector requiring every label of {@code set}. */
    public static LabelSelector fromSet(Map<String, String> set) {
        if (set.isEmpty()) {
            return LabelSelector.everything();
        }
        return LabelSelector.from(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                .withMatchLabels(new TreeMap<>(set)).build());
    }

    /**
     * Both selectors' requirements (Kubernetes' {@code selector.Add(requirements...)}); a selector that matches
     * nothing has no requirements to add, as there.
     */
    public static LabelSelector and(LabelSelector a, LabelSelector b) {
        if (b.isNothing() || b.isEverything()) {
            return a;
        }
        if (a.isNothing()) {
            return a;
        }
        if (a.isEverything()) {
            return b;
        }
        return LabelSelector.parse(a + "," + b);
    }

    private static OwnerReference controller(Pod pod) {
        if (pod.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        for (OwnerReference r : pod.getMetadata().getOwnerReferences()) {
            if (Boolean.TRUE.equals(r.getController())) {
                return r;
            }
        }
        return null;
    }
}
