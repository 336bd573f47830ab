package io.kube4j.api.validation;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.defaulting.Defaulting;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** PersistentVolume, PersistentVolumeClaim and StorageClass rules, with Kubernetes' field paths and messages. */
class StorageValidationTest {

    private static final String PV = """
            {"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"pv1"},
             "spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"hostPath":{"path":"/data/pv1"}}}""";
    private static final String PVC = """
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"c","namespace":"default"},
             "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""";
    private static final String SC = """
            {"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"fast"},"provisioner":"example.com/x"}""";

    private static <T extends HasMetadata> T read(String json, Class<T> type) {
        T obj = Codecs.json().readValue(json, type);
        Defaulting.apply(obj);
        return obj;
    }

    private static List<String> errors(HasMetadata obj) {
        ResourceType t = ResourceRegistry.builtin().byType(obj.getClass()).orElseThrow();
        return Validation.validateCreate(t, obj).stream().map(FieldError::message).toList();
    }

    private static List<String> updateErrors(HasMetadata n, HasMetadata o) {
        ResourceType t = ResourceRegistry.builtin().byType(n.getClass()).orElseThrow();
        return Validation.validateUpdate(t, n, o).stream().map(FieldError::message).toList();
    }

    @Test
    void validObjectsPassAndGetKubernetesDefaults() {
        PersistentVolume pv = read(PV, PersistentVolume.class);
        PersistentVolumeClaim pvc = read(PVC, PersistentVolumeClaim.class);
        StorageClass sc = read(SC, StorageClass.class);
        assertThat(errors(pv)).isEmpty();
        assertThat(errors(pvc)).isEmpty();
        assertThat(errors(sc)).isEmpty();
        assertThat(pv.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Retain");
        assertThat(pv.getSpec().getVolumeMode()).isEqualTo("Filesystem");
        assertThat(pv.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(pvc.getSpec().getVolumeMode()).isEqualTo("Filesystem");
        assertThat(pvc.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(sc.getReclaimPolicy()).isEqualTo("Delete");
        assertThat(sc.getVolumeBindingMode()).isEqualTo("Immediate");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"hostPath\":{\"path\":\"/data/pv1\"}|\"nfs\":{\"server\":\"s\",\"path\":\"/x\"},\"hostPath\":{\"path\":\"/data/pv1\"}|spec.nfs: Forbidden: may not specify more than 1 volume type",
            ",\"hostPath\":{\"path\":\"/data/pv1\"}||spec: Required value: must specify a volume type",
            "\"hostPath\":{\"path\":\"/data/pv1\"}|\"local\":{\"path\":\"/mnt/d\"}|metadata.annotations: Required value: Local volume requires node affinity",
            "\"accessModes\":[\"ReadWriteOnce\"]|\"accessModes\":[]|spec.accessModes: Required value",
            "\"accessModes\":[\"ReadWriteOnce\"]|\"accessModes\":[\"Sometimes\"]|spec.accessModes: Unsupported value: \"Sometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
            "\"capacity\":{\"storage\":\"1Gi\"}|\"capacity\":{}|spec.capacity: Required value",
            "\"capacity\":{\"storage\":\"1Gi\"}|\"capacity\":{\"storage\":\"0\"}|spec.capacity[storage]: Invalid value: \"0\": must be greater than zero",
            "\"hostPath\":{\"path\":\"/data/pv1\"}|\"hostPath\":{\"path\":\"\"}|spec.hostPath.path: Required value",
    })
    void invalidVolumes(String from, String to, String message) {
        PersistentVolume pv = read(PV.replace(from, to == null ? "" : to), PersistentVolume.class);
        assertThat(errors(pv)).contains(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"accessModes\":[\"ReadWriteOnce\"]|\"accessModes\":[]|spec.accessModes: Required value: at least 1 access mode is required",
            "\"requests\":{\"storage\":\"1Gi\"}|\"requests\":{}|spec.resources[storage]: Required value",
            "\"requests\":{\"storage\":\"1Gi\"}|\"requests\":{\"storage\":\"-1Gi\"}|spec.resources.requests[storage]: Invalid value: \"-1Gi\": must be greater than zero",
            "\"accessModes\"|\"storageClassName\":\"Bad_Name\",\"accessModes\"|spec.storageClassName: Invalid value: \"Bad_Name\"",
    })
    void invalidClaims(String from, String to, String message) {
        PersistentVolumeClaim pvc = read(PVC.replace(from, to), PersistentVolumeClaim.class);
        assertThat(errors(pvc)).anyMatch(e -> e.startsWith(message));
    }

    @Test
    void claimSpecIsImmutableExceptRequestsAndAFirstVolumeName() {
        PersistentVolumeClaim old = read(PVC, PersistentVolumeClaim.class);
        PersistentVolumeClaim bound = read(PVC.replace("\"accessModes\"", "\"volumeName\":\"pv1\",\"accessModes\""),
                PersistentVolumeClaim.class);
        assertThat(updateErrors(bound, old)).isEmpty();
        PersistentVolumeClaim bigger = read(PVC.replace("1Gi", "2Gi").replace("\"accessModes\"", "\"volumeName\":\"pv1\",\"accessModes\""),
                PersistentVolumeClaim.class);
        assertThat(updateErrors(bigger, bound)).isEmpty();
        assertThat(updateErrors(bound, bigger)).containsExactly(
                "spec.resources.requests.storage: Forbidden: field can not be less than previous value");
        PersistentVolumeClaim rebound = read(PVC.replace("\"accessModes\"", "\"volumeName\":\"pv2\",\"accessModes\""),
                PersistentVolumeClaim.class);
        assertThat(updateErrors(rebound, bound)).singleElement().asString()
                .startsWith("spec: Forbidden: spec is immutable after creation except resources.requests");
        PersistentVolumeClaim rwx = read(PVC.replace("ReadWriteOnce", "ReadWriteMany"), PersistentVolumeClaim.class);
        assertThat(updateErrors(rwx, old)).hasSize(1);
    }

    @Test
    void volumeSourceAndClassFieldsAreImmutable() {
        PersistentVolume pv = read(PV, PersistentVolume.class);
        PersistentVolume moved = read(PV.replace("/data/pv1", "/data/other"), PersistentVolume.class);
        assertThat(updateErrors(moved, pv)).containsExactly(
                "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation");
        PersistentVolume retained = read(PV.replace("\"accessModes\"", "\"persistentVolumeReclaimPolicy\":\"Delete\",\"accessModes\""),
                PersistentVolume.class);
        assertThat(updateErrors(retained, pv)).isEmpty();

        StorageClass sc = read(SC, StorageClass.class);
        StorageClass changed = read(SC.replace("example.com/x", "example.com/y").replace("}", ",\"reclaimPolicy\":\"Retain\","
                + "\"volumeBindingMode\":\"WaitForFirstConsumer\",\"parameters\":{\"a\":\"b\"}}"), StorageClass.class);
        assertThat(updateErrors(changed, sc)).containsExactlyInAnyOrder(
                "parameters: Forbidden: updates to parameters are forbidden.",
                "provisioner: Forbidden: updates to provisioner are forbidden.",
                "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.",
                "volumeBindingMode: Invalid value: \"WaitForFirstConsumer\": field is immutable");
        StorageClass noProvisioner = read(SC.replace(",\"provisioner\":\"example.com/x\"", ""), StorageClass.class);
        assertThat(errors(noProvisioner)).containsExactly("provisioner: Required value");
    }
}
