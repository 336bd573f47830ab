package io.kube4j.controller.podautoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.kube4j.api.defaulting.Defaulting;
import io.kube4j.controller.podautoscaler.ScaleNormalizer.Outcome;
import org.junit.jupiter.api.Test;

/** Stabilization windows and behavior rate limits over a recommendation history, with time given. */
class ScaleNormalizerTest {

    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    private final ScaleNormalizer n = new ScaleNormalizer(Duration.ofMinutes(5));

    /** A behavior as the apiserver's defaulting fills it from the given rules. */
    private static HorizontalPodAutoscalerBehavior defaulted(HPAScalingRules up, HPAScalingRules down) {
        var hpa = new HorizontalPodAutoscalerBuilder().withNewSpec().withMaxReplicas(10).withNewBehavior()
                .withScaleUp(up).withScaleDown(down).endBehavior().endSpec().build();
        Defaulting.apply(hpa);
        return hpa.getSpec().getBehavior();
    }

    private static HPAScalingRules rules(Integer window, String select, HPAScalingPolicy... policies) {
        HPAScalingRules r = new HPAScalingRules();
        r.setStabilizationWindowSeconds(window);
        r.setSelectPolicy(select);
        r.setPolicies(policies.length == 0 ? null : java.util.List.of(policies));
        return r;
    }

    @Test
    void withoutBehaviorScaleUpIsLimitedToDoubleOrFour() {
        Outcome o = n.normalize("k", 1, 10, 1, 20, T0);
        assertThat(o.replicas()).isEqualTo(4);
        assertThat(o.limited()).isTrue();
        assertThat(o.limitReason()).isEqualTo("ScaleUpLimit");
        assertThat(n.normalize("k2", 5, 30, 1, 8, T0)).satisfies(x -> {
            assertThat(x.replicas()).isEqualTo(8);
            assertThat(x.limitReason()).isEqualTo("TooManyReplicas");
        });
    }

    @Test
    void withoutBehaviorScaleDownWaitsOutTheWindow() {
        n.recordInitialRecommendation("k", 5, T0);
        Outcome o = n.normalize("k", 5, 2, 1, 10, T0.plusSeconds(60));
        assertThat(o.replicas()).isEqualTo(5);
        assertThat(o.ableReason()).isEqualTo("ScaleDownStabilized");
        assertThat(n.normalize("k", 5, 2, 1, 10, T0.plusSeconds(301)).replicas()).isEqualTo(2);
    }

    @Test
    void defaultedBehaviorAllowsFourPodsOrDoublingPer15s() {
        HorizontalPodAutoscalerBehavior b = defaulted(null, null);
        assertThat(b.getScaleDown().getStabilizationWindowSeconds()).isEqualTo(300);
        assertThat(b.getScaleUp().getStabilizationWindowSeconds()).isZero();
        n.recordInitialRecommendation("k", 1, T0);
        Outcome o = n.normalize("k", b, 1, 10, 1, 20, T0);
        assertThat(o.replicas()).isEqualTo(5); // max(1 + 4, 1 × 2)
        assertThat(o.limitReason()).isEqualTo("ScaleUpLimit");
        n.storeScaleEvent("k", b, 1, 5, T0);
        // 5 s later the period still holds the +4: the period started at 1 replica
        assertThat(n.normalize("k", b, 5, 10, 1, 20, T0.plusSeconds(5)).replicas()).isEqualTo(5);
        // once the period has passed, 5 may grow to max(9, 10)
        assertThat(n.normalize("k", b, 5, 12, 1, 20, T0.plusSeconds(16)).replicas()).isEqualTo(10);
    }

    @Test
    void selectPolicyMinAndDisabled() {
        HorizontalPodAutoscalerBehavior min = defaulted(rules(null, "Min",
                new HPAScalingPolicy(60, "Pods", 1), new HPAScalingPolicy(60, "Percent", 50)), null);
        assertThat(n.normalize("a", min, 4, 10, 1, 20, T0).replicas()).isEqualTo(5); // min(4 + 1, 4 × 1.5)
        HorizontalPodAutoscalerBehavior disabled = defaulted(null, rules(0, "Disabled"));
        Outcome o = n.normalize("b", disabled, 4, 1, 1, 20, T0);
        assertThat(o.replicas()).isEqualTo(4);
        assertThat(o.limitReason()).isEqualTo("ScaleDownLimit");
    }

    @Test
    void scaleDownPolicyAndShortWindow() {
        HorizontalPodAutoscalerBehavior b = defaulted(null, rules(10, null, new HPAScalingPolicy(60, "Pods", 1)));
        n.recordInitialRecommendation("k", 3, T0);
        // within 10 s of the recommendation of 3, a recommendation of 1 is held at 3
        assertThat(n.normalize("k", b, 3, 1, 1, 10, T0.plusSeconds(5)).replicas()).isEqualTo(3);
        Outcome o = n.normalize("k", b, 3, 1, 1, 10, T0.plusSeconds(20));
        assertThat(o.replicas()).isEqualTo(2); // one pod per 60 s
        assertThat(o.limitReason()).isEqualTo("ScaleDownLimit");
        n.storeScaleEvent("k", b, 3, 2, T0.plusSeconds(20));
        assertThat(n.normalize("k", b, 2, 1, 1, 10, T0.plusSeconds(40)).replicas()).isEqualTo(2);
        assertThat(n.normalize("k", b, 2, 1, 1, 10, T0.plusSeconds(81)).replicas()).isEqualTo(1);
    }

    @Test
    void scaleUpStabilizationTakesTheLowestRecentRecommendation() {
        HorizontalPodAutoscalerBehavior b = defaulted(rules(60, null), null);
        n.recordInitialRecommendation("k", 2, T0);
        Outcome o = n.normalize("k", b, 2, 6, 1, 10, T0.plusSeconds(10));
        assertThat(o.replicas()).isEqualTo(2);
        assertThat(o.ableReason()).isEqualTo("ScaleUpStabilized");
        assertThat(n.normalize("k", b, 2, 6, 1, 10, T0.plusSeconds(75)).replicas()).isEqualTo(6);
    }
}
