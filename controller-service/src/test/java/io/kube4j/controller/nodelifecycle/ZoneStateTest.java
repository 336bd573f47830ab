package io.kube4j.controller.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Zone states ({@code ComputeZoneState}) and the tainting rate each state gets ({@code setLimiterInZone}). */
class ZoneStateTest {

    static List<NodeCondition> conditions(int ready, int notReady, int unknown, int missing) {
        List<NodeCondition> out = new ArrayList<>();
        for (int i = 0; i < ready; i++) {
            out.add(new NodeCondition(null, null, null, null, "True", "Ready"));
        }
        for (int i = 0; i < notReady; i++) {
            out.add(new NodeCondition(null, null, null, null, "False", "Ready"));
        }
        for (int i = 0; i < unknown; i++) {
            out.add(new NodeCondition(null, null, null, null, "Unknown", "Ready"));
        }
        for (int i = 0; i < missing; i++) {
            out.add(null);
        }
        return out;
    }

    static Stream<Arguments> states() {
        return Stream.of(
                arguments(3, 0, 0, 0, 0, ZoneState.NORMAL),
                arguments(2, 0, 1, 0, 1, ZoneState.NORMAL),
                arguments(0, 0, 1, 0, 1, ZoneState.FULL_DISRUPTION),
                arguments(0, 2, 1, 0, 3, ZoneState.FULL_DISRUPTION),
                arguments(1, 2, 0, 0, 2, ZoneState.NORMAL), // 2 not ready: never partial (needs more than two)
                arguments(1, 1, 1, 1, 3, ZoneState.PARTIAL_DISRUPTION), // 3/4 >= 0.55; a missing condition counts
                arguments(3, 3, 0, 0, 3, ZoneState.NORMAL), // 3/6 = 0.5 < 0.55
                arguments(9, 11, 0, 0, 11, ZoneState.PARTIAL_DISRUPTION), // 11/20 = 0.55
                arguments(10, 0, 10, 0, 10, ZoneState.NORMAL));
    }

    @ParameterizedTest(name = "ready={0} notReady={1} unknown={2} missing={3} -> {5}")
    @MethodSource("states")
    void computeZoneState(int ready, int notReady, int unknown, int missing, int unhealthy, ZoneState state) {
        ZoneState.Evaluation e = ZoneState.compute(conditions(ready, notReady, unknown, missing), 0.55);
        assertThat(e.state()).isEqualTo(state);
        assertThat(e.unhealthy()).isEqualTo(unhealthy);
    }

    static Stream<Arguments> rates() {
        return Stream.of(
                arguments(ZoneState.NORMAL, 10, 0.1),
                arguments(ZoneState.NORMAL, 500, 0.1),
                arguments(ZoneState.FULL_DISRUPTION, 10, 0.1),
                arguments(ZoneState.PARTIAL_DISRUPTION, 50, 0.0), // not larger than the threshold: stop
                arguments(ZoneState.PARTIAL_DISRUPTION, 51, 0.01),
                arguments(ZoneState.PARTIAL_DISRUPTION, 3, 0.0));
    }

    @ParameterizedTest(name = "{0} with {1} nodes -> {2}/s")
    @MethodSource("rates")
    void evictionRate(ZoneState state, int zoneSize, double rate) {
        assertThat(state.evictionRate(zoneSize, NodeLifecycleProperties.defaults())).isEqualTo(rate);
    }

    @Test
    void zoneKeyFromTopologyLabels() {
        assertThat(ZoneState.zoneKey(new NodeBuilder().withNewMetadata().withName("a").endMetadata().build())).isEmpty();
        assertThat(ZoneState.zoneKey(new NodeBuilder().withNewMetadata().withName("a").withLabels(Map.of(
                ZoneState.LABEL_REGION, "eu", ZoneState.LABEL_ZONE, "eu-1")).endMetadata().build()))
                .isEqualTo("eu:\u0000:eu-1");
        assertThat(ZoneState.zoneKey(new NodeBuilder().withNewMetadata().withName("a").withLabels(Map.of(
                ZoneState.LABEL_ZONE_BETA, "z")).endMetadata().build())).isEqualTo(":\u0000:z");
    }
}
