package io.kube4j.controller.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.api.Test;

class PodTemplateHashTest {

    @Test
    void sameTemplateSameHashAcrossCopiesAndDecoding() {
        PodTemplateSpec t = Fixtures.template("img:1");
        String h = PodTemplateHash.compute(t, null);
        PodTemplateSpec roundTripped = Codecs.fromJson(Codecs.toJson(t), PodTemplateSpec.class);
        assertThat(PodTemplateHash.compute(roundTripped, null)).isEqualTo(h);
        // Label order and empty collections do not matter (Go's omitempty view of the template).
        PodTemplateSpec reordered = Fixtures.template("img:1");
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        labels.put("z", "1");
        labels.put("app", "web");
        t.getMetadata().setLabels(new HashMap<>(Map.of("app", "web", "z", "1")));
        reordered.getMetadata().setLabels(labels);
        reordered.getSpec().setVolumes(new java.util.ArrayList<>());
        assertThat(PodTemplateHash.compute(reordered, null)).isEqualTo(PodTemplateHash.compute(t, null));
    }

    @Test
    void pinnedValueDoesNotDriftBetweenReleases() {
        // A changed hash would make every Deployment roll out again after an upgrade of the controller.
        String h = PodTemplateHash.compute(Fixtures.template("img:1"), null);
        assertThat(h).matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}").isEqualTo(PINNED);
    }

    static final String PINNED = "79d5cb5964";

    @Test
    void templateChangesAndCollisionCountChangeTheHash() {
        String h = PodTemplateHash.compute(Fixtures.template("img:1"), null);
        assertThat(PodTemplateHash.compute(Fixtures.template("img:2"), null)).isNotEqualTo(h);
        String c1 = PodTemplateHash.compute(Fixtures.template("img:1"), 1);
        assertThat(c1).isNotEqualTo(h);
        assertThat(PodTemplateHash.compute(Fixtures.template("img:1"), 2)).isNotEqualTo(c1).isNotEqualTo(h);
        // collisionCount 0 still appends its bytes, as Kubernetes (a non-nil pointer to 0).
        assertThat(PodTemplateHash.compute(Fixtures.template("img:1"), 0)).isNotEqualTo(h);
    }

    @Test
    void safeEncodeUsesKubernetesAlphabet() {
        // rand.SafeEncodeString maps each byte b to alphanums[b % 27]: '0' (48) -> 21 -> '4', '9' (57) -> 3 -> 'f'.
        assertThat(PodTemplateHash.safeEncode("0")).isEqualTo("4");
        assertThat(PodTemplateHash.safeEncode("9")).isEqualTo("f");
        assertThat(PodTemplateHash.safeEncode("1234567890")).hasSize(10);
    }
}
