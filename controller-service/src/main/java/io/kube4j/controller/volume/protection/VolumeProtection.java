package io.kube4j.controller.volume.protection;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What the two storage-protection controllers decide: which claims a pod uses, and the finalizer edits. */
public final class VolumeProtection {

    public static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";
    public static final String PV_PROTECTION = "kubernetes.io/pv-protection";

    private VolumeProtection() {
    }

    /**
     * The claims {@code pod} uses: its {@code persistentVolumeClaim} volumes and the claims of its generic ephemeral
     * volumes ({@code <pod>-<volume>}). Empty for a pod that has terminated (Succeeded or Failed): it holds nothing.
     */
    public static Set<String> claimsInUse(Pod pod) {
        Set<String> out = new LinkedHashSet<>();
        if (pod.getSpec() == null || pod.getSpec().getVolumes() == null || isTerminated(pod)) {
            return out;
        }
        for (Volume v : pod.getSpec().getVolumes()) {
            if (v.getPersistentVolumeClaim() != null && v.getPersistentVolumeClaim().getClaimName() != null) {
                out.add(v.getPersistentVolumeClaim().getClaimName());
            } else if (v.getEphemeral() != null) {
                out.add(pod.getMetadata().getName() + "-" + v.getName());
            }
        }
        return out;
    }

    static boolean isTerminated(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    static boolean hasFinalizer(HasMetadata o, String finalizer) {
        return o.getMetadata().getFinalizers() != null && o.getMetadata().getFinalizers().contains(finalizer);
    }

    static <T extends HasMetadata> T withFinalizer(T o, String finalizer) {
        List<String> f = o.getMetadata().getFinalizers() == null ? new ArrayList<>()
                : new ArrayList<>(o.getMetadata().getFinalizers());
        if (!f.contains(finalizer)) {
            f.add(finalizer);
        }
        o.getMetadata().setFinalizers(f);
        return o;
    }

    static <T extends HasMetadata> T withoutFinalizer(T o, String finalizer) {
        List<String> f = o.getMetadata().getFinalizers() == null ? new ArrayList<>()
                : new ArrayList<>(o.getMetadata().getFinalizers());
        f.remove(finalizer);
        o.getMetadata().setFinalizers(f);
        return o;
    }
}
