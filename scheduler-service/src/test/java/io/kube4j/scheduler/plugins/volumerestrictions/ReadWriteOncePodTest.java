package io.kube4j.scheduler.plugins.volumerestrictions;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.volumebinding.VolumeObjects;
import org.junit.jupiter.api.Test;

/** VolumeRestrictions' ReadWriteOncePod check: one pod per such claim, cluster-wide. */
class ReadWriteOncePodTest {

    private final Map<String, PersistentVolumeClaim> claims = Map.of(
            "ns/solo", claim("solo", "ReadWriteOncePod"), "ns/shared", claim("shared", "ReadWriteOnce"));
    private final VolumeRestrictions plugin = new VolumeRestrictions(new VolumeObjects() {
        @Override
        public PersistentVolumeClaim claim(String namespace, String name) {
            return claims.get(namespace + "/" + name);
        }

        @Override
        public PersistentVolume volume(String name) {
            return null;
        }

        @Override
        public List<PersistentVolume> volumes() {
            return List.of();
        }

        @Override
        public StorageClass storageClass(String name) {
            return null;
        }
    });

    @Test
    void aReadWriteOncePodClaimInUseRejectsASecondPod() {
        CycleState st = state(pod("holder", "solo", "ns"));
        Status s = plugin.preFilter(st, pod("second", "solo", "ns"));
        assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(s.message()).isEqualTo(VolumeRestrictions.ERR_REASON_RWOP_CONFLICT);
    }

    @Test
    void otherClaimsAndOtherNamespacesDoNotConflict() {
        assertThat(plugin.preFilter(state(pod("holder", "shared", "ns")), pod("second", "shared", "ns")).isRejected())
                .isFalse();
        assertThat(plugin.preFilter(state(pod("holder", "solo", "other")), pod("second", "solo", "ns")).isRejected())
                .isFalse();
        assertThat(plugin.preFilter(state(), pod("first", "solo", "ns")).isRejected()).isFalse();
    }

    private static CycleState state(Pod... assigned) {
        CycleState st = new CycleState();
        st.setSnapshot(Snapshot.of(List.of(NodeInfo.of(node("n1"), assigned))));
        return st;
    }

    private static PersistentVolumeClaim claim(String name, String mode) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace("ns").withName(name).endMetadata()
                .withNewSpec().withAccessModes(mode).endSpec().build();
    }

    private static Pod pod(String name, String claim, String ns) {
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata().withNewSpec()
                .withNodeName("n1").addNewVolume().withName("d").withNewPersistentVolumeClaim().withClaimName(claim)
                .endPersistentVolumeClaim().endVolume().endSpec().build();
    }
}
