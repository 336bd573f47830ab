package io.kube4j.apiserver.admission.storage;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionLookup;
import io.kube4j.apiserver.admission.AdmissionOrder;
import io.kube4j.apiserver.admission.CoreResources;
import io.kube4j.apiserver.admission.MutatingAdmissionPlugin;
import io.kube4j.security.UserInfo;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Mono;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' {@code DefaultStorageClass} admission plugin: a new PersistentVolumeClaim that names no class
 * ({@code storageClassName} absent; an empty string means "no class" and is kept) gets the default StorageClass, the
 * one annotated {@code storageclass.kubernetes.io/is-default-class: "true"}. With several defaults the newest wins
 * (Kubernetes 1.28+), so adding a new default never needs the old one edited first. Classes are read from the
 * apiserver's watch cache, as Kubernetes reads its informer.
 */
@Order(AdmissionOrder.DEFAULT_STORAGE_CLASS)
public final class DefaultStorageClass implements MutatingAdmissionPlugin {

    public static final String IS_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
    static final String BETA_IS_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class";

    private final AdmissionLookup lookup;

    public DefaultStorageClass(AdmissionLookup lookup) {
        this.lookup = lookup;
    }

    @Override
    public String name() {
        return "DefaultStorageClass";
    }

    @Override
    public boolean appliesTo(AdmissionAttributes.Operation op, ResourceType type, String subresource, UserInfo user) {
        return op == AdmissionAttributes.Operation.CREATE && subresource.isEmpty()
                && CoreResources.isCore(type, "persistentvolumeclaims");
    }

    @Override
    public Mono<HasMetadata> admit(AdmissionAttributes attributes) {
        if (attributes.object() instanceof PersistentVolumeClaim pvc) {
            List<StorageClass> classes = lookup.listCached(lookup.type("storage.k8s.io", "v1", "storageclasses"), null);
            admit(pvc, classes);
        }
        return Mono.justOrEmpty(attributes.object());
    }

    /** Sets the default class of {@code classes} on {@code pvc} when it names none. */
    public static void admit(PersistentVolumeClaim pvc, List<StorageClass> classes) {
        if (pvc.getSpec() == null) {
            pvc.setSpec(new PersistentVolumeClaimSpec());
        }
        Map<String, String> ann = pvc.getMetadata().getAnnotations();
        if (pvc.getSpec().getStorageClassName() != null
                || ann != null && ann.containsKey("volume.beta.kubernetes.io/storage-class")) {
            return;
        }
        StorageClass dflt = defaultClass(classes);
        if (dflt != null) {
            pvc.getSpec().setStorageClassName(dflt.getMetadata().getName());
        }
    }

    /** The default class: annotated as such, the newest first, then by name (Kubernetes' {@code GetDefaultClass}). */
    public static StorageClass defaultClass(List<StorageClass> classes) {
        return classes.stream().filter(DefaultStorageClass::isDefault)
                .max(Comparator.comparing((StorageClass c) -> String.valueOf(c.getMetadata().getCreationTimestamp()))
                        .thenComparing(c -> c.getMetadata().getName(), Comparator.reverseOrder()))
                .orElse(null);
    }

    public static boolean isDefault(StorageClass c) {
        Map<String, String> ann = c.getMetadata().getAnnotations();
        return ann != null && ("true".equals(ann.get(IS_DEFAULT_CLASS)) || "true".equals(ann.get(BETA_IS_DEFAULT_CLASS)));
    }
}
