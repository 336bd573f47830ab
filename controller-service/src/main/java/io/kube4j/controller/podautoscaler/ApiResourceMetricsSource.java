package io.kube4j.controller.podautoscaler;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.api.codec.GoDurations;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.client.RawClient;
import tools.jackson.databind.JsonNode;

/**
 * Pod usage from {@code metrics.k8s.io/v1beta1} PodMetrics, as Kubernetes' resource metrics client: a pod's value is
 * the sum over its containers (or the one named container), and a pod with a container lacking the resource is left
 * out rather than under-counted. Read as JSON rather than through fabric8's PodMetrics, whose Duration misreads a
 * fractional window such as {@code 2.0076s} (as 2,007,606,001 s), which would make every cpu sample look taken
 * before its pod became ready.
 */
public final class ApiResourceMetricsSource implements ResourceMetricsSource {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final RawClient raw;

    public ApiResourceMetricsSource(RawClient raw) {
        this.raw = raw;
    }

    @Override
    public Map<String, PodMetric> podMetrics(String namespace, LabelSelector selector, String resource,
            String container) {
        String path = "/apis/metrics.k8s.io/v1beta1/namespaces/" + namespace + "/pods?labelSelector="
                + URLEncoder.encode(selector.toString(), StandardCharsets.UTF_8);
        JsonNode list = Codecs.json().readTree(raw.get(path).block(TIMEOUT));
        Map<String, PodMetric> out = new HashMap<>();
        for (JsonNode m : list.path("items")) {
            Long sum = sum(m.path("containers"), resource, container);
            if (sum == null) {
                continue;
            }
            String ts = m.path("timestamp").asString("");
            Instant timestamp = ts.isEmpty() ? Instant.EPOCH : Instant.parse(ts);
            out.put(m.path("metadata").path("name").asString(""),
                    new PodMetric(sum, timestamp, goDuration(m.path("window").asString(""))));
        }
        return out;
    }

    private static Long sum(JsonNode containers, String resource, String container) {
        long total = 0;
        boolean found = false;
        for (JsonNode c : containers) {
            if (container != null && !container.equals(c.path("name").asString(""))) {
                continue;
            }
            JsonNode q = c.path("usage").path(resource);
            if (!q.isString()) {
                return null;
            }
            total += milli(new Quantity(q.asString()));
            found = true;
        }
        return found ? total : null;
    }

    /** A Go {@code time.Duration} string ({@code 1m2.5s}, {@code 2.007606001s}, {@code 500ms}); zero when blank. */
    static Duration goDuration(String s) {
        return s == null || s.isEmpty() ? Duration.ZERO : GoDurations.parse(s);
    }

    /** Kubernetes' {@code Quantity.MilliValue()}: the value times 1000, rounded up. */
    static long milli(Quantity q) {
        return Quantity.getAmountInBytes(q).movePointRight(3).setScale(0, java.math.RoundingMode.CEILING)
                .longValueExact();
    }
}
