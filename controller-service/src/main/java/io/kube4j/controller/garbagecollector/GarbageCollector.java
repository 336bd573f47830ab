package io.kube4j.controller.garbagecollector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.workqueue.RateLimitingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' garbage collector: deletes objects whose owners are all gone (background), finishes foreground
 * deletions (an owner with the {@code foregroundDeletion} finalizer loses it once its blocking dependents are gone)
 * and orphaning (an owner with the {@code orphan} finalizer loses it once no dependent references it). The
 * {@link GraphBuilder} feeds two rate-limited queues of graph nodes; {@code workers} threads drain each. Decisions are
 * made on the object as the apiserver has it now (a GET), never on the possibly lagging graph alone; every delete
 * carries uid and resourceVersion preconditions.
 */
public final class GarbageCollector implements Startable {

    static final String BACKGROUND = "Background";
    static final String FOREGROUND = "Foreground";
    static final String ORPHAN = "Orphan";

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    private final GraphBuilder graph;
    private final GcOperations ops;
    private final RateLimitingQueue<Node> attemptToDelete;
    private final RateLimitingQueue<Node> attemptToOrphan;
    private final int workers;
    private final List<BooleanSupplier> synced;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;
    private boolean started;

    GarbageCollector(GraphBuilder graph, GcOperations ops, RateLimitingQueue<Node> attemptToDelete,
            RateLimitingQueue<Node> attemptToOrphan, int workers, List<BooleanSupplier> synced) {
        this.graph = Objects.requireNonNull(graph);
        this.ops = Objects.requireNonNull(ops);
        this.attemptToDelete = Objects.requireNonNull(attemptToDelete);
        this.attemptToOrphan = Objects.requireNonNull(attemptToOrphan);
        if (workers < 1) {
            throw new IllegalArgumentException("garbage collector workers must be >= 1, got " + workers);
        }
        this.workers = workers;
        this.synced = List.copyOf(synced);
    }

    @Override
    public String name() {
        return "garbagecollector";
    }

    GraphBuilder graph() {
        return graph;
    }

    /** Starts the graph thread at once and the workers once every informer has synced; does not block. */
    @Override
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("garbage collector already started");
        }
        started = true;
        threads.add(daemon("gc-graph-builder", this::runGraphBuilder));
        threads.add(daemon("gc-starter", this::waitForSyncThenStartWorkers));
    }

    private void runGraphBuilder() {
        while (!stopping) {
            try {
                graph.processNext(Duration.ofMillis(500));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void waitForSyncThenStartWorkers() {
        try {
            while (!stopping && !synced.stream().allMatch(BooleanSupplier::getAsBoolean)) {
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (this) {
            if (stopping) {
                return;
            }
            log.info("garbage collector: caches synced ({} objects in the graph so far), starting {} workers per queue",
                    graph.size(), workers);
            for (int i = 0; i < workers; i++) {
                threads.add(daemon("gc-attempt-to-delete-" + i, () -> drain(attemptToDelete, this::attemptToDeleteWorker)));
                threads.add(daemon("gc-attempt-to-orphan-" + i, () -> drain(attemptToOrphan, this::attemptToOrphanWorker)));
            }
        }
    }

    @Override
    public void stop() throws InterruptedException {
        List<Thread> all;
        synchronized (this) {
            stopping = true;
            attemptToDelete.shutDown();
            attemptToOrphan.shutDown();
            all = new ArrayList<>(threads);
        }
        for (Thread t : all) {
            if (t.getName().startsWith("gc-graph") || t.getName().startsWith("gc-starter")) {
                t.interrupt();
            }
        }
        for (Thread t : all) {
            t.join(10_000);
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    enum Action { FORGET, REQUEUE }

    private interface Worker {
        Action process(Node n);
    }

    private void drain(RateLimitingQueue<Node> queue, Worker worker) {
        while (true) {
            Node n;
            try {
                n = queue.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (n == null) {
                return;
            }
            try {
                if (stopping) {
                    continue;
                }
                Action a;
                try {
                    a = worker.process(n);
                } catch (RuntimeException e) {
                    log.warn("garbage collector: processing {} failed: {}", n, e.toString());
                    a = Action.REQUEUE;
                }
                if (a == Action.FORGET) {
                    queue.forget(n);
                } else {
                    queue.addRateLimited(n);
                }
            } finally {
                queue.done(n);
            }
        }
    }

    // ------------------------------------------------------------------ attemptToDelete

    /** Signals that the node was found absent and a virtual delete event now removes it from the graph. */
    static final class VirtualDeleteEnqueued extends RuntimeException {
        VirtualDeleteEnqueued() {
            super(null, null, false, false);
        }
    }

    /** A cluster-scoped object referring to a namespaced owner: invalid, not retried. */
    static final class NamespacedOwnerOfClusterScopedObject extends RuntimeException {
        NamespacedOwnerOfClusterScopedObject(ObjectReference item, OwnerReference owner) {
            super("ownerRef [" + owner.getApiVersion() + "/" + owner.getKind() + ", name: " + owner.getName()
                    + ", uid: " + owner.getUid() + "] refers to a namespaced kind from the cluster-scoped " + item.kind()
                    + " " + item.name());
        }
    }

    Action attemptToDeleteWorker(Node n) {
        if (!n.isObserved()) {
            Node inGraph = graph.node(n.identity().uid());
            if (inGraph == null || (inGraph != n && inGraph.isObserved())) {
                return Action.FORGET; // removed from the graph, or replaced by the observed object, meanwhile
            }
        }
        try {
            attemptToDeleteItem(n);
        } catch (VirtualDeleteEnqueued e) {
            return Action.FORGET;
        } catch (NamespacedOwnerOfClusterScopedObject e) {
            // cannot resolve on retry: tell the user, and forget the item until its references change
            graph.reporter().report(n.identity(), e.getMessage());
            return Action.FORGET;
        } catch (RuntimeException e) {
            log.warn("garbage collector: syncing {} failed, will retry: {}", n, e.toString());
            return Action.REQUEUE;
        }
        // a virtual node that exists: keep checking until the informer shows it (or it disappears)
        return n.isObserved() ? Action.FORGET : Action.REQUEUE;
    }

    /** Kubernetes' {@code attemptToDeleteItem}: deletes {@code item} if all its owners are gone, or fixes its refs. */
    void attemptToDeleteItem(Node item) {
        if (item.isBeingDeleted() && !item.isDeletingDependents()) {
            return; // a one-way trip: its dependents are processed once it is gone
        }
        ObjectReference id = item.identity();
        ObjectMeta latest = ops.get(id);
        if (latest == null || !Objects.equals(latest.getUid(), id.uid())) {
            graph.enqueueVirtualDeleteEvent(id);
            throw new VirtualDeleteEnqueued();
        }
        if (item.isDeletingDependents()) {
            processDeletingDependentsItem(item);
            return;
        }
        List<OwnerReference> refs = latest.getOwnerReferences();
        if (refs == null || refs.isEmpty()) {
            return;
        }
        Classification c = classifyReferences(item, refs);
        if (!c.solid().isEmpty()) {
            if (c.dangling().isEmpty() && c.waitingForDependentsDeletion().isEmpty()) {
                return;
            }
            // waiting references must go too, or those owners would wait on this object forever
            List<String> uids = new ArrayList<>();
            c.dangling().forEach(r -> uids.add(r.getUid()));
            c.waitingForDependentsDeletion().forEach(r -> uids.add(r.getUid()));
            log.debug("garbage collector: removing references {} from {}", uids, id);
            removeOwnerReferences(item, uids);
            return;
        }
        if (!c.waitingForDependentsDeletion().isEmpty() && item.dependentsCount() != 0) {
            for (Node dep : item.dependents()) {
                if (dep.isDeletingDependents()) {
                    // a possible cycle: stop blocking the owners, then delete in the foreground anyway
                    log.info("garbage collector: {} and its dependent {} both wait for dependents; unblocking its"
                            + " owner references", id, dep.identity());
                    ops.unblockOwnerReferences(id);
                    break;
                }
            }
            log.debug("garbage collector: deleting {} in the foreground (an owner waits for its dependents)", id);
            delete(id, latest.getResourceVersion(), FOREGROUND);
            return;
        }
        // no solid owner, nobody waits: delete as the object's own finalizers ask (background by default)
        String policy = GraphBuilder.hasFinalizer(latest, GraphBuilder.FINALIZER_ORPHAN) ? ORPHAN
                : GraphBuilder.hasFinalizer(latest, GraphBuilder.FINALIZER_DELETE_DEPENDENTS) ? FOREGROUND
                : BACKGROUND;
        log.debug("garbage collector: deleting {} with propagationPolicy {}", id, policy);
        delete(id, latest.getResourceVersion(), policy);
    }

    private void delete(ObjectReference id, String resourceVersion, String policy) {
        try {
            ops.delete(id, resourceVersion, policy);
        } catch (GcOperations.ObjectGoneException e) {
            graph.enqueueVirtualDeleteEvent(id);
            throw new VirtualDeleteEnqueued();
        }
    }

    private void removeOwnerReferences(Node item, List<String> uids) {
        try {
            ops.removeOwnerReferences(item.identity(), uids);
        } catch (GcOperations.ObjectGoneException e) {
            graph.enqueueVirtualDeleteEvent(item.identity());
            throw new VirtualDeleteEnqueued();
        }
    }

    private void processDeletingDependentsItem(Node item) {
        List<Node> blocking = item.blockingDependents();
        if (blocking.isEmpty()) {
            log.debug("garbage collector: removing the foregroundDeletion finalizer of {}", item.identity());
            try {
                ops.removeFinalizer(item.identity(), GraphBuilder.FINALIZER_DELETE_DEPENDENTS);
            } catch (GcOperations.ObjectGoneException e) {
                // deleted meanwhile: the informer's delete event finishes the job
            }
            return;
        }
        for (Node dep : blocking) {
            if (!dep.isDeletingDependents()) {
                attemptToDelete.add(dep);
            }
        }
    }

    /** The owner references of an object sorted by the state of their owners (Kubernetes' classifyReferences). */
    record Classification(List<OwnerReference> solid, List<OwnerReference> dangling,
                          List<OwnerReference> waitingForDependentsDeletion) {
    }

    /**
     * solid: the owner exists and is not waiting for its dependents; dangling: absent (or the name now has another
     * uid); waitingForDependentsDeletion: exists, being deleted with the {@code foregroundDeletion} finalizer.
     */
    Classification classifyReferences(Node item, List<OwnerReference> refs) {
        List<OwnerReference> solid = new ArrayList<>();
        List<OwnerReference> dangling = new ArrayList<>();
        List<OwnerReference> waiting = new ArrayList<>();
        for (OwnerReference ref : refs) {
            ObjectMeta owner = ownerIfPresent(ref, item);
            if (owner == null) {
                dangling.add(ref);
            } else if (GraphBuilder.beingDeleted(owner)
                    && GraphBuilder.hasFinalizer(owner, GraphBuilder.FINALIZER_DELETE_DEPENDENTS)) {
                waiting.add(ref);
            } else {
                solid.add(ref);
            }
        }
        return new Classification(solid, dangling, waiting);
    }

    /** Kubernetes' {@code isDangling}: the owner's metadata, or null when it is absent (remembered in the cache). */
    private ObjectMeta ownerIfPresent(OwnerReference ref, Node item) {
        AbsentOwnerCache absent = graph.absentOwnerCache();
        ObjectReference key = ObjectReference.of(ref, "");
        if (absent.has(key)) {
            return null;
        }
        String itemNamespace = item.identity().namespace();
        key = key.withNamespace(itemNamespace);
        if (absent.has(key)) {
            return null;
        }
        boolean namespaced = ops.isNamespaced(ref.getApiVersion(), ref.getKind());
        if (!namespaced) {
            key = key.withNamespace("");
        }
        if (itemNamespace.isEmpty() && namespaced) {
            throw new NamespacedOwnerOfClusterScopedObject(item.identity(), ref);
        }
        ObjectMeta owner = ops.get(key);
        if (owner == null || !Objects.equals(owner.getUid(), ref.getUid())) {
            absent.add(key);
            return null;
        }
        return owner;
    }

    // ------------------------------------------------------------------ attemptToOrphan

    /** Removes the owner's reference from every dependent, then the owner's {@code orphan} finalizer. */
    Action attemptToOrphanWorker(Node owner) {
        ObjectReference id = owner.identity();
        int failed = 0;
        for (Node dep : owner.dependents()) {
            try {
                ops.removeOwnerReferences(dep.identity(), List.of(id.uid()));
            } catch (GcOperations.ObjectGoneException e) {
                // nothing to orphan
            } catch (RuntimeException e) {
                log.warn("garbage collector: orphaning {} (owner {}) failed: {}", dep.identity(), id, e.toString());
                failed++;
            }
        }
        if (failed > 0) {
            return Action.REQUEUE;
        }
        try {
            ops.removeFinalizer(id, GraphBuilder.FINALIZER_ORPHAN);
        } catch (GcOperations.ObjectGoneException e) {
            return Action.FORGET;
        }
        return Action.FORGET;
    }
}
