package io.kube4j.node.volume;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local-path directory's cleanup: only provisioner-named directories of PVs that are gone. */
class LocalPathVolumesTest {

    @TempDir
    Path dir;

    @Test
    void sweepRemovesOnlyDirectoriesOfMissingVolumes() throws Exception {
        Path kept = Files.createDirectories(dir.resolve("pvc-1_ns_data-web-0"));
        Path orphan = Files.createDirectories(dir.resolve("pvc-2_ns_data-web-1"));
        Files.writeString(orphan.resolve("file"), "x");
        Path foreign = Files.createDirectories(dir.resolve("not-a-volume"));
        Path oneUnderscore = Files.createDirectories(dir.resolve("pvc-3_x"));
        Path file = Files.writeString(dir.resolve("pvc-4_ns_file"), "a file, not a volume");

        assertThat(LocalPathVolumes.sweep(dir, Set.of("pvc-1"))).containsExactly(orphan);

        assertThat(kept).isDirectory();
        assertThat(orphan).doesNotExist();
        assertThat(foreign).isDirectory();
        assertThat(oneUnderscore).isDirectory();
        assertThat(file).exists();
    }

    @Test
    void sweepOfAMissingDirectoryDoesNothing() {
        assertThat(LocalPathVolumes.sweep(dir.resolve("absent"), Set.of())).isEmpty();
    }

    @Test
    void deletedVolumeDirectoryIsRemovedOnlyWhenItIsOurs() throws Exception {
        LocalPathVolumes lp = new LocalPathVolumes(dir, "n1", null);
        Path d = Files.createDirectories(dir.resolve("pvc-1_ns_data"));
        Path outside = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-other").resolve("pvc-1_ns_data"));

        assertThat(lp.removeVolumeDir(pv("pvc-1", "n2", d))).as("another node's PV").isFalse();
        assertThat(lp.removeVolumeDir(pv("pvc-9", "n1", d))).as("a directory named after another PV").isFalse();
        assertThat(lp.removeVolumeDir(pv("pvc-1", "n1", outside))).as("outside the local-path dir").isFalse();
        assertThat(d).isDirectory();
        assertThat(outside).isDirectory();

        assertThat(lp.removeVolumeDir(pv("pvc-1", "n1", d))).isTrue();
        assertThat(d).doesNotExist();
    }

    @Test
    void pvNameComesFromTheProvisionersDirectoryName() {
        assertThat(LocalPathVolumes.pvName("pvc-abc_ns_claim_with_underscores")).isEqualTo("pvc-abc");
        assertThat(LocalPathVolumes.pvName("plain")).isNull();
        assertThat(LocalPathVolumes.pvName("_ns_x")).isNull();
    }

    private static PersistentVolume pv(String name, String node, Path path) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name)
                .addToLabels(LocalPathVolumes.NODE_LABEL, node).endMetadata()
                .withNewSpec().withNewHostPath().withPath(path.toString()).withType("DirectoryOrCreate").endHostPath()
                .endSpec().build();
    }
}
