package io.kube4j.controller.statefulset;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedIndexInformer;

/**
 * The real {@link StatefulPodControl}: writes through the apiserver, reads claims from the informer cache, and records
 * Kubernetes' events ({@code SuccessfulCreate} "create Pod web-0 in StatefulSet web successful", ...).
 */
public final class ApiStatefulPodControl implements StatefulPodControl {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ResourceClient<Pod> pods;
    private final ResourceClient<PersistentVolumeClaim> claims;
    private final SharedIndexInformer<PersistentVolumeClaim> claimInformer;
    private final EventRecorder recorder;

    public ApiStatefulPodControl(ResourceClient<Pod> pods, ResourceClient<PersistentVolumeClaim> claims,
            SharedIndexInformer<PersistentVolumeClaim> claimInformer, EventRecorder recorder) {
        this.pods = pods;
        this.claims = claims;
        this.claimInformer = claimInformer;
        this.recorder = recorder;
    }

    @Override
    public void createPod(StatefulSet set, Pod pod) {
        createMissingClaims(set, pod);
        Pod created;
        try {
            created = pods.create(pod).block(TIMEOUT);
        } catch (ApiStatusException.AlreadyExists e) {
            throw e; // our cache is behind: the retry sees it, no event (as Kubernetes)
        } catch (RuntimeException e) {
            podEvent("create", set, pod, e);
            throw e;
        }
        podEvent("create", set, pod, null);
        if (created != null) {
            // set the retention references as far as possible now that the pod has a uid
            updateClaimsForRetentionPolicy(set, created);
        }
    }

    @Override
    public void updatePod(StatefulSet set, Pod pod) {
        try {
            pods.updateWithRetry(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), current -> {
                if (!Objects.equals(current.getMetadata().getUid(), pod.getMetadata().getUid())) {
                    return null;
                }
                boolean changed = false;
                if (!StatefulSetPods.identityMatches(set, current)) {
                    StatefulSetPods.updateIdentity(set, current);
                    changed = true;
                }
                if (!StatefulSetPods.storageMatches(set, current)) {
                    createMissingClaims(set, current);
                    StatefulSetPods.updateStorage(set, current);
                    changed = true;
                }
                return changed ? current : null;
            }, false).block(TIMEOUT);
        } catch (ApiStatusException.NotFound e) {
            return;
        } catch (RuntimeException e) {
            podEvent("update", set, pod, e);
            throw e;
        }
        if (!claimsMatchRetentionPolicy(set, pod)) {
            updateClaimsForRetentionPolicy(set, pod);
        }
    }

    @Override
    public void deletePod(StatefulSet set, Pod pod) {
        try {
            pods.delete(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), DeleteOptions.defaults())
                    .block(TIMEOUT);
        } catch (ApiStatusException.NotFound e) {
            return;
        } catch (RuntimeException e) {
            podEvent("delete", set, pod, e);
            throw e;
        }
        podEvent("delete", set, pod, null);
    }

    @Override
    public void createMissingClaims(StatefulSet set, Pod pod) {
        List<RuntimeException> errors = new ArrayList<>();
        for (PersistentVolumeClaim claim : StatefulSetPods.claims(set, StatefulSetPods.ordinal(pod)).values()) {
            PersistentVolumeClaim existing = claimInformer.lister().get(claim.getMetadata().getNamespace(),
                    claim.getMetadata().getName());
            if (existing != null) {
                if (existing.getMetadata().getDeletionTimestamp() != null) {
                    errors.add(new IllegalStateException("pvc " + claim.getMetadata().getName() + " is being deleted"));
                }
                continue;
            }
            try {
                claims.create(claim).block(TIMEOUT);
                claimEvent(set, pod, claim, null);
            } catch (ApiStatusException.AlreadyExists e) {
                // created meanwhile (our cache is behind)
            } catch (RuntimeException e) {
                claimEvent(set, pod, claim, e);
                errors.add(new IllegalStateException("failed to create PVC " + claim.getMetadata().getName() + ": "
                        + e.getMessage(), e));
            }
        }
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
    }

    @Override
    public boolean claimsMatchRetentionPolicy(StatefulSet set, Pod pod) {
        for (PersistentVolumeClaim c : StatefulSetPods.claims(set, StatefulSetPods.ordinal(pod)).values()) {
            PersistentVolumeClaim existing = claimInformer.lister().get(c.getMetadata().getNamespace(),
                    c.getMetadata().getName());
            if (existing != null && !ClaimRetention.matches(set, pod, existing)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void updateClaimsForRetentionPolicy(StatefulSet set, Pod pod) {
        for (PersistentVolumeClaim c : StatefulSetPods.claims(set, StatefulSetPods.ordinal(pod)).values()) {
            try {
                claims.updateWithRetry(c.getMetadata().getNamespace(), c.getMetadata().getName(), current -> {
                    if (ClaimRetention.matches(set, pod, current)) {
                        return null;
                    }
                    current.getMetadata().setOwnerReferences(ClaimRetention.desired(set, pod, current));
                    return current;
                }, false).block(TIMEOUT);
            } catch (ApiStatusException.NotFound e) {
                // not created yet (or gone): nothing to own
            }
        }
    }

    @Override
    public boolean podClaimIsStale(StatefulSet set, Pod pod) {
        for (PersistentVolumeClaim c : StatefulSetPods.claims(set, StatefulSetPods.ordinal(pod)).values()) {
            PersistentVolumeClaim existing = claimInformer.lister().get(c.getMetadata().getNamespace(),
                    c.getMetadata().getName());
            if (existing != null && ClaimRetention.isStale(pod, existing)) {
                return true;
            }
        }
        return false;
    }

    private void podEvent(String verb, StatefulSet set, Pod pod, RuntimeException error) {
        String v = Character.toUpperCase(verb.charAt(0)) + verb.substring(1);
        if (error == null) {
            recorder.event(involved(set), EventRecorder.NORMAL, "Successful" + v, String.format(
                    "%s Pod %s in StatefulSet %s successful", verb, pod.getMetadata().getName(),
                    set.getMetadata().getName()));
        } else {
            recorder.event(involved(set), EventRecorder.WARNING, "Failed" + v, String.format(
                    "%s Pod %s in StatefulSet %s failed error: %s", verb, pod.getMetadata().getName(),
                    set.getMetadata().getName(), error.getMessage()));
        }
    }

    private void claimEvent(StatefulSet set, Pod pod, PersistentVolumeClaim claim, RuntimeException error) {
        if (error == null) {
            recorder.event(involved(set), EventRecorder.NORMAL, "SuccessfulCreate", String.format(
                    "create Claim %s Pod %s in StatefulSet %s success", claim.getMetadata().getName(),
                    pod.getMetadata().getName(), set.getMetadata().getName()));
        } else {
            recorder.event(involved(set), EventRecorder.WARNING, "FailedCreate", String.format(
                    "create Claim %s for Pod %s in StatefulSet %s failed error: %s", claim.getMetadata().getName(),
                    pod.getMetadata().getName(), set.getMetadata().getName(), error.getMessage()));
        }
    }

    /** Informer objects may lack kind/apiVersion; an event needs them. */
    private static HasMetadata involved(StatefulSet set) {
        if (set.getKind() != null && set.getApiVersion() != null) {
            return set;
        }
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setMetadata(set.getMetadata());
        r.setKind(StatefulSetController.KIND);
        r.setApiVersion(StatefulSetController.API_VERSION);
        return r;
    }
}
