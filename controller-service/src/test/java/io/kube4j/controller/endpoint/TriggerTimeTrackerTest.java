package io.kube4j.controller.endpoint;

import static io.kube4j.controller.endpoint.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import org.junit.jupiter.api.Test;

class TriggerTimeTrackerTest {

    private static Pod readyAt(String name, String time) {
        return new PodBuilder(pod("ns", name, "10.0.0.1", true)).editStatus()
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True")
                        .withLastTransitionTime(time).build()).endStatus().build();
    }

    @Test
    void earliestChangeSinceTheLastSyncAndNothingForANewService() {
        TriggerTimeTracker t = new TriggerTimeTracker();
        var svc = TestObjects.service("ns", "web", "10.96.0.1", List.of());
        assertThat(t.compute(svc, List.of(readyAt("a", "2026-11-27T07:00:00Z")))).isNull();
        assertThat(t.compute(svc, List.of(readyAt("a", "2026-11-27T07:00:00Z")))).isNull();
        Instant got = t.compute(svc, List.of(readyAt("a", "2026-11-27T07:00:05Z"), readyAt("b", "2026-11-27T07:00:03Z")));
        assertThat(got).isEqualTo(Instant.parse("2026-11-27T07:00:03Z"));
        t.deleteService("ns", "web");
        assertThat(t.compute(svc, List.of(readyAt("a", "2026-11-27T07:00:09Z")))).isNull();
    }
}
