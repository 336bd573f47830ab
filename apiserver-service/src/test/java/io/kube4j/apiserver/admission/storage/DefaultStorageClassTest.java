package io.kube4j.apiserver.admission.storage;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** DefaultStorageClass (newest default wins, an explicit "" kept) and the protection finalizers at create. */
class DefaultStorageClassTest {

    private static StorageClass sc(String name, boolean dflt, String created) {
        return new StorageClassBuilder().withNewMetadata().withName(name).withCreationTimestamp(created)
                .withAnnotations(dflt ? Map.of(DefaultStorageClass.IS_DEFAULT_CLASS, "true") : Map.of()).endMetadata()
                .withProvisioner("p").build();
    }

    private static PersistentVolumeClaim claim(String storageClass) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName("c").endMetadata().withNewSpec()
                .withStorageClassName(storageClass).endSpec().build();
    }

    @Test
    void aClaimWithoutClassGetsTheNewestDefault() {
        List<StorageClass> classes = List.of(sc("old", true, "2026-01-01T00:00:00Z"), sc("new", true, "2026-02-01T00:00:00Z"),
                sc("newest-not-default", false, "2026-03-01T00:00:00Z"));
        PersistentVolumeClaim c = claim(null);
        DefaultStorageClass.admit(c, classes);
        assertThat(c.getSpec().getStorageClassName()).isEqualTo("new");
    }

    @Test
    void anExplicitClassOrEmptyStringIsKeptAndNoDefaultChangesNothing() {
        PersistentVolumeClaim empty = claim("");
        DefaultStorageClass.admit(empty, List.of(sc("d", true, "2026-01-01T00:00:00Z")));
        assertThat(empty.getSpec().getStorageClassName()).isEmpty();
        PersistentVolumeClaim named = claim("fast");
        DefaultStorageClass.admit(named, List.of(sc("d", true, "2026-01-01T00:00:00Z")));
        assertThat(named.getSpec().getStorageClassName()).isEqualTo("fast");
        PersistentVolumeClaim none = claim(null);
        DefaultStorageClass.admit(none, List.of(sc("x", false, "2026-01-01T00:00:00Z")));
        assertThat(none.getSpec().getStorageClassName()).isNull();
    }

    @Test
    void protectionFinalizersAreAddedOnce() {
        PersistentVolumeClaim c = claim("x");
        StorageObjectInUseProtection.addFinalizer(c, StorageObjectInUseProtection.PVC_PROTECTION);
        StorageObjectInUseProtection.addFinalizer(c, StorageObjectInUseProtection.PVC_PROTECTION);
        assertThat(c.getMetadata().getFinalizers()).containsExactly("kubernetes.io/pvc-protection");
        PersistentVolume pv = new PersistentVolume();
        pv.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
        StorageObjectInUseProtection.addFinalizer(pv, StorageObjectInUseProtection.PV_PROTECTION);
        assertThat(pv.getMetadata().getFinalizers()).containsExactly("kubernetes.io/pv-protection");
    }
}
