package io.kube4j.controller.nodelifecycle;

import static io.kube4j.controller.nodelifecycle.ZoneStateTest.conditions;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.NodeCondition;
import org.junit.jupiter.api.Test;

/** {@code handleDisruption}'s transitions: per-zone rates, and stopping everything when every zone is down. */
class ZoneDisruptionTest {

    final ZoneDisruption d = new ZoneDisruption(NodeLifecycleProperties.defaults());

    static Map<String, List<NodeCondition>> zones(Object... zoneAndCounts) {
        Map<String, List<NodeCondition>> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < zoneAndCounts.length; i += 3) {
            m.put((String) zoneAndCounts[i], conditions((Integer) zoneAndCounts[i + 1], 0, (Integer) zoneAndCounts[i + 2], 0));
        }
        return m;
    }

    @Test
    void healthyZonesGetTheNormalRate() {
        ZoneDisruption.Decision first = d.update(zones("a", 3, 0, "b", 5, 1));
        assertThat(first.rates()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 0.1, "b", 0.1));
        assertThat(first.enteredFullDisruption()).isFalse();
        assertThat(d.update(zones("a", 3, 0, "b", 5, 1)).rates()).as("no change, no swap").isEmpty();
    }

    @Test
    void aPartiallyDisruptedSmallZoneStopsALargeOneSlowsDown() {
        d.update(zones("small", 10, 0, "large", 60, 0));
        ZoneDisruption.Decision dec = d.update(zones("small", 2, 8, "large", 20, 40));
        assertThat(dec.rates()).containsExactlyInAnyOrderEntriesOf(Map.of("small", 0.0, "large", 0.01));
        assertThat(d.state("small")).isEqualTo(ZoneState.PARTIAL_DISRUPTION);
        dec = d.update(zones("small", 10, 0, "large", 60, 0));
        assertThat(dec.rates()).containsExactlyInAnyOrderEntriesOf(Map.of("small", 0.1, "large", 0.1));
    }

    @Test
    void oneFullyDisruptedZoneAmongHealthyOnesIsTaintedAtTheNormalRate() {
        d.update(zones("a", 3, 0, "b", 3, 0));
        ZoneDisruption.Decision dec = d.update(zones("a", 0, 3, "b", 3, 0));
        assertThat(dec.enteredFullDisruption()).isFalse();
        assertThat(dec.rates()).containsExactlyEntriesOf(Map.of("a", 0.1));
        assertThat(d.state("a")).isEqualTo(ZoneState.FULL_DISRUPTION);
    }

    @Test
    void everyZoneDownStopsAllTaintingUntilSomeNodeIsBack() {
        d.update(zones("a", 3, 0, "b", 3, 0));
        ZoneDisruption.Decision dec = d.update(zones("a", 0, 3, "b", 0, 3));
        assertThat(dec.enteredFullDisruption()).isTrue();
        assertThat(dec.rates()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 0.0, "b", 0.0));
        dec = d.update(zones("a", 0, 3, "b", 0, 3));
        assertThat(dec.enteredFullDisruption()).isFalse();
        assertThat(dec.rates()).isEmpty();
        dec = d.update(zones("a", 1, 2, "b", 0, 3));
        assertThat(dec.exitedFullDisruption()).isTrue();
        assertThat(dec.rates()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 0.1, "b", 0.1));
        assertThat(d.states()).containsExactlyInAnyOrderEntriesOf(Map.of("a", ZoneState.NORMAL, "b",
                ZoneState.FULL_DISRUPTION));
    }

    @Test
    void aZoneWithoutNodesIsForgotten() {
        d.update(zones("a", 3, 0, "b", 3, 0));
        d.update(zones("a", 3, 0));
        assertThat(d.states()).containsOnlyKeys("a");
    }
}
