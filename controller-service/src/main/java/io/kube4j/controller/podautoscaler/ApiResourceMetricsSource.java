package io.kube4j.controller.podautoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;

/**
 * Pod usage from {@code metrics.k8s.io/v1beta1} PodMetrics, as Kubernetes' resource metrics client: a pod's value is
 * the sum over its containers (or the one named container), and a pod with a container lacking the resource is left
 * out rather than under-counted.
 */
public final class ApiResourceMetricsSource implements ResourceMetricsSource {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ResourceClient<PodMetrics> podMetrics;

    public ApiResourceMetricsSource(ResourceClient<PodMetrics> podMetrics) {
        this.podMetrics = podMetrics;
    }

    @Override
    public Map<String, PodMetric> podMetrics(String namespace, LabelSelector selector, String resource,
            String container) {
        KubernetesResourceList<PodMetrics> list = podMetrics.list(namespace,
                ListOptions.all().withLabelSelector(selector.toString())).block(TIMEOUT);
        Map<String, PodMetric> out = new HashMap<>();
        if (list == null || list.getItems() == null) {
            return out;
        }
        for (PodMetrics m : list.getItems()) {
            Long sum = sum(m, resource, container);
            if (sum == null) {
                continue;
            }
            Instant ts = m.getTimestamp() == null ? Instant.EPOCH : Instant.parse(m.getTimestamp());
            Duration window = m.getWindow() == null || m.getWindow().getDuration() == null ? Duration.ofSeconds(15)
                    : m.getWindow().getDuration();
            out.put(m.getMetadata().getName(), new PodMetric(sum, ts, window));
        }
        return out;
    }

    private static Long sum(PodMetrics m, String resource, String container) {
        if (m.getContainers() == null || m.getContainers().isEmpty()) {
            return null;
        }
        long total = 0;
        boolean found = false;
        for (ContainerMetrics c : m.getContainers()) {
            if (container != null && !container.equals(c.getName())) {
                continue;
            }
            Quantity q = c.getUsage() == null ? null : c.getUsage().get(resource);
            if (q == null) {
                return null;
            }
            total += milli(q);
            found = true;
        }
        return found ? total : null;
    }

    /** Kubernetes' {@code Quantity.MilliValue()}: the value times 1000, rounded up. */
    static long milli(Quantity q) {
        return Quantity.getAmountInBytes(q).movePointRight(3).setScale(0, java.math.RoundingMode.CEILING)
                .longValueExact();
    }
}
