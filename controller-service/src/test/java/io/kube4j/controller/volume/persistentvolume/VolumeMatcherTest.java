package io.kube4j.controller.volume.persistentvolume;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which volume a claim gets: smallest fit, class, modes, selector, pre-binding, node affinity; and what is provisioned. */
class VolumeMatcherTest {

    private static PersistentVolume pv(String name, String size, String cls, String... modes) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).withLabels(Map.of("tier", name.startsWith("ssd") ? "ssd" : "hdd"))
                .endMetadata().withNewSpec().withCapacity(Map.of("storage", new Quantity(size))).withAccessModes(modes)
                .withStorageClassName(cls).withNewHostPath().withPath("/x").endHostPath().endSpec()
                .withNewStatus().withPhase("Available").endStatus().build();
    }

    private static PersistentVolumeClaim claim(String size, String cls, String... modes) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace("ns").withName("c").withUid("u1").endMetadata()
                .withNewSpec().withAccessModes(modes).withStorageClassName(cls).withNewResources()
                .withRequests(Map.of("storage", new Quantity(size))).endResources().endSpec().build();
    }

    private static String match(PersistentVolumeClaim c, Node node, boolean delay, PersistentVolume... volumes) {
        PersistentVolume pv = VolumeMatcher.findBestMatch(c, List.of(volumes), node, delay);
        return pv == null ? null : pv.getMetadata().getName();
    }

    @Test
    void theSmallestVolumeThatFitsWins() {
        PersistentVolumeClaim c = claim("2Gi", "", "ReadWriteOnce");
        assertThat(match(c, null, false, pv("a", "10Gi", ""), pv("b", "1Gi", "", "ReadWriteOnce"),
                pv("c", "3Gi", "", "ReadWriteOnce", "ReadOnlyMany"), pv("d", "5Gi", "", "ReadWriteOnce"))).isEqualTo("c");
        assertThat(match(c, null, false, pv("b", "1Gi", "", "ReadWriteOnce"))).isNull();
    }

    @Test
    void classAccessModesAndSelectorMustMatch() {
        assertThat(match(claim("1Gi", "fast", "ReadWriteOnce"), null, false, pv("a", "1Gi", "", "ReadWriteOnce"),
                pv("b", "1Gi", "fast", "ReadWriteOnce"))).isEqualTo("b");
        assertThat(match(claim("1Gi", "", "ReadWriteMany"), null, false, pv("a", "1Gi", "", "ReadWriteOnce"))).isNull();
        PersistentVolumeClaim ssd = claim("1Gi", "", "ReadWriteOnce");
        ssd.getSpec().setSelector(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder().withMatchLabels(Map.of("tier", "ssd")).build());
        assertThat(match(ssd, null, false, pv("hdd1", "1Gi", "", "ReadWriteOnce"), pv("ssd1", "2Gi", "", "ReadWriteOnce")))
                .isEqualTo("ssd1");
    }

    @Test
    void preBoundVolumesAreTakenFirstAndVolumesBoundElsewhereNever() {
        PersistentVolumeClaim c = claim("1Gi", "", "ReadWriteOnce");
        PersistentVolume mine = pv("mine", "5Gi", "", "ReadWriteOnce");
        mine.getSpec().setClaimRef(new io.fabric8.kubernetes.api.model.ObjectReferenceBuilder().withNamespace("ns").withName("c").build());
        PersistentVolume other = pv("other", "1Gi", "", "ReadWriteOnce");
        other.getSpec().setClaimRef(new io.fabric8.kubernetes.api.model.ObjectReferenceBuilder().withNamespace("ns").withName("d").build());
        assertThat(match(c, null, false, other, pv("small", "1Gi", "", "ReadWriteOnce"), mine)).isEqualTo("mine");
        assertThat(match(c, null, false, other)).isNull();
        // a WaitForFirstConsumer claim without a node takes only a pre-bound volume
        assertThat(match(c, null, true, pv("small", "1Gi", "", "ReadWriteOnce"))).isNull();
        assertThat(match(c, null, true, mine)).isEqualTo("mine");
        mine.getSpec().getClaimRef().setUid("someone-else");
        assertThat(match(c, null, false, mine)).isNull();
    }

    @Test
    void withASelectedNodeOnlyVolumesThatNodeReachesMatch() {
        PersistentVolume there = pv("there", "1Gi", "local", "ReadWriteOnce");
        there.getSpec().setNodeAffinity(LocalPathProvisioner.volumeFor(claim("1Gi", "local", "ReadWriteOnce"),
                new StorageClassBuilder().withNewMetadata().withName("local").endMetadata().build(), node("n2", "/d"))
                .getSpec().getNodeAffinity());
        Node n1 = node("n1", "/d");
        Node n2 = node("n2", "/d");
        PersistentVolumeClaim c = claim("1Gi", "local", "ReadWriteOnce");
        assertThat(match(c, n1, true, there)).isNull();
        assertThat(match(c, n2, true, there)).isEqualTo("there");
    }

    @Test
    void theLocalPathVolumeFollowsTheContract() {
        PersistentVolumeClaim c = claim("256Mi", "local-path", "ReadWriteOnce");
        PersistentVolume pv = LocalPathProvisioner.volumeFor(c, LocalPathProvisioner.defaultStorageClass("local-path"),
                node("n1", "/var/lib/kube4j/local-path"));
        assertThat(pv.getMetadata().getName()).isEqualTo("pvc-u1");
        assertThat(pv.getMetadata().getLabels()).containsEntry("kube4j.io/local-path-node", "n1");
        assertThat(pv.getSpec().getHostPath().getPath()).isEqualTo("/var/lib/kube4j/local-path/pvc-u1_ns_c");
        assertThat(pv.getSpec().getHostPath().getType()).isEqualTo("DirectoryOrCreate");
        assertThat(pv.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Delete");
        assertThat(pv.getSpec().getClaimRef().getUid()).isEqualTo("u1");
        assertThat(pv.getSpec().getCapacity()).containsEntry("storage", new Quantity("256Mi"));
        assertThat(LocalPathProvisioner.volumeFor(c, LocalPathProvisioner.defaultStorageClass("local-path"),
                new NodeBuilder().withNewMetadata().withName("bare").endMetadata().build())).isNull();
        assertThat(LocalPathProvisioner.volumeFor(c, LocalPathProvisioner.defaultStorageClass("local-path"),
                node("rel", "relative/dir"))).isNull();
    }

    @Test
    void aNamedVolumeMustStillServeTheClaim() {
        assertThat(VolumeMatcher.mismatch(pv("a", "1Gi", "", "ReadWriteOnce"), claim("2Gi", "", "ReadWriteOnce")))
                .isEqualTo("requested PV is too small");
        assertThat(VolumeMatcher.mismatch(pv("a", "1Gi", "x", "ReadWriteOnce"), claim("1Gi", "", "ReadWriteOnce")))
                .isEqualTo("storageClassName does not match");
        assertThat(VolumeMatcher.mismatch(pv("a", "1Gi", "", "ReadWriteOnce"), claim("1Gi", "", "ReadWriteMany")))
                .isEqualTo("incompatible accessMode");
        assertThat(VolumeMatcher.mismatch(pv("a", "1Gi", "", "ReadWriteOnce"), claim("1Gi", "", "ReadWriteOnce"))).isNull();
    }

    private static Node node(String name, String dir) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(Map.of("kubernetes.io/hostname", name))
                .withAnnotations(Map.of(LocalPathProvisioner.NODE_DIR_ANNOTATION, dir)).endMetadata().build();
    }
}
