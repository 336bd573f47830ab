package io.kube4j.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** The key pods are tracked by in the queue and the cache: {@code namespace/name}. */
public final class PodKeys {

    private PodKeys() {
    }

    public static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }
}
