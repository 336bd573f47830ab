package io.kube4j.apiserver.admission.storage;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionOrder;
import io.kube4j.apiserver.admission.CoreResources;
import io.kube4j.apiserver.admission.MutatingAdmissionPlugin;
import io.kube4j.security.UserInfo;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' {@code StorageObjectInUseProtection} admission plugin: every new PersistentVolumeClaim gets the
 * finalizer {@code kubernetes.io/pvc-protection} and every new PersistentVolume {@code kubernetes.io/pv-protection}.
 * A delete then only marks the object; the controller manager's pvc-protection / pv-protection controllers remove
 * the finalizer once no pod uses the claim (no claim is bound to the volume), so storage is never pulled out from
 * under a running pod.
 */
@Order(AdmissionOrder.STORAGE_OBJECT_IN_USE_PROTECTION)
public final class StorageObjectInUseProtection implements MutatingAdmissionPlugin {

    public static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";
    public static final String PV_PROTECTION = "kubernetes.io/pv-protection";

    @Override
    public String name() {
        return "StorageObjectInUseProtection";
    }

    @Override
    public boolean appliesTo(AdmissionAttributes.Operation op, ResourceType type, String subresource, UserInfo user) {
        return op == AdmissionAttributes.Operation.CREATE && subresource.isEmpty()
                && (CoreResources.isCore(type, "persistentvolumeclaims") || CoreResources.isCore(type, "persistentvolumes"));
    }

    @Override
    public Mono<HasMetadata> admit(AdmissionAttributes attributes) {
        HasMetadata obj = attributes.object();
        if (obj instanceof PersistentVolumeClaim) {
            addFinalizer(obj, PVC_PROTECTION);
        } else if (obj instanceof PersistentVolume) {
            addFinalizer(obj, PV_PROTECTION);
        }
        return Mono.justOrEmpty(obj);
    }

    static void addFinalizer(HasMetadata obj, String finalizer) {
        List<String> f = obj.getMetadata().getFinalizers() == null ? new ArrayList<>()
                : new ArrayList<>(obj.getMetadata().getFinalizers());
        if (!f.contains(finalizer)) {
            f.add(finalizer);
            obj.getMetadata().setFinalizers(f);
        }
    }
}
