package io.kube4j.client;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PatchOptionsTest {

    @Test
    void applyCarriesTheManagerAndForceAsKubectlSendsThem() {
        assertThat(PatchOptions.apply("kubectl", false).withFieldValidation("Strict").query())
                .containsExactly(java.util.Map.entry("fieldManager", "kubectl"),
                        java.util.Map.entry("fieldValidation", "Strict"), java.util.Map.entry("force", "false"));
        assertThat(PatchOptions.none().withDryRun(true).query()).containsExactly(java.util.Map.entry("dryRun", "All"));
        assertThat(PatchOptions.none().query()).isEmpty();
    }

    @Test
    void applyNeedsAManager() {
        assertThatThrownBy(() -> PatchOptions.apply(" ", true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mediaTypesAreKubernetes() {
        assertThat(PatchType.STRATEGIC.mediaType()).isEqualTo("application/strategic-merge-patch+json");
        assertThat(PatchType.APPLY.mediaType()).isEqualTo("application/apply-patch+yaml");
    }
}
