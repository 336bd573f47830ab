package io.kube4j.addons.logging.collect;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class InformerPodLabelsTest {

    static Pod pod(String name, String uid, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).withUid(uid).withLabels(labels)
                .endMetadata().build();
    }

    @Test
    void deletedPodsAreRememberedForTheirLastLines() {
        InformerPodLabels labels = new InformerPodLabels(1);
        labels.onAdd(pod("a", "u1", Map.of("app", "a")));
        labels.onUpdate(pod("a", "u1", Map.of("app", "a")), pod("a", "u1", Map.of("app", "a2")));
        labels.onDelete(pod("a", "u1", Map.of("app", "a2")), false);
        assertThat(labels.labels("ns", "a", "u1")).contains(Map.of("app", "a2"));
        labels.onAdd(pod("b", "u2", Map.of()));
        labels.onDelete(pod("b", "u2", Map.of()), false);
        assertThat(labels.labels("ns", "a", "u1")).as("only the newest deleted pod is kept").isEmpty();
    }

    @Test
    void aPodTheInformerHasNotDeliveredIsLookedUpAndMustBeTheSamePod() {
        AtomicInteger lookups = new AtomicInteger();
        InformerPodLabels labels = new InformerPodLabels(10, (ns, name) -> {
            lookups.incrementAndGet();
            return Optional.of(pod(name, "u-now", Map.of("app", "web")));
        });
        assertThat(labels.labels("ns", "web", "u-now")).contains(Map.of("app", "web"));
        assertThat(labels.labels("ns", "web", "u-before")).as("a pod of the same name recreated since").isEmpty();
        labels.onAdd(pod("web", "u-now", Map.of("app", "web")));
        assertThat(labels.labels("ns", "web", "u-now")).contains(Map.of("app", "web"));
        assertThat(lookups).hasValue(2);
    }
}
