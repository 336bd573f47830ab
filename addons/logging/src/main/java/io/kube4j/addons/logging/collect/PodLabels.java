package io.kube4j.addons.logging.collect;

import java.util.Map;
import java.util.Optional;

/** The labels of a pod by uid (also for a while after the pod is deleted: its last lines still need them). */
public interface PodLabels {

    Optional<Map<String, String>> labels(String namespace, String pod, String uid);
}
