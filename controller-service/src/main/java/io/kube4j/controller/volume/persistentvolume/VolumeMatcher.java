package io.kube4j.controller.volume.persistentvolume;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.api.scheduling.NodeSelectors;
import io.kube4j.api.selector.LabelSelector;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which PersistentVolume a claim should get (Kubernetes' {@code pv_util.FindMatchingVolume}): a volume pre-bound to
 * the claim ({@code spec.claimRef}) if it fits, else the smallest Available, unclaimed volume of the claim's class
 * whose capacity covers the request, whose access modes include the claim's, whose labels match the claim's selector,
 * whose volume mode is the claim's and, when a node is given, whose node affinity admits that node. A claim that
 * waits for its first consumer ({@code delayBinding}) and has no node yet only takes a pre-bound volume.
 */
public final class VolumeMatcher {

    private VolumeMatcher() {
    }

    /** The best volume of {@code volumes} for {@code claim}, or null. */
    public static PersistentVolume findBestMatch(PersistentVolumeClaim claim, List<PersistentVolume> volumes,
                                                 Node node, boolean delayBinding) {
        BigDecimal requested = amount(request(claim));
        if (requested == null) {
            return null;
        }
        LabelSelector selector = claim.getSpec().getSelector() == null ? LabelSelector.everything()
                : LabelSelector.from(claim.getSpec().getSelector());
        String claimClass = Objects.requireNonNullElse(claim.getSpec().getStorageClassName(), "");
        List<String> claimModes = claim.getSpec().getAccessModes() == null ? List.of() : claim.getSpec().getAccessModes();
        PersistentVolume best = null;
        BigDecimal bestSize = null;
        for (PersistentVolume pv : volumes) {
            if (pv.getSpec() == null || pv.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            BigDecimal size = amount(pv.getSpec().getCapacity() == null ? null : pv.getSpec().getCapacity().get("storage"));
            if (size == null || size.compareTo(requested) < 0) {
                continue;
            }
            if (!Objects.equals(mode(pv.getSpec().getVolumeMode()), mode(claim.getSpec().getVolumeMode()))) {
                continue;
            }
            List<String> pvModes = pv.getSpec().getAccessModes() == null ? List.of() : pv.getSpec().getAccessModes();
            if (!pvModes.containsAll(claimModes)) {
                continue;
            }
            if (isPreBoundTo(pv, claim)) {
                return pv; // whoever pre-bound it (an administrator, the provisioner for the selected node) chose it
            }
            if (node != null && !nodeAffinityAdmits(pv, node)) {
                continue;
            }
            if (node == null && delayBinding) {
                continue; // the scheduler picks the node first
            }
            if (pv.getSpec().getClaimRef() != null) {
                continue;
            }
            if (pv.getStatus() != null && pv.getStatus().getPhase() != null && !"Available".equals(pv.getStatus().getPhase())
                    && !"Pending".equals(pv.getStatus().getPhase())) {
                continue;
            }
            if (!selector.matches(labels(pv.getMetadata().getLabels()))) {
                continue;
            }
            if (!claimClass.equals(Objects.requireNonNullElse(pv.getSpec().getStorageClassName(), ""))) {
                continue;
            }
            if (best == null || size.compareTo(bestSize) < 0) {
                best = pv;
                bestSize = size;
            }
        }
        return best;
    }

    /**
     * Why {@code pv} cannot serve {@code claim} (Kubernetes' {@code checkVolumeSatisfyClaim} wording), or null: used
     * when the claim names its volume, where the matcher's choice does not apply.
     */
    public static String mismatch(PersistentVolume pv, PersistentVolumeClaim claim) {
        BigDecimal requested = amount(request(claim));
        BigDecimal size = amount(pv.getSpec().getCapacity() == null ? null : pv.getSpec().getCapacity().get("storage"));
        if (requested == null || size == null || size.compareTo(requested) < 0) {
            return "requested PV is too small";
        }
        String claimClass = Objects.requireNonNullElse(claim.getSpec().getStorageClassName(), "");
        if (!claimClass.equals(Objects.requireNonNullElse(pv.getSpec().getStorageClassName(), ""))) {
            return "storageClassName does not match";
        }
        if (!Objects.equals(mode(pv.getSpec().getVolumeMode()), mode(claim.getSpec().getVolumeMode()))) {
            return "incompatible volumeMode";
        }
        List<String> pvModes = pv.getSpec().getAccessModes() == null ? List.of() : pv.getSpec().getAccessModes();
        if (claim.getSpec().getAccessModes() != null && !pvModes.containsAll(claim.getSpec().getAccessModes())) {
            return "incompatible accessMode";
        }
        return null;
    }

    /** The volume's claimRef names this claim (and its UID, when the reference carries one). */
    public static boolean isPreBoundTo(PersistentVolume pv, PersistentVolumeClaim claim) {
        ObjectReference ref = pv.getSpec() == null ? null : pv.getSpec().getClaimRef();
        if (ref == null) {
            return false;
        }
        return Objects.equals(ref.getName(), claim.getMetadata().getName())
                && Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())
                && (ref.getUid() == null || ref.getUid().isEmpty() || ref.getUid().equals(claim.getMetadata().getUid()));
    }

    /** Whether {@code pv}'s required node affinity (if any) admits {@code node}: terms ORed, expressions ANDed. */
    public static boolean nodeAffinityAdmits(PersistentVolume pv, Node node) {
        return pv.getSpec().getNodeAffinity() == null || pv.getSpec().getNodeAffinity().getRequired() == null
                || NodeSelectors.matches(pv.getSpec().getNodeAffinity().getRequired(), node);
    }

    static Quantity request(PersistentVolumeClaim claim) {
        return claim.getSpec() == null || claim.getSpec().getResources() == null
                || claim.getSpec().getResources().getRequests() == null ? null
                : claim.getSpec().getResources().getRequests().get("storage");
    }

    static BigDecimal amount(Quantity q) {
        try {
            return q == null ? null : q.getNumericalAmount();
        } catch (ArithmeticException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String mode(String m) {
        return m == null || m.isEmpty() ? "Filesystem" : m;
    }

    private static Map<String, String> labels(Map<String, String> l) {
        return l == null ? Map.of() : l;
    }
}
