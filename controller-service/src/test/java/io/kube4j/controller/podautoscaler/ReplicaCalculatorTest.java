package io.kube4j.controller.podautoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.controller.podautoscaler.ReplicaCalculator.CalculationException;
import io.kube4j.controller.podautoscaler.ReplicaCalculator.Recommendation;
import org.junit.jupiter.api.Test;

/** Cases of Kubernetes' replica_calculator_test.go (resource metrics), on pods and metrics built in memory. */
class ReplicaCalculatorTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Instant LONG_AGO = NOW.minus(Duration.ofMinutes(10));
    private final ReplicaCalculator calc = new ReplicaCalculator(0.1, Duration.ofMinutes(5), Duration.ofSeconds(30));

    private final List<Pod> pods = new ArrayList<>();
    private final Map<String, PodMetric> metrics = new HashMap<>();

    /** A running pod started long ago and ready since then, requesting {@code requestMilli} cpu, using {@code usedMilli}. */
    private void pod(String name, long requestMilli, Long usedMilli) {
        pod(name, "Running", requestMilli, usedMilli, LONG_AGO, "True", LONG_AGO);
    }

    private void pod(String name, String phase, long requestMilli, Long usedMilli, Instant start, String ready,
            Instant readySince) {
        pods.add(new PodBuilder().withNewMetadata().withName(name).withNamespace("ns").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withNewResources()
                .addToRequests("cpu", new Quantity(requestMilli + "m")).addToRequests("memory", new Quantity("64Mi"))
                .endResources().endContainer().endSpec()
                .withNewStatus().withPhase(phase).withStartTime(start.toString())
                .addNewCondition().withType("Ready").withStatus(ready).withLastTransitionTime(readySince.toString())
                .endCondition().endStatus().build());
        if (usedMilli != null) {
            metrics.put(name, new PodMetric(usedMilli, NOW.minusSeconds(5), Duration.ofSeconds(15)));
        }
    }

    private Recommendation cpu(int current, int target) throws CalculationException {
        return calc.utilizationReplicas(current, target, "cpu", null, pods, metrics, NOW);
    }

    @Test
    void scalesUpToTheRatioOfUsageToTarget() throws Exception {
        pod("a", 1000, 300L);
        pod("b", 1000, 500L);
        pod("c", 1000, 700L);
        Recommendation r = cpu(3, 30);
        assertThat(r.replicas()).isEqualTo(5); // 50 % / 30 % × 3 = 5
        assertThat(r.utilization()).isEqualTo(50);
        assertThat(r.averageMilli()).isEqualTo(500);
    }

    @Test
    void scalesDown() throws Exception {
        pod("a", 1000, 100L);
        pod("b", 1000, 300L);
        pod("c", 1000, 500L);
        pod("d", 1000, 250L);
        pod("e", 1000, 250L);
        assertThat(cpu(5, 50).replicas()).isEqualTo(3); // 28 % / 50 % × 5 = 2.8
    }

    @Test
    void withinToleranceKeepsTheCount() throws Exception {
        pod("a", 1000, 1010L);
        pod("b", 1000, 1030L);
        pod("c", 1000, 1020L);
        assertThat(cpu(3, 100).replicas()).isEqualTo(3); // 102 %: within 10 %
    }

    @Test
    void unreadyPodsCountAsUsingNothingOnAScaleUp() throws Exception {
        pod("a", 1000, 300L);
        pod("b", 1000, 500L);
        pod("c", "Pending", 1000, null, LONG_AGO, "False", LONG_AGO);
        // ready pods alone: 40 % / 30 % → 1.33; with the pending one at 0: 800/3000 = 26 % < 30 % → no scale up
        assertThat(cpu(3, 30).replicas()).isEqualTo(3);
    }

    @Test
    void cpuOfAPodStillInitialisingIsNotTrusted() throws Exception {
        pod("a", 1000, 900L);
        // started a minute ago, became ready 2 s ago: its sample overlaps the start-up, so it is unready
        pod("b", "Running", 1000, 900L, NOW.minusSeconds(60), "True", NOW.minusSeconds(2));
        Recommendation r = cpu(2, 50);
        // a alone is 90 %, b counts as 0: (900 + 0) / 2000 = 45 % < 50 %, reversing the direction → no change
        assertThat(r.replicas()).isEqualTo(2);
        assertThat(r.utilization()).isEqualTo(90);
    }

    @Test
    void missingMetricsAreAssumedAtTargetOnAScaleDown() throws Exception {
        pod("a", 1000, 100L);
        pod("b", 1000, 100L);
        pod("c", 1000, null);
        // ready: 10 % of 50 %; c assumed at 100 % (max(target, 100)) → (100+100+1000)/3000 = 40 % → ceil(0.8 × 3) = 3
        assertThat(cpu(3, 50).replicas()).isEqualTo(3);
        metrics.clear();
        pods.clear();
        pod("a", 1000, 0L);
        pod("b", 1000, 0L);
        pod("c", 1000, 0L);
        pod("d", 1000, null);
        // (0+0+0+1000)/4000 = 25 % of 50 % → ceil(0.5 × 4) = 2
        assertThat(cpu(4, 50).replicas()).isEqualTo(2);
    }

    @Test
    void missingMetricsAreAssumedZeroOnAScaleUp() throws Exception {
        pod("a", 1000, 900L);
        pod("b", 1000, 900L);
        pod("c", 1000, null);
        // ready 90 % of 50 %; with c at 0: 60 % of 50 % → ceil(1.2 × 3) = 4
        assertThat(cpu(3, 50).replicas()).isEqualTo(4);
    }

    @Test
    void deletedAndFailedPodsAreIgnored() throws Exception {
        pod("a", 1000, 1000L);
        pod("b", "Failed", 1000, 0L, LONG_AGO, "False", LONG_AGO);
        assertThat(cpu(2, 50).replicas()).isEqualTo(2); // 100 % of 50 % on the one live pod
    }

    @Test
    void averageValueTargetsUseTheMeanUsage() throws Exception {
        pod("a", 1000, 200L);
        pod("b", 1000, 400L);
        Recommendation r = calc.averageValueReplicas(2, 100, "cpu", pods, metrics, NOW);
        assertThat(r.replicas()).isEqualTo(6); // mean 300m of 100m × 2
        assertThat(r.utilization()).isEqualTo(-1);
        assertThat(r.averageMilli()).isEqualTo(300);
    }

    @Test
    void memoryIsNotSubjectToCpuInitialisation() throws Exception {
        pods.add(new PodBuilder().withNewMetadata().withName("m").endMetadata().withNewSpec().addNewContainer()
                .withName("c").withNewResources().addToRequests("memory", new Quantity("100Mi")).endResources()
                .endContainer().endSpec().withNewStatus().withPhase("Running").withStartTime(NOW.toString())
                .endStatus().build());
        metrics.put("m", new PodMetric(200L * 1024 * 1024 * 1000, NOW, Duration.ofSeconds(15)));
        Recommendation r = calc.utilizationReplicas(1, 50, "memory", null, pods, metrics, NOW);
        assertThat(r.utilization()).isEqualTo(200);
        assertThat(r.replicas()).isEqualTo(4);
    }

    @Test
    void errorsAsKubernetes() {
        assertThatThrownBy(() -> cpu(1, 50)).isInstanceOf(CalculationException.class)
                .hasMessage("no pods returned by selector while calculating replica count");
        pod("a", "Pending", 1000, 500L, LONG_AGO, "False", LONG_AGO);
        assertThatThrownBy(() -> cpu(1, 50))
                .hasMessage("did not receive metrics for targeted pods (pods might be unready)");
        pods.clear();
        pods.add(new PodBuilder().withNewMetadata().withName("x").endMetadata().withNewSpec().addNewContainer()
                .withName("nocpu").endContainer().endSpec().withNewStatus().withPhase("Running")
                .withStartTime(LONG_AGO.toString()).addNewCondition().withType("Ready").withStatus("True")
                .withLastTransitionTime(LONG_AGO.toString()).endCondition().endStatus().build());
        metrics.put("x", new PodMetric(10, NOW, Duration.ofSeconds(15)));
        assertThatThrownBy(() -> cpu(1, 50)).hasMessage("missing request for cpu in container nocpu of Pod x");
    }
}
