package io.kube4j.apiserver.resourcemetrics;

import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.resourcemetrics.MetricsBatch.PodRef;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SummaryDecoderTest {

    /** The shape node-agent's StatsSummary writes (the kubelet's Summary API). */
    private static final String SUMMARY = """
            {"node":{"nodeName":"n1","cpu":{"time":"2026-11-27T10:00:00.5Z","usageNanoCores":5,"usageCoreNanoSeconds":123},
                     "memory":{"time":"2026-11-27T10:00:00.5Z","workingSetBytes":4096,"usageBytes":8192}},
             "pods":[{"podRef":{"name":"web","namespace":"ns","uid":"u"},
                      "containers":[{"name":"app","startTime":"2026-11-27T09:00:00Z",
                                     "cpu":{"time":"2026-11-27T10:00:00.25Z","usageCoreNanoSeconds":77},
                                     "memory":{"time":"2026-11-27T10:00:00.25Z","workingSetBytes":1024}},
                                    {"name":"gone","cpu":{"time":"2026-11-27T10:00:00Z"}}]},
                     {"podRef":{"name":"pending","namespace":"ns"},"containers":[]}]}
            """;

    @Test
    void readsCumulativeCpuAndWorkingSet() {
        JsonNode s = Codecs.json().readTree(SUMMARY);
        MetricsPoint node = SummaryDecoder.node(s).orElseThrow();
        assertThat(node).isEqualTo(new MetricsPoint(Instant.EPOCH, Instant.parse("2026-11-27T10:00:00.5Z"), 123, 4096));
        Map<PodRef, Map<String, MetricsPoint>> pods = SummaryDecoder.pods(s);
        assertThat(pods.get(new PodRef("ns", "web"))).containsOnlyKeys("app");
        assertThat(pods.get(new PodRef("ns", "web")).get("app")).isEqualTo(new MetricsPoint(
                Instant.parse("2026-11-27T09:00:00Z"), Instant.parse("2026-11-27T10:00:00.25Z"), 77, 1024));
        assertThat(pods.get(new PodRef("ns", "pending"))).isEmpty();
    }

    @Test
    void aNodeWithoutCpuHasNoPoint() {
        assertThat(SummaryDecoder.node(Codecs.json().readTree("{\"node\":{\"nodeName\":\"n\",\"cpu\":{}}}")))
                .isEmpty();
    }
}
