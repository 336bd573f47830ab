package io.kube4j.controller.deployment;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;

/**
 * Every write the Deployment controller makes, behind one narrow interface (Kubernetes' {@code RSControlInterface}
 * plus the Deployment client and the event recorder), so the rollout logic runs against a recording fake in unit
 * tests. Updates are compare-and-swap on the given object's resourceVersion: a stale decision fails with a conflict
 * and the sync is retried from fresh caches, never forced through.
 */
public interface DeploymentWriter {

    /** Creates {@code rs}; {@link io.kube4j.client.ApiStatusException.AlreadyExists} when the name is taken. */
    ReplicaSet createReplicaSet(ReplicaSet rs);

    /** Replaces {@code rs} (spec and metadata) if its resourceVersion is current. */
    ReplicaSet updateReplicaSet(ReplicaSet rs);

    /** Deletes {@code rs} (precondition: its uid); a ReplicaSet already gone is not an error. */
    void deleteReplicaSet(ReplicaSet rs);

    /** Writes {@code d}'s status if its resourceVersion is current. */
    Deployment updateStatus(Deployment d);

    /** Writes {@code d}'s metadata (the revision annotation) if its resourceVersion is current. */
    Deployment updateMetadata(Deployment d);

    /** The informer's copy of a ReplicaSet (after a create found the name taken), or null. */
    ReplicaSet cachedReplicaSet(String namespace, String name);

    /** Records a core/v1 Event about {@code involved}. */
    void event(HasMetadata involved, String type, String reason, String message);
}
