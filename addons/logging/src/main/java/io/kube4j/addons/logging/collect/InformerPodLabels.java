package io.kube4j.addons.logging.collect;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.client.informer.ResourceEventHandler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Pod labels from the node's pod informer ({@code spec.nodeName=<node>}), by pod uid. Deleted pods are remembered
 * (the newest {@code remembered} of them): a container's last lines are often read after its pod is gone. A pod the
 * informer has not delivered yet (its watch lagging on a loaded apiserver) is looked up directly through
 * {@code lookup}, so its lines are not stored without the labels a search selects them by.
 */
public final class InformerPodLabels implements PodLabels, ResourceEventHandler<Pod> {

    private final Map<String, Map<String, String>> live = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> deleted;

    private final BiFunction<String, String, Optional<Pod>> lookup;

    public InformerPodLabels(int remembered) {
        this(remembered, (ns, name) -> Optional.empty());
    }

    public InformerPodLabels(int remembered, BiFunction<String, String, Optional<Pod>> lookup) {
        this.lookup = lookup;
        this.deleted = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, String>> eldest) {
                return size() > remembered;
            }
        };
    }

    @Override
    public Optional<Map<String, String>> labels(String namespace, String pod, String uid) {
        synchronized (this) {
            Map<String, String> l = live.get(uid);
            if (l == null) {
                l = deleted.get(uid);
            }
            if (l != null) {
                return Optional.of(l);
            }
        }
        return lookup.apply(namespace, pod).filter(p -> uid == null || uid.equals(p.getMetadata().getUid()))
                .map(InformerPodLabels::labelsOf);
    }

    @Override
    public synchronized void onAdd(Pod pod) {
        live.put(pod.getMetadata().getUid(), labelsOf(pod));
    }

    @Override
    public synchronized void onUpdate(Pod oldPod, Pod newPod) {
        live.put(newPod.getMetadata().getUid(), labelsOf(newPod));
    }

    @Override
    public synchronized void onDelete(Pod pod, boolean finalStateUnknown) {
        Map<String, String> l = live.remove(pod.getMetadata().getUid());
        deleted.put(pod.getMetadata().getUid(), l != null ? l : labelsOf(pod));
    }

    private static Map<String, String> labelsOf(Pod pod) {
        Map<String, String> l = pod.getMetadata().getLabels();
        return l == null ? Map.of() : Map.copyOf(l);
    }
}
