package io.kube4j.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;

class DaemonPodsTest {

    private static Node node(String key, String effect) {
        return new NodeBuilder().withNewMetadata().withName("n1").endMetadata()
                .withNewSpec().addNewTaint().withKey(key).withEffect(effect).endTaint().endSpec().build();
    }

    @Test
    void defaultTolerationsAddedOnceAndNetworkOnlyForHostNetwork() {
        PodSpec spec = new PodSpecBuilder().addNewToleration().withKey("node.kubernetes.io/not-ready")
                .withOperator("Exists").withEffect("NoExecute").withTolerationSeconds(5L).endToleration().build();
        DaemonPods.addDefaultTolerations(spec);
        assertThat(spec.getTolerations()).hasSize(6);
        assertThat(spec.getTolerations().get(0).getTolerationSeconds()).isEqualTo(5L);
        DaemonPods.addDefaultTolerations(spec);
        assertThat(spec.getTolerations()).hasSize(6);
        PodSpec host = new PodSpecBuilder().withHostNetwork(true).build();
        DaemonPods.addDefaultTolerations(host);
        assertThat(host.getTolerations()).hasSize(7)
                .anyMatch(t -> "node.kubernetes.io/network-unavailable".equals(t.getKey()));
    }

    @Test
    void taintsDecideScheduleAndContinue() {
        PodSpec spec = new PodSpec();
        DaemonPods.addDefaultTolerations(spec);
        assertThat(DaemonPods.taintEligibility(spec, node("dedicated", "NoSchedule")))
                .isEqualTo(new DaemonPods.Eligibility(false, true));
        assertThat(DaemonPods.taintEligibility(spec, node("dedicated", "NoExecute")))
                .isEqualTo(new DaemonPods.Eligibility(false, false));
        assertThat(DaemonPods.taintEligibility(spec, node("dedicated", "PreferNoSchedule")))
                .isEqualTo(new DaemonPods.Eligibility(true, true));
        assertThat(DaemonPods.taintEligibility(spec, node("node.kubernetes.io/unschedulable", "NoSchedule")))
                .isEqualTo(new DaemonPods.Eligibility(true, true));
        assertThat(DaemonPods.taintEligibility(spec, node("node.kubernetes.io/not-ready", "NoExecute")))
                .isEqualTo(new DaemonPods.Eligibility(true, true));
    }

    @Test
    void nodeNameTermPinsByMatchFields() {
        var term = DaemonPods.nodeNameTerm("n1");
        assertThat(term.getMatchFields()).singleElement().satisfies(r -> {
            assertThat(r.getKey()).isEqualTo("metadata.name");
            assertThat(r.getOperator()).isEqualTo("In");
            assertThat(r.getValues()).containsExactly("n1");
        });
    }
}
