package io.kube4j.controller.volume.protection;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which claims a pod holds: its claim volumes and generic ephemeral volumes, nothing once it has terminated. */
class VolumeProtectionTest {

    private static Pod pod(String phase) {
        return new PodBuilder().withNewMetadata().withName("web-0").endMetadata().withNewSpec()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data-web-0").endPersistentVolumeClaim().endVolume()
                .addNewVolume().withName("scratch").withNewEphemeral().endEphemeral().endVolume()
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec().withNewStatus().withPhase(phase).endStatus().build();
    }

    @Test
    void runningPodsHoldTheirClaimsTerminatedOnesNone() {
        assertThat(VolumeProtection.claimsInUse(pod("Running"))).containsExactly("data-web-0", "web-0-scratch");
        assertThat(VolumeProtection.claimsInUse(pod("Pending"))).hasSize(2);
        assertThat(VolumeProtection.claimsInUse(pod("Succeeded"))).isEmpty();
        assertThat(VolumeProtection.claimsInUse(pod("Failed"))).isEmpty();
    }

    @Test
    void finalizersAreAddedAndRemovedIdempotently() {
        Pod p = pod("Running");
        VolumeProtection.withFinalizer(p, "a");
        VolumeProtection.withFinalizer(p, "a");
        assertThat(p.getMetadata().getFinalizers()).containsExactly("a");
        assertThat(VolumeProtection.hasFinalizer(p, "a")).isTrue();
        VolumeProtection.withoutFinalizer(p, "a");
        assertThat(VolumeProtection.hasFinalizer(p, "a")).isFalse();
    }
}
