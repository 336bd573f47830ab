package io.kube4j.controller.podautoscaler;

import java.util.Map;

import io.kube4j.api.selector.LabelSelector;

/**
 * Where the HPA controller reads pods' resource usage (Kubernetes' {@code metricsclient.MetricsClient}
 * {@code GetResourceMetric}); the real one reads {@code metrics.k8s.io/v1beta1} PodMetrics through the apiserver.
 */
public interface ResourceMetricsSource {

    /**
     * Usage of {@code resource} per pod name, of the pods in {@code namespace} matching {@code selector}; a pod
     * missing a value for one of its containers (or for {@code container} when given) is left out.
     */
    Map<String, PodMetric> podMetrics(String namespace, LabelSelector selector, String resource, String container);
}
