package io.kube4j.apiserver.resourcemetrics;

import java.util.Map;

/**
 * The points of one scrape of every node: per node, and per pod its containers' points by container name.
 *
 * @param nodes node name → point
 * @param pods  pod → container name → point
 */
public record MetricsBatch(Map<String, MetricsPoint> nodes, Map<PodRef, Map<String, MetricsPoint>> pods) {

    /** A pod by namespace and name. */
    public record PodRef(String namespace, String name) {
    }

    public MetricsBatch {
        nodes = Map.copyOf(nodes);
        pods = Map.copyOf(pods);
    }
}
