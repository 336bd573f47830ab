package io.kube4j.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

class AssumedPodTest {

    private static Pod pod() {
        return new PodBuilder().withNewMetadata().withName("web").withNamespace("ns").withUid("u1")
                .withLabels(Map.of("app", "web")).endMetadata()
                .withNewSpec().withSchedulerName("default-scheduler").withPriority(10)
                .withNodeSelector(Map.of("disk", "ssd"))
                .addNewToleration().withKey("k").withOperator("Exists").endToleration()
                .addNewContainer().withName("c").withImage("img").withNewResources()
                .withRequests(Map.of("cpu", new Quantity("250m"))).endResources().endContainer()
                .endSpec().withNewStatus().withPhase("Pending").endStatus().build();
    }

    @Test
    void equalsTheDeepCopyWithTheNodeNameSet() {
        Pod pod = pod();
        pod.getSpec().setAdditionalProperty("x-extra", "kept");
        Pod expected = new PodBuilder(pod).editSpec().withNodeName("node-1").endSpec().build();

        Pod assumed = AssumedPod.of(pod, "node-1");

        assertThat(assumed).isEqualTo(expected);
        assertThat(assumed.getSpec().getNodeName()).isEqualTo("node-1");
        assertThat(assumed.getSpec().getAdditionalProperties()).containsEntry("x-extra", "kept");
    }

    @Test
    void leavesTheOriginalUnassigned() {
        Pod pod = pod();
        Pod before = new PodBuilder(pod).build();

        Pod assumed = AssumedPod.of(pod, "node-1");
        assumed.getSpec().setAdditionalProperty("only-on-copy", true);

        assertThat(pod).isEqualTo(before);
        assertThat(pod.getSpec().getNodeName()).isNull();
        assertThat(pod.getSpec().getAdditionalProperties()).doesNotContainKey("only-on-copy");
    }
}
