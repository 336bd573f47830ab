package io.kube4j.controller.garbagecollector;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.OwnerReference;

/**
 * One object of the ownership graph (Kubernetes' garbage collector {@code node}): its identity, the owner references
 * it carries and the nodes that reference it. A <em>virtual</em> node stands for an owner only known from a
 * dependent's reference until an informer observes it (or the apiserver says it is gone). Only the graph builder's
 * single thread changes the structure; workers read it concurrently, hence the volatile fields and concurrent set.
 * Nodes compare by identity (the work queues hold nodes, as Kubernetes' queues hold {@code *node}).
 */
final class Node {

    private volatile ObjectReference identity;
    private final Set<Node> dependents = ConcurrentHashMap.newKeySet();
    private volatile List<OwnerReference> owners;
    private volatile boolean beingDeleted;
    private volatile boolean deletingDependents;
    private volatile boolean virtual;

    Node(ObjectReference identity, List<OwnerReference> owners, boolean virtual) {
        this.identity = Objects.requireNonNull(identity);
        this.owners = owners == null ? List.of() : List.copyOf(owners);
        this.virtual = virtual;
    }

    ObjectReference identity() {
        return identity;
    }

    void setIdentity(ObjectReference identity) {
        this.identity = identity;
    }

    List<OwnerReference> owners() {
        return owners;
    }

    void setOwners(List<OwnerReference> owners) {
        this.owners = owners == null ? List.of() : List.copyOf(owners);
    }

    /** True once an informer has delivered the object itself (a virtual node stops being virtual). */
    boolean isObserved() {
        return !virtual;
    }

    void markObserved() {
        virtual = false;
    }

    boolean isBeingDeleted() {
        return beingDeleted;
    }

    void markBeingDeleted() {
        beingDeleted = true;
    }

    /** Being deleted with the {@code foregroundDeletion} finalizer: waits for its blocking dependents. */
    boolean isDeletingDependents() {
        return deletingDependents;
    }

    void markDeletingDependents() {
        deletingDependents = true;
        beingDeleted = true;
    }

    void addDependent(Node n) {
        dependents.add(n);
    }

    void removeDependent(Node n) {
        dependents.remove(n);
    }

    List<Node> dependents() {
        return new ArrayList<>(dependents);
    }

    int dependentsCount() {
        return dependents.size();
    }

    /** The dependents whose reference to this node has {@code blockOwnerDeletion: true}. */
    List<Node> blockingDependents() {
        String uid = identity.uid();
        List<Node> out = new ArrayList<>();
        for (Node dep : dependents) {
            for (OwnerReference r : dep.owners()) {
                if (Objects.equals(r.getUid(), uid) && Boolean.TRUE.equals(r.getBlockOwnerDeletion())) {
                    out.add(dep);
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return identity + (virtual ? " (virtual)" : "");
    }
}
