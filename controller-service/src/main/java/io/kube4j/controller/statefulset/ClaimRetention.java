package io.kube4j.controller.statefulset;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/**
 * {@code spec.persistentVolumeClaimRetentionPolicy} as owner references on the claims, as Kubernetes'
 * {@code updateClaimOwnerRefForSetAndPod}: {@code whenDeleted: Delete} makes the set an owner of its claims (the
 * garbage collector deletes them with the set); {@code whenScaled: Delete} makes a condemned pod (ordinal out of
 * range after a scale-down) the owner of its claims instead, so they go with that pod. {@code Retain} (the default
 * for both) leaves the claims unowned: they outlive pod and set.
 */
final class ClaimRetention {

    static final String DELETE = "Delete";

    private ClaimRetention() {
    }

    static boolean whenDeletedDelete(StatefulSet set) {
        var p = set.getSpec().getPersistentVolumeClaimRetentionPolicy();
        return p != null && DELETE.equals(p.getWhenDeleted());
    }

    static boolean whenScaledDelete(StatefulSet set) {
        var p = set.getSpec().getPersistentVolumeClaimRetentionPolicy();
        return p != null && DELETE.equals(p.getWhenScaled());
    }

    /** The owner references {@code claim} should have for {@code pod} of {@code set}. */
    static List<OwnerReference> desired(StatefulSet set, Pod pod, PersistentVolumeClaim claim) {
        boolean condemned = !StatefulSetPods.inRange(set, StatefulSetPods.ordinal(pod));
        boolean podRef = whenScaledDelete(set) && condemned && pod.getMetadata().getUid() != null;
        boolean setRef = whenDeletedDelete(set) && !(whenScaledDelete(set) && condemned);
        List<OwnerReference> out = new ArrayList<>();
        List<OwnerReference> current = claim.getMetadata().getOwnerReferences() == null ? List.of()
                : claim.getMetadata().getOwnerReferences();
        for (OwnerReference r : current) {
            boolean isSet = Objects.equals(r.getUid(), set.getMetadata().getUid());
            boolean isPod = "Pod".equals(r.getKind()) && Objects.equals(r.getName(), pod.getMetadata().getName());
            if (!isSet && !isPod) {
                out.add(r); // someone else's reference stays
            }
        }
        if (setRef) {
            out.add(new OwnerReferenceBuilder().withApiVersion(StatefulSetController.API_VERSION)
                    .withKind(StatefulSetController.KIND).withName(set.getMetadata().getName())
                    .withUid(set.getMetadata().getUid()).build());
        }
        if (podRef) {
            out.add(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod")
                    .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build());
        }
        return out;
    }

    /** Whether the claim's references already are the desired ones (order aside). */
    static boolean matches(StatefulSet set, Pod pod, PersistentVolumeClaim claim) {
        List<OwnerReference> want = desired(set, pod, claim);
        List<OwnerReference> have = claim.getMetadata().getOwnerReferences() == null ? List.of()
                : claim.getMetadata().getOwnerReferences();
        return want.size() == have.size() && have.stream().allMatch(h -> want.stream().anyMatch(
                w -> Objects.equals(w.getUid(), h.getUid()) && Objects.equals(w.getKind(), h.getKind())));
    }

    /**
     * Whether {@code claim} is owned by a pod of that name other than {@code pod} (a not-yet-created pod has no uid,
     * so any pod reference is stale).
     */
    static boolean isStale(Pod pod, PersistentVolumeClaim claim) {
        List<OwnerReference> refs = claim.getMetadata().getOwnerReferences();
        if (refs == null) {
            return false;
        }
        for (OwnerReference r : refs) {
            if ("Pod".equals(r.getKind()) && !Objects.equals(r.getUid(), pod.getMetadata().getUid())) {
                return true;
            }
        }
        return false;
    }
}
