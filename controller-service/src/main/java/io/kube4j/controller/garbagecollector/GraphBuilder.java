package io.kube4j.controller.garbagecollector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.workqueue.RateLimitingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the ownership graph of every object (Kubernetes' {@code GraphBuilder}): informer handlers only turn events
 * into {@link GraphEvent}s, and one thread applies them in order ({@link #processNext}), adding virtual nodes for
 * owners it has not seen, and feeding the collector's queues: {@code attemptToDelete} (objects that may have lost
 * their owners, owners waiting for their dependents) and {@code attemptToOrphan} (owners deleted with the
 * {@code orphan} finalizer).
 */
final class GraphBuilder {

    static final String FINALIZER_ORPHAN = "orphan";
    static final String FINALIZER_DELETE_DEPENDENTS = "foregroundDeletion";

    private static final Logger log = LoggerFactory.getLogger(GraphBuilder.class);

    private final Map<String, Node> uidToNode = new ConcurrentHashMap<>();
    private final BlockingQueue<GraphEvent> graphChanges = new LinkedBlockingQueue<>();
    private final RateLimitingQueue<Node> attemptToDelete;
    private final RateLimitingQueue<Node> attemptToOrphan;
    private final AbsentOwnerCache absentOwnerCache;
    private final InvalidReferenceReporter reporter;

    GraphBuilder(RateLimitingQueue<Node> attemptToDelete, RateLimitingQueue<Node> attemptToOrphan,
            AbsentOwnerCache absentOwnerCache, InvalidReferenceReporter reporter) {
        this.attemptToDelete = Objects.requireNonNull(attemptToDelete);
        this.attemptToOrphan = Objects.requireNonNull(attemptToOrphan);
        this.absentOwnerCache = Objects.requireNonNull(absentOwnerCache);
        this.reporter = Objects.requireNonNull(reporter);
    }

    GraphBuilder(RateLimitingQueue<Node> attemptToDelete, RateLimitingQueue<Node> attemptToOrphan,
            AbsentOwnerCache absentOwnerCache) {
        this(attemptToDelete, attemptToOrphan, absentOwnerCache,
                (dependent, message) -> log.warn("garbage collector: {}: {}", dependent, message));
    }

    InvalidReferenceReporter reporter() {
        return reporter;
    }

    AbsentOwnerCache absentOwnerCache() {
        return absentOwnerCache;
    }

    /** The informer handler of one resource: events become graph changes, nothing else. */
    <T extends HasMetadata> ResourceEventHandler<T> handlerFor(ResourceType type) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                graphChanges.add(GraphEvent.add(identityOf(type, obj.getMetadata()), obj.getMetadata()));
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                graphChanges.add(GraphEvent.update(identityOf(type, newObj.getMetadata()), oldObj.getMetadata(),
                        newObj.getMetadata()));
            }

            @Override
            public void onDelete(T obj, boolean finalStateUnknown) {
                graphChanges.add(GraphEvent.delete(identityOf(type, obj.getMetadata()), obj.getMetadata()));
            }
        };
    }

    static ObjectReference identityOf(ResourceType type, ObjectMeta m) {
        return new ObjectReference(type.apiVersion(), type.kind(), m.getName(), m.getUid(),
                type.namespaced() ? m.getNamespace() : "");
    }

    /** Asks the graph thread to drop {@code identity}: the apiserver said it does not exist (or has another uid). */
    void enqueueVirtualDeleteEvent(ObjectReference identity) {
        graphChanges.add(GraphEvent.virtualDelete(identity));
    }

    void enqueue(GraphEvent event) {
        graphChanges.add(event);
    }

    /** Applies the next change, waiting at most {@code timeout}; false when none came. */
    boolean processNext(Duration timeout) throws InterruptedException {
        GraphEvent e = graphChanges.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            return false;
        }
        try {
            process(e);
        } catch (RuntimeException ex) {
            log.error("garbage collector: applying {} of {} to the graph failed", e.type(), e.identity(), ex);
        }
        return true;
    }

    /** Changes not applied yet. */
    int pending() {
        return graphChanges.size();
    }

    Node node(String uid) {
        return uid == null ? null : uidToNode.get(uid);
    }

    int size() {
        return uidToNode.size();
    }

    /** Kubernetes' {@code processGraphChanges} for one event. */
    void process(GraphEvent event) {
        ObjectReference observed = event.identity();
        Node existing = uidToNode.get(observed.uid());
        if (existing != null && !event.virtual() && !existing.isObserved()) {
            // the informer shows the object a virtual node stood for
            if (!observed.equals(existing.identity())) {
                // dependents that referenced it by other coordinates may be wrong: let the collector verify them
                for (Node dep : partition(existing.dependents(), observed).nonMatching()) {
                    attemptToDelete.add(dep);
                }
                existing.setIdentity(observed);
            }
            existing.markObserved();
        }
        switch (event.type()) {
            case ADD, UPDATE -> {
                ObjectMeta m = event.meta();
                if (existing == null) {
                    Node n = new Node(observed, m.getOwnerReferences(), false);
                    if (beingDeleted(m)) {
                        n.markBeingDeleted();
                    }
                    if (beingDeleted(m) && hasFinalizer(m, FINALIZER_DELETE_DEPENDENTS)) {
                        n.markDeletingDependents();
                    }
                    uidToNode.put(observed.uid(), n);
                    addDependentToOwners(n, n.owners());
                    processTransitions(event.oldMeta(), m, n);
                } else {
                    ReferenceDiff diff = ReferenceDiff.of(existing.owners(), m.getOwnerReferences());
                    if (!diff.isEmpty()) {
                        addUnblockedOwnersToDeleteQueue(diff);
                        existing.setOwners(m.getOwnerReferences());
                        addDependentToOwners(existing, diff.added());
                        removeDependentFromOwners(existing, diff.removed());
                    }
                    if (beingDeleted(m)) {
                        existing.markBeingDeleted();
                    }
                    processTransitions(event.oldMeta(), m, existing);
                }
            }
            case DELETE -> processDelete(event, existing);
            default -> throw new IllegalStateException("unknown event " + event.type());
        }
    }

    private void processDelete(GraphEvent event, Node existing) {
        if (existing == null) {
            return;
        }
        ObjectReference deleted = event.identity();
        boolean removeExisting = true;
        if (event.virtual()) {
            if (!existing.isObserved()) {
                // a virtual node: dependents may know it by other coordinates than the ones just found absent
                Partition p = partition(existing.dependents(), deleted);
                if (!p.nonMatching().isEmpty()) {
                    removeExisting = false;
                    if (!p.matching().isEmpty()) {
                        absentOwnerCache.add(deleted);
                        p.matching().forEach(attemptToDelete::add);
                    }
                    if (existing.identity().equals(deleted)) {
                        ObjectReference alternate = alternateOwnerIdentity(p.nonMatching(), deleted);
                        if (alternate != null) {
                            existing.setIdentity(alternate);
                            attemptToDelete.addRateLimited(existing);
                        }
                    }
                }
            } else if (!existing.identity().equals(deleted)) {
                // never drop an observed node because a lookup by other coordinates failed
                removeExisting = false;
                Partition p = partition(existing.dependents(), deleted);
                if (!p.matching().isEmpty()) {
                    absentOwnerCache.add(deleted);
                    p.matching().forEach(attemptToDelete::add);
                }
            }
        }
        if (!removeExisting) {
            return;
        }
        uidToNode.remove(existing.identity().uid());
        removeDependentFromOwners(existing, existing.owners());
        List<Node> dependents = existing.dependents();
        if (!dependents.isEmpty()) {
            absentOwnerCache.add(deleted);
        }
        dependents.forEach(attemptToDelete::add);
        for (OwnerReference owner : existing.owners()) {
            Node ownerNode = uidToNode.get(owner.getUid());
            if (ownerNode != null && ownerNode.isDeletingDependents()) {
                // the owner may now be free of blocking dependents
                attemptToDelete.add(ownerNode);
            }
        }
    }

    /** Adds {@code n} as a dependent of each owner, creating virtual owners for those not in the graph. */
    private void addDependentToOwners(Node n, List<OwnerReference> owners) {
        boolean potentiallyInvalid = false;
        for (OwnerReference owner : owners) {
            Node ownerNode = uidToNode.get(owner.getUid());
            boolean found = ownerNode != null;
            if (!found) {
                ownerNode = new Node(ObjectReference.of(owner, n.identity().namespace()), List.of(), true);
                uidToNode.put(owner.getUid(), ownerNode);
            }
            ownerNode.addDependent(n);
            if (!found) {
                // the collector asks the apiserver whether it exists; absent, it becomes a virtual delete
                attemptToDelete.add(ownerNode);
            } else if (!potentiallyInvalid) {
                ObjectReference oid = ownerNode.identity();
                boolean ownerNamespaced = !oid.namespace().isEmpty();
                if (ownerNamespaced && !oid.namespace().equals(n.identity().namespace())) {
                    if (ownerNode.isObserved()) {
                        // the uid is an object of another namespace: this reference can never resolve
                        reporter.report(n.identity(), "ownerRef [" + owner.getApiVersion() + "/" + owner.getKind()
                                + ", namespace: " + n.identity().namespace() + ", name: " + owner.getName()
                                + ", uid: " + owner.getUid() + "] does not exist in namespace \""
                                + n.identity().namespace() + "\"");
                    }
                    potentiallyInvalid = true;
                } else if (!oid.matchesCoordinates(owner)) {
                    potentiallyInvalid = true;
                } else if (!ownerNamespaced && !oid.namespace().equals(n.identity().namespace())
                        && !ownerNode.isObserved()) {
                    potentiallyInvalid = true;
                }
            }
        }
        if (potentiallyInvalid) {
            attemptToDelete.add(n);
        }
    }

    private void removeDependentFromOwners(Node n, List<OwnerReference> owners) {
        for (OwnerReference owner : owners) {
            Node ownerNode = uidToNode.get(owner.getUid());
            if (ownerNode != null) {
                ownerNode.removeDependent(n);
            }
        }
    }

    /** Owners whose blocking reference was removed or made non-blocking may be able to finish a foreground delete. */
    private void addUnblockedOwnersToDeleteQueue(ReferenceDiff diff) {
        for (OwnerReference r : diff.removed()) {
            if (Boolean.TRUE.equals(r.getBlockOwnerDeletion())) {
                Node n = uidToNode.get(r.getUid());
                if (n != null) {
                    attemptToDelete.add(n);
                }
            }
        }
        for (ReferenceDiff.Change c : diff.changed()) {
            boolean wasBlocked = Boolean.TRUE.equals(c.oldRef().getBlockOwnerDeletion());
            boolean isUnblocked = !Boolean.TRUE.equals(c.newRef().getBlockOwnerDeletion());
            if (wasBlocked && isUnblocked) {
                Node n = uidToNode.get(c.newRef().getUid());
                if (n != null) {
                    attemptToDelete.add(n);
                }
            }
        }
    }

    private void processTransitions(ObjectMeta old, ObjectMeta m, Node n) {
        if (deletionStartsWithFinalizer(old, m, FINALIZER_ORPHAN)) {
            attemptToOrphan.add(n);
            return;
        }
        if (deletionStartsWithFinalizer(old, m, FINALIZER_DELETE_DEPENDENTS)) {
            n.markDeletingDependents();
            n.dependents().forEach(attemptToDelete::add);
            attemptToDelete.add(n);
        }
    }

    static boolean deletionStartsWithFinalizer(ObjectMeta old, ObjectMeta m, String finalizer) {
        if (!beingDeleted(m) || !hasFinalizer(m, finalizer)) {
            return false;
        }
        return old == null || !beingDeleted(old) || !hasFinalizer(old, finalizer);
    }

    static boolean beingDeleted(ObjectMeta m) {
        return m.getDeletionTimestamp() != null;
    }

    static boolean hasFinalizer(ObjectMeta m, String finalizer) {
        return m.getFinalizers() != null && m.getFinalizers().contains(finalizer);
    }

    private record Partition(List<Node> matching, List<Node> nonMatching) {
    }

    /** Splits dependents by whether their reference to the owner's uid uses exactly {@code owner}'s coordinates. */
    private static Partition partition(List<Node> dependents, ObjectReference owner) {
        boolean ownerNamespaced = !owner.namespace().isEmpty();
        List<Node> matching = new ArrayList<>();
        List<Node> nonMatching = new ArrayList<>();
        for (Node dep : dependents) {
            boolean foundMatch = false;
            boolean foundMismatch = false;
            if (ownerNamespaced && !owner.namespace().equals(dep.identity().namespace())) {
                foundMismatch = true;
            } else {
                for (OwnerReference r : dep.owners()) {
                    if (Objects.equals(r.getUid(), owner.uid())) {
                        if (owner.matchesCoordinates(r)) {
                            foundMatch = true;
                        } else {
                            foundMismatch = true;
                        }
                    }
                }
            }
            if (foundMatch) {
                matching.add(dep);
            }
            if (foundMismatch) {
                nonMatching.add(dep);
            }
        }
        return new Partition(matching, nonMatching);
    }

    /** Another identity the dependents refer to the owner by, preferring one that sorts after {@code verified}. */
    private static ObjectReference alternateOwnerIdentity(List<Node> deps, ObjectReference verified) {
        ObjectReference first = null;
        for (Node dep : deps) {
            for (OwnerReference r : dep.owners()) {
                if (!Objects.equals(r.getUid(), verified.uid())) {
                    continue;
                }
                ObjectReference candidate = ObjectReference.of(r, dep.identity().namespace());
                if (candidate.equals(verified)) {
                    continue;
                }
                if (first == null || candidate.toString().compareTo(first.toString()) < 0) {
                    first = candidate;
                }
            }
        }
        return first;
    }

    /** Owner references added, removed and changed (same uid, other fields) between two versions of an object. */
    record ReferenceDiff(List<OwnerReference> added, List<OwnerReference> removed, List<Change> changed) {

        record Change(OwnerReference oldRef, OwnerReference newRef) {
        }

        static ReferenceDiff of(List<OwnerReference> old, List<OwnerReference> now) {
            Map<String, OwnerReference> oldByUid = new HashMap<>();
            for (OwnerReference r : old == null ? List.<OwnerReference>of() : old) {
                oldByUid.put(r.getUid(), r);
            }
            List<OwnerReference> added = new ArrayList<>();
            List<Change> changed = new ArrayList<>();
            for (OwnerReference r : now == null ? List.<OwnerReference>of() : now) {
                OwnerReference o = oldByUid.remove(r.getUid());
                if (o == null) {
                    added.add(r);
                } else if (!o.equals(r)) {
                    changed.add(new Change(o, r));
                }
            }
            return new ReferenceDiff(added, new ArrayList<>(oldByUid.values()), changed);
        }

        boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }
    }
}
