package io.kube4j.addons.logging.store;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where a log line comes from: the container's identity (namespace, pod, container, node) and the pod's labels at
 * collection time. The pod's labels are what {@code -l app=web} matches, as {@code kubectl logs -l} does.
 */
public record StreamLabels(String namespace, String pod, String container, String node, Map<String, String> labels) {

    public StreamLabels {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(container, "container");
        node = node == null ? "" : node;
        // sorted and immutable: equal label sets are equal keys in a segment's stream table
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    }
}
