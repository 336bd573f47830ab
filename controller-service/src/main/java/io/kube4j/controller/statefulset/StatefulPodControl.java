package io.kube4j.controller.statefulset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/**
 * The side effects of the StatefulSet controller on pods and their claims, as Kubernetes'
 * {@code StatefulPodControlInterface}; calls block and throw the apiserver's error. Unit tests record them instead.
 */
public interface StatefulPodControl {

    /** Creates the pod's missing claims, then the pod ({@code CreateStatefulPod}); sets the claims' retention refs. */
    void createPod(StatefulSet set, Pod pod);

    /** Restores the pod's identity and storage and writes it ({@code UpdateStatefulPod}); fixes claim retention. */
    void updatePod(StatefulSet set, Pod pod);

    /** Deletes the pod ({@code DeleteStatefulPod}). */
    void deletePod(StatefulSet set, Pod pod);

    /** Creates any claim of the pod that does not exist (a pending pod waits on them). */
    void createMissingClaims(StatefulSet set, Pod pod);

    /** Whether the owner references of the pod's claims match the set's PVC retention policy. */
    boolean claimsMatchRetentionPolicy(StatefulSet set, Pod pod);

    /** Sets the owner references of the pod's claims as the retention policy says. */
    void updateClaimsForRetentionPolicy(StatefulSet set, Pod pod);

    /**
     * Whether a claim of the (not yet created) pod is still owned by an earlier pod of that ordinal, i.e. about to be
     * garbage collected: the pod must not be created on it ({@code PodClaimIsStale}).
     */
    boolean podClaimIsStale(StatefulSet set, Pod pod);
}
