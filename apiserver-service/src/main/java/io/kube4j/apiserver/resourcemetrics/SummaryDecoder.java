package io.kube4j.apiserver.resourcemetrics;

import io.kube4j.apiserver.resourcemetrics.MetricsBatch.PodRef;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the points out of a kubelet Summary API answer ({@code /stats/summary}): the node's and each running
 * container's cumulative CPU ({@code cpu.usageCoreNanoSeconds} at {@code cpu.time}) and memory working set. The
 * node's own {@code usageNanoCores} is not used: rates are computed here between scrapes, as metrics-server does.
 * Entries without those fields (a container that just stopped) are left out.
 */
final class SummaryDecoder {

    private SummaryDecoder() {
    }

    /** The node's point, if the summary has its CPU and memory. */
    static Optional<MetricsPoint> node(JsonNode summary) {
        JsonNode node = summary.path("node");
        return point(node, instant(node.path("startTime")).orElse(Instant.EPOCH));
    }

    /** Each pod's containers' points (pods whose containers have none are still listed, empty). */
    static Map<PodRef, Map<String, MetricsPoint>> pods(JsonNode summary) {
        Map<PodRef, Map<String, MetricsPoint>> out = new HashMap<>();
        for (JsonNode pod : summary.path("pods")) {
            String ns = pod.path("podRef").path("namespace").asString("");
            String name = pod.path("podRef").path("name").asString("");
            if (ns.isEmpty() || name.isEmpty()) {
                continue;
            }
            Map<String, MetricsPoint> containers = new HashMap<>();
            for (JsonNode c : pod.path("containers")) {
                String cname = c.path("name").asString("");
                if (cname.isEmpty()) {
                    continue;
                }
                point(c, instant(c.path("startTime")).orElse(Instant.EPOCH)).ifPresent(p -> containers.put(cname, p));
            }
            out.put(new PodRef(ns, name), containers);
        }
        return out;
    }

    private static Optional<MetricsPoint> point(JsonNode stats, Instant start) {
        JsonNode cpu = stats.path("cpu");
        JsonNode mem = stats.path("memory");
        Optional<Instant> time = instant(cpu.path("time"));
        if (time.isEmpty() || !cpu.path("usageCoreNanoSeconds").isNumber() || !mem.path("workingSetBytes").isNumber()) {
            return Optional.empty();
        }
        return Optional.of(new MetricsPoint(start, time.get(), cpu.path("usageCoreNanoSeconds").asLong(),
                mem.path("workingSetBytes").asLong()));
    }

    private static Optional<Instant> instant(JsonNode v) {
        if (!v.isString() || v.asString().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(v.asString()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
