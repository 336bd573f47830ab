package io.kube4j.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;

/** Node eligibility ({@code NodeShouldRunDaemonPod}) and the RollingUpdate arithmetic. */
class DaemonSetEligibilityAndUpdateTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static Node node(String name, Map<String, String> labels) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().withNewSpec()
                .endSpec().build();
    }

    @Test
    void nodeSelectorAndRequiredAffinityDecideEligibility() {
        PodSpec spec = new PodSpecBuilder().withNodeSelector(Map.of("disk", "ssd")).withNewAffinity()
                .withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey("zone").withOperator("In").withValues("a", "b").endMatchExpression()
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity()
                .endAffinity().build();
        DaemonPods.addDefaultTolerations(spec);
        assertThat(DaemonPods.shouldRun(spec, node("n1", Map.of("disk", "ssd", "zone", "a"))).shouldRun()).isTrue();
        assertThat(DaemonPods.shouldRun(spec, node("n2", Map.of("disk", "ssd", "zone", "c"))))
                .isEqualTo(new DaemonPods.Eligibility(false, false));
        assertThat(DaemonPods.shouldRun(spec, node("n3", Map.of("zone", "a"))).shouldRun()).isFalse();
    }

    @Test
    void defaultTolerationsLetDaemonsOnUnschedulableAndNotReadyNodes() {
        PodSpec spec = new PodSpec();
        DaemonPods.addDefaultTolerations(spec);
        Node n = new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewSpec()
                .addNewTaint().withKey("node.kubernetes.io/unschedulable").withEffect("NoSchedule").endTaint()
                .addNewTaint().withKey("node.kubernetes.io/not-ready").withEffect("NoExecute").endTaint()
                .endSpec().build();
        assertThat(DaemonPods.shouldRun(spec, n)).isEqualTo(new DaemonPods.Eligibility(true, true));
    }

    @Test
    void pinnedPodNamesItsNodeAndMatchesOnlyIt() {
        PodSpec spec = new PodSpec();
        DaemonPods.pinToNode(spec, "n1");
        assertThat(DaemonPods.targetNode(spec)).isEqualTo("n1");
        assertThat(DaemonPods.nodeSelectorMatches(spec, node("n1", Map.of()))).isTrue();
        assertThat(DaemonPods.nodeSelectorMatches(spec, node("n2", Map.of()))).isFalse();
        spec.setNodeName("bound");
        assertThat(DaemonPods.targetNode(spec)).isEqualTo("bound");
    }

    private static Pod pod(String name, String hash, boolean ready) {
        return new PodBuilder().withNewMetadata().withName(name).withLabels(Map.of("controller-revision-hash", hash))
                .endMetadata().withNewStatus().withPhase("Running").addNewCondition().withType("Ready")
                .withStatus(ready ? "True" : "False").withLastTransitionTime("2025-12-31T00:00:00Z").endCondition()
                .endStatus().build();
    }

    private static DaemonSet ds(IntOrString surge, IntOrString unavailable) {
        return new DaemonSetBuilder().withNewSpec().withNewUpdateStrategy().withType("RollingUpdate")
                .withNewRollingUpdate().withMaxSurge(surge).withMaxUnavailable(unavailable).endRollingUpdate()
                .endUpdateStrategy().endSpec().build();
    }

    @Test
    void limitsRoundPercentagesUpAndNeverBothZero() {
        assertThat(DaemonSetUpdate.limits(ds(new IntOrString(0), new IntOrString("10%")), 5)).containsExactly(0, 1);
        assertThat(DaemonSetUpdate.limits(ds(new IntOrString("25%"), new IntOrString(0)), 5)).containsExactly(2, 0);
        assertThat(DaemonSetUpdate.limits(ds(new IntOrString(0), new IntOrString("0%")), 5)).containsExactly(0, 1);
        assertThat(DaemonSetUpdate.limits(new DaemonSetBuilder().withNewSpec().endSpec().build(), 3))
                .containsExactly(0, 1);
    }

    @Test
    void withoutSurgeDeletesAtMostMaxUnavailableAvailableOldPodsAndAllUnavailableOnes() {
        Map<String, List<Pod>> byNode = new TreeMap<>();
        byNode.put("a", List.of(pod("a-old", "old", true)));
        byNode.put("b", List.of(pod("b-old", "old", true)));
        byNode.put("c", List.of(pod("c-old", "old", false)));
        byNode.put("d", List.of(pod("d-old", "old", true)));
        DaemonSetUpdate.Plan plan = DaemonSetUpdate.plan(byNode, "new", 0, 2, 0, NOW);
        assertThat(plan.nodesToCreate()).isEmpty();
        assertThat(plan.oldPodsToDelete()).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("c-old", "a-old", "b-old");
        // a node still missing its new pod uses up the budget
        byNode.put("a", List.of());
        byNode.put("b", List.of(pod("b-new", "new", false)));
        byNode.put("c", List.of(pod("c-new", "new", true)));
        plan = DaemonSetUpdate.plan(byNode, "new", 0, 2, 0, NOW);
        assertThat(plan.oldPodsToDelete()).isEmpty();
        byNode.put("a", List.of(pod("a-new", "new", true)));
        plan = DaemonSetUpdate.plan(byNode, "new", 0, 2, 0, NOW);
        assertThat(plan.oldPodsToDelete()).extracting(p -> p.getMetadata().getName()).containsExactly("d-old");
    }

    @Test
    void withSurgeStartsNewPodsBesideOldOnesAndDeletesOldOnceNewAvailable() {
        Map<String, List<Pod>> byNode = new TreeMap<>();
        byNode.put("a", List.of(pod("a-old", "old", true)));
        byNode.put("b", List.of(pod("b-old", "old", true)));
        byNode.put("c", List.of(pod("c-old", "old", false)));
        DaemonSetUpdate.Plan plan = DaemonSetUpdate.plan(byNode, "new", 1, 0, 0, NOW);
        assertThat(plan.nodesToCreate()).containsExactly("c", "a");
        assertThat(plan.oldPodsToDelete()).isEmpty();
        byNode.put("a", new ArrayList<>(List.of(pod("a-old", "old", true), pod("a-new", "new", true))));
        plan = DaemonSetUpdate.plan(byNode, "new", 1, 0, 0, NOW);
        assertThat(plan.oldPodsToDelete()).extracting(p -> p.getMetadata().getName()).containsExactly("a-old");
        assertThat(plan.nodesToCreate()).containsExactly("c"); // the surge slot is taken by a
    }

    @Test
    void surplusKeepsOldestOrOldestOfEachKindWithSurge() {
        Pod p1 = pod("p1", "old", true);
        p1.getMetadata().setCreationTimestamp("2026-01-01T00:00:01Z");
        Pod p2 = pod("p2", "new", true);
        p2.getMetadata().setCreationTimestamp("2026-01-01T00:00:02Z");
        Pod p3 = pod("p3", "new", true);
        p3.getMetadata().setCreationTimestamp("2026-01-01T00:00:03Z");
        assertThat(DaemonSetController.surplus(List.of(p3, p2, p1), "new", false)).containsExactly(p2, p3);
        assertThat(DaemonSetController.surplus(List.of(p3, p2, p1), "new", true)).containsExactly(p3);
    }
}
