package io.kube4j.controller.disruption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The arithmetic of {@link DisruptionBudgets}, table by table, against disruption.go's rules. */
class DisruptionBudgetsTest {

    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    static Pod pod(String name, boolean ready, String controllerUid) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).endMetadata();
        if (controllerUid != null) {
            b.editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("rs-" + controllerUid)
                    .withUid(controllerUid).withController(true).endOwnerReference().endMetadata();
        }
        return b.withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .endCondition().endStatus().build();
    }

    static IntOrString value(String v) {
        return v.isEmpty() ? null : v.endsWith("%") ? new IntOrString(v) : new IntOrString(Integer.parseInt(v));
    }

    static PodDisruptionBudget pdb(String min, String max) {
        return new PodDisruptionBudgetBuilder().withNewMetadata().withNamespace("ns").withName("b").withGeneration(3L)
                .endMetadata().withNewSpec().withMinAvailable(value(min)).withMaxUnavailable(value(max)).endSpec().build();
    }

    /** pods: ready count of 4 pods of one controller with {@code replicas}. */
    @ParameterizedTest(name = "min={0} max={1} replicas={2} ready={3}")
    @CsvSource({
            // min, max, replicas, ready -> expected, desired, current, allowed
            "2,   '',  4, 4, 4, 2, 4, 2",
            "2,   '',  4, 1, 4, 2, 1, 0",
            "'',  1,   4, 4, 4, 3, 4, 1",
            "'',  1,   6, 4, 6, 5, 4, 0",   // maxUnavailable scales with the controller, not the pods seen
            "50%, '',  5, 4, 5, 3, 4, 1",   // ceil(2.5)
            "'',  34%, 4, 4, 4, 2, 4, 2",   // ceil(1.36) unavailable
            "'',  0%,  4, 4, 4, 4, 4, 0",
            "100%,'',  4, 4, 4, 4, 4, 0",
            "'',  10,  4, 4, 4, 0, 4, 4",   // never below 0 desired
            "0,   '',  4, 0, 4, 0, 0, 0",
    })
    void statusFromTheSpec(String min, String max, int replicas, int ready, int expected, int desired, int current,
                           int allowed) {
        List<Pod> pods = IntStream.range(0, 4).mapToObj(i -> pod("p" + i, i < ready, "u1")).toList();
        DisruptionBudgets.Computed c = DisruptionBudgets.compute(pdb(min, max), pods, (ns, ref) -> replicas, NOW,
                Duration.ofMinutes(2));
        assertThat(List.of(c.status().getExpectedPods(), c.status().getDesiredHealthy(), c.status().getCurrentHealthy(),
                c.status().getDisruptionsAllowed())).containsExactly(expected, desired, current, allowed);
        assertThat(c.status().getObservedGeneration()).isEqualTo(3L);
        assertThat(c.status().getConditions()).singleElement().satisfies(cond -> {
            assertThat(cond.getType()).isEqualTo("DisruptionAllowed");
            assertThat(cond.getReason()).isEqualTo(allowed > 0 ? "SufficientPods" : "InsufficientPods");
        });
    }

    @Test
    void theScaleOfEachControllerCountsOnceAndUnmanagedPodsAreSetAside() {
        List<Pod> pods = List.of(pod("a", true, "u1"), pod("b", true, "u1"), pod("c", true, "u2"), pod("d", true, null));
        List<String> unmanaged = new ArrayList<>();
        int scale = DisruptionBudgets.expectedScale(pods, (ns, ref) -> ref.getUid().equals("u1") ? 2 : 5, unmanaged);
        assertThat(scale).isEqualTo(7);
        assertThat(unmanaged).containsExactly("d");
        assertThatThrownBy(() -> DisruptionBudgets.compute(pdb("", "1"), pods,
                (ns, ref) -> { throw new IllegalStateException("no scale"); }, NOW, Duration.ofMinutes(2)))
                .hasMessage("no scale");
        assertThatThrownBy(() -> DisruptionBudgets.scaled(new IntOrString("x%"), 4, "maxUnavailable"))
                .hasMessageContaining("invalid value for maxUnavailable");
    }

    @Test
    void awaitedEvictionsKeepTheirPodsOutOfTheHealthyCountUntilTheirDeadline() {
        PodDisruptionBudget b = pdb("1", "");
        b.setStatus(new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus());
        b.getStatus().setDisruptedPods(Map.of("recent", "2026-01-01T11:59:00Z", "old", "2026-01-01T11:50:00Z",
                "gone", "2026-01-01T11:59:30Z"));
        List<Pod> pods = List.of(pod("recent", true, "u"), pod("old", true, "u"), pod("other", true, "u"));
        DisruptionBudgets.Computed c = DisruptionBudgets.compute(b, pods, (ns, ref) -> 3, NOW, Duration.ofMinutes(2));
        assertThat(c.status().getDisruptedPods()).containsOnlyKeys("recent");
        assertThat(c.notDeleted()).containsExactly("old");
        assertThat(c.recheck()).isEqualTo(Instant.parse("2026-01-01T12:01:00Z"));
        assertThat(c.status().getCurrentHealthy()).isEqualTo(2);
        assertThat(c.status().getDisruptionsAllowed()).isEqualTo(1);
    }
}
