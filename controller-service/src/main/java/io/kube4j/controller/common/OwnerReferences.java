package io.kube4j.controller.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Reading and writing {@code metadata.ownerReferences}, as Kubernetes' {@code metav1.GetControllerOf} and friends. */
public final class OwnerReferences {

    private OwnerReferences() {
    }

    /** The reference with {@code controller: true}, or null. */
    public static OwnerReference controllerOf(HasMetadata obj) {
        List<OwnerReference> refs = obj.getMetadata().getOwnerReferences();
        if (refs == null) {
            return null;
        }
        for (OwnerReference r : refs) {
            if (Boolean.TRUE.equals(r.getController())) {
                return r;
            }
        }
        return null;
    }

    /** Whether {@code obj}'s controller is the object with {@code ownerUid}. */
    public static boolean isControlledBy(HasMetadata obj, String ownerUid) {
        OwnerReference r = controllerOf(obj);
        return r != null && Objects.equals(r.getUid(), ownerUid);
    }

    /**
     * A controller reference to {@code owner} ({@code controller} and {@code blockOwnerDeletion} true, as the workload
     * controllers set it). {@code apiVersion}/{@code kind} are given because informer objects may lack them.
     */
    public static OwnerReference controllerRef(HasMetadata owner, String apiVersion, String kind) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind)
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    /** {@code refs} with {@code ref} added (a reference to the same uid is replaced). */
    public static List<OwnerReference> with(List<OwnerReference> refs, OwnerReference ref) {
        List<OwnerReference> out = without(refs, ref.getUid());
        out.add(ref);
        return out;
    }

    /** {@code refs} without any reference to {@code uid} (a new list). */
    public static List<OwnerReference> without(List<OwnerReference> refs, String uid) {
        List<OwnerReference> out = new ArrayList<>();
        if (refs != null) {
            for (OwnerReference r : refs) {
                if (!Objects.equals(r.getUid(), uid)) {
                    out.add(r);
                }
            }
        }
        return out;
    }
}
