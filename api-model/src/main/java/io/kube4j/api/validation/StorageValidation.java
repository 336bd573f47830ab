package io.kube4j.api.validation;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.kube4j.api.codec.Codecs;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static io.kube4j.api.validation.Validation.IMMUTABLE;
import static io.kube4j.api.validation.Validation.isEmpty;

/**
 * PersistentVolume, PersistentVolumeClaim and StorageClass rules ({@code ValidatePersistentVolume*},
 * {@code ValidateStorageClass*} in Kubernetes' {@code core/validation} and {@code storage/validation}), with
 * Kubernetes' field paths and messages so that kubectl users see the errors they know.
 */
final class StorageValidation {

    static final List<String> ACCESS_MODES = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod");
    static final List<String> PV_RECLAIM = List.of("Delete", "Recycle", "Retain");
    static final List<String> SC_RECLAIM = List.of("Delete", "Retain");
    static final List<String> BINDING_MODES = List.of("Immediate", "WaitForFirstConsumer");
    static final List<String> VOLUME_MODES = List.of("Block", "Filesystem");
    /** The JSON names of PersistentVolumeSource's members: exactly one of them says where the volume is. */
    static final Set<String> PV_SOURCES = Set.of("awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder",
            "csi", "fc", "flexVolume", "flocker", "gcePersistentDisk", "glusterfs", "hostPath", "iscsi", "local", "nfs",
            "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume");
    static final String PVC_UPDATE_FORBIDDEN =
            "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";

    private StorageValidation() {
    }

    static void validatePersistentVolume(PersistentVolume pv, List<FieldError> errs) {
        PersistentVolumeSpec spec = pv.getSpec() == null ? new PersistentVolumeSpec() : pv.getSpec();
        accessModes(spec.getAccessModes(), "spec.accessModes", errs);
        Map<String, Quantity> capacity = spec.getCapacity();
        if (capacity == null || capacity.isEmpty()) {
            errs.add(FieldError.required("spec.capacity", ""));
        }
        if (capacity == null || !capacity.containsKey("storage") || capacity.size() > 1) {
            errs.add(FieldError.notSupported("spec.capacity", capacity == null ? Map.of() : capacity.keySet(), List.of("storage")));
        } else {
            positive(capacity.get("storage"), "spec.capacity[storage]", errs);
        }
        if (!isEmpty(spec.getPersistentVolumeReclaimPolicy()) && !PV_RECLAIM.contains(spec.getPersistentVolumeReclaimPolicy())) {
            errs.add(FieldError.notSupported("spec.persistentVolumeReclaimPolicy", spec.getPersistentVolumeReclaimPolicy(), PV_RECLAIM));
        }
        if (!isEmpty(spec.getStorageClassName())) {
            for (String msg : NameRules.dns1123Subdomain(spec.getStorageClassName())) {
                errs.add(FieldError.invalid("spec.storageClassName", spec.getStorageClassName(), msg));
            }
        }
        if (!isEmpty(spec.getVolumeMode()) && !VOLUME_MODES.contains(spec.getVolumeMode())) {
            errs.add(FieldError.notSupported("spec.volumeMode", spec.getVolumeMode(), VOLUME_MODES));
        }
        List<String> sources = sources(spec);
        if (sources.isEmpty()) {
            errs.add(FieldError.required("spec", "must specify a volume type"));
        } else if (sources.size() > 1) {
            errs.add(FieldError.forbidden("spec." + sources.get(1), "may not specify more than 1 volume type"));
        }
        if (spec.getHostPath() != null) {
            String path = spec.getHostPath().getPath();
            if (isEmpty(path)) {
                errs.add(FieldError.required("spec.hostPath.path", ""));
            } else if (List.of(path.split("/")).contains("..")) {
                errs.add(FieldError.invalid("spec.hostPath.path", path, "must not contain '..'"));
            }
        }
        boolean nodeAffinity = spec.getNodeAffinity() != null && spec.getNodeAffinity().getRequired() != null
                && spec.getNodeAffinity().getRequired().getNodeSelectorTerms() != null
                && !spec.getNodeAffinity().getRequired().getNodeSelectorTerms().isEmpty();
        if (spec.getNodeAffinity() != null && !nodeAffinity) {
            errs.add(FieldError.required("spec.nodeAffinity.required", ""));
        }
        if (spec.getLocal() != null) {
            if (isEmpty(spec.getLocal().getPath())) {
                errs.add(FieldError.required("spec.local.path", ""));
            }
            if (!nodeAffinity) {
                errs.add(FieldError.required("metadata.annotations", "Local volume requires node affinity"));
            }
        }
        if (spec.getClaimRef() != null) {
            if (isEmpty(spec.getClaimRef().getName())) {
                errs.add(FieldError.required("spec.claimRef.name", ""));
            }
            if (isEmpty(spec.getClaimRef().getNamespace())) {
                errs.add(FieldError.required("spec.claimRef.namespace", ""));
            }
        }
    }

    static void validatePersistentVolumeClaim(PersistentVolumeClaim pvc, List<FieldError> errs) {
        PersistentVolumeClaimSpec spec = pvc.getSpec() == null ? new PersistentVolumeClaimSpec() : pvc.getSpec();
        if (spec.getAccessModes() == null || spec.getAccessModes().isEmpty()) {
            errs.add(FieldError.required("spec.accessModes", "at least 1 access mode is required"));
        } else {
            accessModes(spec.getAccessModes(), "spec.accessModes", errs);
        }
        Quantity storage = spec.getResources() == null || spec.getResources().getRequests() == null ? null
                : spec.getResources().getRequests().get("storage");
        if (storage == null) {
            errs.add(FieldError.required("spec.resources[storage]", ""));
        } else {
            positive(storage, "spec.resources.requests[storage]", errs);
        }
        if (!isEmpty(spec.getStorageClassName())) {
            for (String msg : NameRules.dns1123Subdomain(spec.getStorageClassName())) {
                errs.add(FieldError.invalid("spec.storageClassName", spec.getStorageClassName(), msg));
            }
        }
        if (!isEmpty(spec.getVolumeMode()) && !VOLUME_MODES.contains(spec.getVolumeMode())) {
            errs.add(FieldError.notSupported("spec.volumeMode", spec.getVolumeMode(), VOLUME_MODES));
        }
    }

    static void validateStorageClass(StorageClass sc, List<FieldError> errs) {
        if (isEmpty(sc.getProvisioner())) {
            errs.add(FieldError.required("provisioner", ""));
        } else {
            for (String msg : NameRules.qualifiedName(sc.getProvisioner().toLowerCase())) {
                errs.add(FieldError.invalid("provisioner", sc.getProvisioner(), msg));
            }
        }
        if (!isEmpty(sc.getReclaimPolicy()) && !SC_RECLAIM.contains(sc.getReclaimPolicy())) {
            errs.add(FieldError.notSupported("reclaimPolicy", sc.getReclaimPolicy(), SC_RECLAIM));
        }
        if (isEmpty(sc.getVolumeBindingMode())) {
            errs.add(FieldError.required("volumeBindingMode", ""));
        } else if (!BINDING_MODES.contains(sc.getVolumeBindingMode())) {
            errs.add(FieldError.notSupported("volumeBindingMode", sc.getVolumeBindingMode(), BINDING_MODES));
        }
    }

    static void validatePersistentVolumeUpdate(PersistentVolume n, PersistentVolume o, List<FieldError> errs) {
        PersistentVolumeSpec ns = n.getSpec() == null ? new PersistentVolumeSpec() : n.getSpec();
        PersistentVolumeSpec os = o.getSpec() == null ? new PersistentVolumeSpec() : o.getSpec();
        JsonNode a = sourceTree(ns);
        JsonNode b = sourceTree(os);
        if (!a.equals(b)) {
            errs.add(FieldError.forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation"));
        }
        if (!Objects.equals(ns.getVolumeMode(), os.getVolumeMode())) {
            errs.add(FieldError.invalid("spec.volumeMode", ns.getVolumeMode(), IMMUTABLE));
        }
        if (os.getNodeAffinity() != null && !tree(ns.getNodeAffinity()).equals(tree(os.getNodeAffinity()))) {
            errs.add(FieldError.invalid("spec.nodeAffinity", "", IMMUTABLE));
        }
    }

    static void validatePersistentVolumeClaimUpdate(PersistentVolumeClaim n, PersistentVolumeClaim o, List<FieldError> errs) {
        PersistentVolumeClaimSpec ns = n.getSpec() == null ? new PersistentVolumeClaimSpec() : n.getSpec();
        PersistentVolumeClaimSpec os = o.getSpec() == null ? new PersistentVolumeClaimSpec() : o.getSpec();
        JsonNode a = tree(ns);
        JsonNode b = tree(os);
        if (isEmpty(os.getVolumeName())) {
            remove(a, "volumeName"); // the binder fills it in once
            remove(b, "volumeName");
        }
        for (JsonNode t : List.of(a, b)) {
            if (t.get("resources") instanceof ObjectNode r) {
                r.remove("requests");
            }
            remove(t, "volumeAttributesClassName");
        }
        if (!a.equals(b)) {
            errs.add(FieldError.forbidden("spec", PVC_UPDATE_FORBIDDEN));
        }
        Quantity newSize = requested(ns);
        Quantity oldSize = requested(os);
        if (!isEmpty(os.getVolumeName()) && newSize != null && oldSize != null
                && amount(newSize) != null && amount(oldSize) != null && amount(newSize).compareTo(amount(oldSize)) < 0) {
            errs.add(FieldError.forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
        }
    }

    static void validateStorageClassUpdate(StorageClass n, StorageClass o, List<FieldError> errs) {
        Map<String, String> np = n.getParameters() == null ? Map.of() : n.getParameters();
        Map<String, String> op = o.getParameters() == null ? Map.of() : o.getParameters();
        if (!np.equals(op)) {
            errs.add(FieldError.forbidden("parameters", "updates to parameters are forbidden."));
        }
        if (!Objects.equals(n.getProvisioner(), o.getProvisioner())) {
            errs.add(FieldError.forbidden("provisioner", "updates to provisioner are forbidden."));
        }
        if (!Objects.equals(n.getReclaimPolicy(), o.getReclaimPolicy())) {
            errs.add(FieldError.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
        }
        if (!Objects.equals(n.getVolumeBindingMode(), o.getVolumeBindingMode())) {
            errs.add(FieldError.invalid("volumeBindingMode", n.getVolumeBindingMode(), IMMUTABLE));
        }
    }

    /** The volume sources set on {@code spec}, by their JSON names, sorted. */
    static List<String> sources(PersistentVolumeSpec spec) {
        List<String> out = new ArrayList<>();
        tree(spec).propertyNames().forEach(f -> {
            if (PV_SOURCES.contains(f)) {
                out.add(f);
            }
        });
        out.sort(null);
        return out;
    }

    private static JsonNode sourceTree(PersistentVolumeSpec spec) {
        ObjectNode out = Codecs.json().createObjectNode();
        JsonNode t = tree(spec);
        for (String f : PV_SOURCES) {
            if (t.has(f)) {
                out.set(f, t.get(f));
            }
        }
        return out;
    }

    private static void accessModes(List<String> modes, String field, List<FieldError> errs) {
        if (modes == null || modes.isEmpty()) {
            errs.add(FieldError.required(field, ""));
            return;
        }
        for (String m : modes) {
            if (!ACCESS_MODES.contains(m)) {
                errs.add(FieldError.notSupported(field, m, ACCESS_MODES));
            }
        }
        if (modes.contains("ReadWriteOncePod") && modes.size() > 1) {
            errs.add(FieldError.forbidden(field, "may not use ReadWriteOncePod with other access modes"));
        }
    }

    private static void positive(Quantity q, String field, List<FieldError> errs) {
        BigDecimal v = amount(q);
        if (v == null) {
            errs.add(FieldError.invalid(field, q == null ? "" : q.toString(), "quantities must match the regular expression "
                    + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
        } else if (v.signum() <= 0) {
            errs.add(FieldError.invalid(field, q.toString(), "must be greater than zero"));
        }
    }

    private static BigDecimal amount(Quantity q) {
        try {
            return q == null ? null : q.getNumericalAmount();
        } catch (ArithmeticException | IllegalArgumentException e) {
            return null;
        }
    }

    private static Quantity requested(PersistentVolumeClaimSpec spec) {
        return spec.getResources() == null || spec.getResources().getRequests() == null ? null
                : spec.getResources().getRequests().get("storage");
    }

    private static JsonNode tree(Object value) {
        return value == null ? Codecs.json().nullNode() : Codecs.json().valueToTree(value);
    }

    private static void remove(JsonNode node, String field) {
        if (node instanceof ObjectNode o) {
            o.remove(field);
        }
    }
}
