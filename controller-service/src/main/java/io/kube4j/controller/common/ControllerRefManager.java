package io.kube4j.controller.common;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims objects for one controller object, as Kubernetes' {@code BaseControllerRefManager.ClaimObject}: objects it
 * controls that still match stay (released when they stop matching, unless the owner is being deleted); orphans that
 * match are adopted (after re-checking, once per claim, against the apiserver that the owner still exists and is not
 * being deleted); objects controlled by others are left alone. Adoption and release are compare-and-swap updates that
 * re-read on conflict, and give up when someone else became the controller meanwhile.
 *
 * @param <T> the claimed type (pods for a ReplicaSet, ReplicaSets for a Deployment)
 */
public final class ControllerRefManager<T extends HasMetadata> {

    private static final Logger log = LoggerFactory.getLogger(ControllerRefManager.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ResourceClient<T> client;
    private final HasMetadata owner;
    private final OwnerReference ownerRef;
    private final Predicate<T> matches;
    private final Supplier<Boolean> canAdoptCheck;
    private Boolean canAdopt;

    /**
     * @param canAdopt re-reads the owner from the apiserver (not a cache) and answers whether it still exists with the
     *                 same uid and no deletionTimestamp; called at most once
     */
    public ControllerRefManager(ResourceClient<T> client, HasMetadata owner, String ownerApiVersion, String ownerKind,
            Predicate<T> matches, Supplier<Boolean> canAdopt) {
        this.client = client;
        this.owner = owner;
        this.ownerRef = OwnerReferences.controllerRef(owner, ownerApiVersion, ownerKind);
        this.matches = matches;
        this.canAdoptCheck = canAdopt;
    }

    /** The objects the owner controls after adopting and releasing; objects that vanished meanwhile are left out. */
    public List<T> claim(List<T> candidates) {
        List<T> claimed = new ArrayList<>();
        RuntimeException firstError = null;
        for (T obj : candidates) {
            try {
                T c = claimOne(obj);
                if (c != null) {
                    claimed.add(c);
                }
            } catch (RuntimeException e) {
                if (firstError == null) {
                    firstError = e;
                }
            }
        }
        if (firstError != null) {
            throw firstError; // the reconcile is retried; what was claimed is already written
        }
        return claimed;
    }

    private T claimOne(T obj) {
        OwnerReference ref = OwnerReferences.controllerOf(obj);
        boolean ownerDeleting = owner.getMetadata().getDeletionTimestamp() != null;
        if (ref != null) {
            if (!Objects.equals(ref.getUid(), owner.getMetadata().getUid())) {
                return null; // someone else's
            }
            if (matches.test(obj)) {
                return obj;
            }
            if (ownerDeleting) {
                return null; // the garbage collector deals with it
            }
            release(obj);
            return null;
        }
        if (ownerDeleting || !matches.test(obj) || obj.getMetadata().getDeletionTimestamp() != null) {
            return null;
        }
        if (!canAdopt()) {
            return null;
        }
        return adopt(obj);
    }

    private boolean canAdopt() {
        if (canAdopt == null) {
            canAdopt = Boolean.TRUE.equals(canAdoptCheck.get());
        }
        return canAdopt;
    }

    private T adopt(T obj) {
        String ns = obj.getMetadata().getNamespace();
        String name = obj.getMetadata().getName();
        try {
            T adopted = client.updateWithRetry(ns, name, current -> {
                if (OwnerReferences.controllerOf(current) != null || !Objects.equals(current.getMetadata().getUid(),
                        obj.getMetadata().getUid()) || current.getMetadata().getDeletionTimestamp() != null) {
                    return null; // someone else adopted it, or it is going away: write nothing
                }
                current.getMetadata().setOwnerReferences(
                        OwnerReferences.with(current.getMetadata().getOwnerReferences(), ownerRef));
                return current;
            }, false).block(TIMEOUT);
            if (adopted == null || !OwnerReferences.isControlledBy(adopted, owner.getMetadata().getUid())) {
                return null;
            }
            log.debug("{} {}/{} adopted {}", ownerRef.getKind(), ns, ownerRef.getName(), name);
            return matches.test(adopted) ? adopted : null;
        } catch (ApiStatusException.NotFound e) {
            return null;
        }
    }

    private void release(T obj) {
        String ns = obj.getMetadata().getNamespace();
        String name = obj.getMetadata().getName();
        try {
            client.updateWithRetry(ns, name, current -> {
                if (!OwnerReferences.isControlledBy(current, owner.getMetadata().getUid())) {
                    return null; // no longer ours: nothing to release
                }
                current.getMetadata().setOwnerReferences(OwnerReferences.without(
                        current.getMetadata().getOwnerReferences(), owner.getMetadata().getUid()));
                return current;
            }, false).block(TIMEOUT);
            log.debug("{} {}/{} released {}", ownerRef.getKind(), ns, ownerRef.getName(), name);
        } catch (ApiStatusException.NotFound e) {
            // gone: nothing to release
        }
    }
}
