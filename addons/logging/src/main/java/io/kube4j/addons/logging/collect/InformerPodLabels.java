package io.kube4j.addons.logging.collect;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.client.informer.ResourceEventHandler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Pod labels from the node's pod informer ({@code spec.nodeName=<node>}), by pod uid. Deleted pods are remembered
 * (the newest {@code remembered} of them): a container's last lines are often read after its pod is gone.
 */
public final class InformerPodLabels implements PodLabels, ResourceEventHandler<Pod> {

    private final Map<String, Map<String, String>> live = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> deleted;

    public InformerPodLabels(int remembered) {
        this.deleted = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, String>> eldest) {
                return size() > remembered;
            }
        };
    }

    @Override
    public synchronized Optional<Map<String, String>> labels(String namespace, String pod, String uid) {
        Map<String, String> l = live.get(uid);
        if (l == null) {
            l = deleted.get(uid);
        }
        return Optional.ofNullable(l);
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
