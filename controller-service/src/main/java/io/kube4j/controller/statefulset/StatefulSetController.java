package io.kube4j.controller.statefulset;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.ControllerBuilder;
import io.kube4j.client.controller.Reconciler;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.common.ControllerRefManager;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.history.ControllerHistory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' StatefulSet controller ({@code pkg/controller/statefulset}): pods with a stable identity
 * ({@code <set>-<ordinal>}, hostname, subdomain, per-ordinal claims from {@code volumeClaimTemplates}) created and
 * deleted in ordinal order ({@code OrderedReady}) or all at once ({@code Parallel}), rolled to a new template in
 * reverse ordinal order down to {@code partition} ({@code RollingUpdate}) or when deleted ({@code OnDelete}), with the
 * template history kept as ControllerRevisions ({@code kubectl rollout history/undo}). A sync claims pods and
 * revisions, finds or creates the update revision, lets {@link StatefulSetUpdater} act on the pods, writes the status
 * and truncates the history to {@code revisionHistoryLimit}.
 */
public final class StatefulSetController implements Reconciler {

    private static final Logger log = LoggerFactory.getLogger(StatefulSetController.class);

    /** The event source name, as Kubernetes'. */
    public static final String COMPONENT = "statefulset-controller";
    static final String API_VERSION = "apps/v1";
    static final String KIND = "StatefulSet";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final SharedIndexInformer<StatefulSet> setInformer;
    private final SharedIndexInformer<Pod> podInformer;
    private final SharedIndexInformer<ControllerRevision> revisionInformer;
    private final ResourceClient<StatefulSet> setClient;
    private final ResourceClient<Pod> podClient;
    private final ControllerHistory history;
    private final StatefulPodControl control;
    private final Clock clock;
    private final StatefulSetExpectations expectations;
    private volatile Controller controller;

    public StatefulSetController(SharedIndexInformer<StatefulSet> setInformer, SharedIndexInformer<Pod> podInformer,
            SharedIndexInformer<ControllerRevision> revisionInformer, ResourceClient<StatefulSet> setClient,
            ResourceClient<Pod> podClient, ControllerHistory history, StatefulPodControl control, Clock clock) {
        this.setInformer = setInformer;
        this.podInformer = podInformer;
        this.revisionInformer = revisionInformer;
        this.setClient = setClient;
        this.podClient = podClient;
        this.history = history;
        this.clock = clock;
        this.expectations = new StatefulSetExpectations(clock);
        this.control = new ExpectingControl(control);
    }

    /** Builds the controller on {@code builder} and registers the informer handlers that feed its queue. */
    public Controller register(ControllerBuilder builder, SharedIndexInformer<?>... alsoWaitFor) {
        ControllerBuilder b = builder.reconciler(this).waitFor(setInformer::hasSynced).waitFor(podInformer::hasSynced)
                .waitFor(revisionInformer::hasSynced);
        for (SharedIndexInformer<?> i : alsoWaitFor) {
            b = b.waitFor(i::hasSynced);
        }
        controller = b.build();
        setInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(StatefulSet set) {
                enqueue(set);
            }

            @Override
            public void onUpdate(StatefulSet oldSet, StatefulSet curSet) {
                if (!Objects.equals(oldSet.getMetadata().getUid(), curSet.getMetadata().getUid())) {
                    expectations.delete(key(oldSet));
                }
                enqueue(curSet);
            }

            @Override
            public void onDelete(StatefulSet set, boolean finalStateUnknown) {
                expectations.delete(key(set));
                enqueue(set);
            }
        });
        podInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                addPod(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod curPod) {
                updatePod(oldPod, curPod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                deletePod(pod);
            }
        });
        return controller;
    }

    // ---- handlers: events to keys ----

    private void enqueue(StatefulSet set) {
        controller.enqueue(Request.of(set));
    }

    void addPod(Pod pod) {
        OwnerReference ref = OwnerReferences.controllerOf(pod);
        if (ref != null) {
            StatefulSet set = resolveControllerRef(pod.getMetadata().getNamespace(), ref);
            if (set != null) {
                expectations.creationObserved(key(set), pod.getMetadata().getName());
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    expectations.deletionObserved(key(set), pod.getMetadata().getName());
                }
                enqueue(set);
            }
            return;
        }
        podSets(pod).forEach(this::enqueue); // an orphan: a matching set may adopt it
    }

    void updatePod(Pod oldPod, Pod curPod) {
        if (Objects.equals(oldPod.getMetadata().getResourceVersion(), curPod.getMetadata().getResourceVersion())) {
            return; // a resync
        }
        OwnerReference curRef = OwnerReferences.controllerOf(curPod);
        OwnerReference oldRef = OwnerReferences.controllerOf(oldPod);
        if (oldRef != null && !Objects.equals(oldRef, curRef)) {
            StatefulSet old = resolveControllerRef(oldPod.getMetadata().getNamespace(), oldRef);
            if (old != null) {
                enqueue(old);
            }
        }
        if (curRef != null) {
            StatefulSet set = resolveControllerRef(curPod.getMetadata().getNamespace(), curRef);
            if (set == null) {
                return;
            }
            if (curPod.getMetadata().getDeletionTimestamp() != null) {
                expectations.deletionObserved(key(set), curPod.getMetadata().getName());
            }
            enqueue(set);
            int minReady = set.getSpec().getMinReadySeconds() == null ? 0 : set.getSpec().getMinReadySeconds();
            if (minReady > 0 && !StatefulSetPods.isRunningAndReady(oldPod)
                    && StatefulSetPods.isRunningAndReady(curPod)) {
                controller.queue().addAfter(Request.of(set), Duration.ofSeconds(minReady + 1L));
            }
            return;
        }
        if (!Objects.equals(oldPod.getMetadata().getLabels(), curPod.getMetadata().getLabels())
                || !Objects.equals(oldRef, curRef)) {
            podSets(curPod).forEach(this::enqueue);
        }
    }

    void deletePod(Pod pod) {
        OwnerReference ref = OwnerReferences.controllerOf(pod);
        if (ref == null) {
            return;
        }
        StatefulSet set = resolveControllerRef(pod.getMetadata().getNamespace(), ref);
        if (set != null) {
            expectations.deletionObserved(key(set), pod.getMetadata().getName());
            enqueue(set);
        }
    }

    private StatefulSet resolveControllerRef(String namespace, OwnerReference ref) {
        if (!KIND.equals(ref.getKind())) {
            return null;
        }
        StatefulSet set = setInformer.lister().get(namespace, ref.getName());
        return set == null || !Objects.equals(set.getMetadata().getUid(), ref.getUid()) ? null : set;
    }

    /** The sets of the pod's namespace whose selector matches it. */
    private List<StatefulSet> podSets(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        List<StatefulSet> out = new ArrayList<>();
        if (labels == null || labels.isEmpty()) {
            return out;
        }
        for (StatefulSet set : setInformer.lister().list(pod.getMetadata().getNamespace())) {
            try {
                LabelSelector sel = LabelSelector.from(set.getSpec().getSelector());
                if (!sel.isEverything() && !sel.isNothing() && sel.matches(labels)) {
                    out.add(set);
                }
            } catch (IllegalArgumentException e) {
                // an invalid selector matches nothing
            }
        }
        return out;
    }

    // ---- the sync ----

    @Override
    public Result reconcile(Request request) {
        String key = request.namespace() + "/" + request.name();
        StatefulSet set = setInformer.lister().get(request.namespace(), request.name());
        if (set == null) {
            expectations.delete(key);
            return Result.done();
        }
        LabelSelector selector;
        try {
            selector = LabelSelector.from(set.getSpec().getSelector());
        } catch (IllegalArgumentException e) {
            log.warn("StatefulSet {} has an invalid selector: {}", key, e.getMessage());
            return Result.done();
        }
        if (selector.isEverything()) {
            log.warn("StatefulSet {} selects every pod; skipping it", key);
            return Result.done();
        }
        List<ControllerRevision> revisions = claimRevisions(set);
        List<Pod> pods = claimPods(set, selector);
        if (!expectations.satisfied(key)) {
            return Result.done(); // the informer brings the events that wake us again
        }

        // the revisions (getStatefulSetRevisions)
        revisions = ControllerHistory.sorted(revisions);
        int collisionCount = set.getStatus() == null || set.getStatus().getCollisionCount() == null ? 0
                : set.getStatus().getCollisionCount();
        ControllerRevision update = StatefulSetRevisions.newRevision(set, ControllerHistory.maxRevision(revisions) + 1,
                collisionCount);
        List<ControllerRevision> equal = ControllerHistory.findEqual(revisions, update);
        if (!equal.isEmpty() && ControllerHistory.equalRevision(revisions.get(revisions.size() - 1),
                equal.get(equal.size() - 1))) {
            update = revisions.get(revisions.size() - 1); // unchanged
        } else if (!equal.isEmpty()) {
            // a rollback to an earlier template: that revision becomes the newest
            update = history.updateRevision(equal.get(equal.size() - 1), update.getRevision());
        } else {
            ControllerHistory.Created created = history.create(set, update, collisionCount);
            update = created.revision();
            collisionCount = created.collisionCount();
        }
        ControllerRevision current = null;
        String currentName = set.getStatus() == null ? null : set.getStatus().getCurrentRevision();
        for (ControllerRevision r : revisions) {
            if (r.getMetadata().getName().equals(currentName)) {
                current = r;
            }
        }
        if (current == null) {
            current = update;
        }
        StatefulSet currentSet = StatefulSetRevisions.apply(set, current);
        StatefulSet updateSet = StatefulSetRevisions.apply(set, update);

        StatefulSetUpdater.Outcome outcome = new StatefulSetUpdater(control).update(set, currentSet, updateSet,
                current.getMetadata().getName(), update.getMetadata().getName(), collisionCount, pods, clock.now());
        updateStatus(set, outcome.status());
        truncateHistory(set, pods, revisions, current, update);
        if (outcome.error() != null) {
            throw outcome.error(); // a rate-limited retry
        }
        return outcome.requeueAfter() == null ? Result.done() : Result.requeueAfter(outcome.requeueAfter());
    }

    private List<Pod> claimPods(StatefulSet set, LabelSelector selector) {
        ControllerRefManager<Pod> m = new ControllerRefManager<>(podClient, set, API_VERSION, KIND,
                p -> selector.matches(p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels())
                        && StatefulSetPods.isMemberOf(set, p),
                () -> stillExists(set));
        return m.claim(podInformer.lister().list(set.getMetadata().getNamespace()));
    }

    /** The set's revisions, adopting matching orphans (ClaimControllerRevisions). */
    private List<ControllerRevision> claimRevisions(StatefulSet set) {
        List<ControllerRevision> all = revisionInformer.lister().list(set.getMetadata().getNamespace());
        List<ControllerRevision> out = new ArrayList<>(ControllerHistory.ownedBy(set, all));
        if (set.getMetadata().getDeletionTimestamp() != null) {
            return out;
        }
        Boolean canAdopt = null;
        for (ControllerRevision r : all) {
            if (ControllerHistory.adoptable(r, set.getSpec().getSelector())) {
                if (canAdopt == null) {
                    canAdopt = stillExists(set);
                }
                if (!canAdopt) {
                    break;
                }
                try {
                    out.add(history.adopt(set, API_VERSION, KIND, r));
                } catch (IllegalStateException | ApiStatusException.NotFound e) {
                    // adopted by someone else, or gone
                }
            }
        }
        return out;
    }

    /** Re-checks against the apiserver, not the cache, that the set exists with this uid and is not being deleted. */
    private boolean stillExists(StatefulSet set) {
        try {
            StatefulSet fresh = setClient.get(set.getMetadata().getNamespace(), set.getMetadata().getName())
                    .block(TIMEOUT);
            return fresh != null && Objects.equals(fresh.getMetadata().getUid(), set.getMetadata().getUid())
                    && fresh.getMetadata().getDeletionTimestamp() == null;
        } catch (ApiStatusException.NotFound e) {
            return false;
        }
    }

    /** Deletes the oldest revisions no pod, nor current nor update, uses beyond {@code revisionHistoryLimit}. */
    void truncateHistory(StatefulSet set, List<Pod> pods, List<ControllerRevision> revisions,
            ControllerRevision current, ControllerRevision update) {
        for (ControllerRevision r : historyToDelete(set, pods, revisions, current, update)) {
            history.delete(r);
        }
    }

    static List<ControllerRevision> historyToDelete(StatefulSet set, List<Pod> pods,
            List<ControllerRevision> sortedRevisions, ControllerRevision current, ControllerRevision update) {
        Set<String> live = new HashSet<>();
        live.add(current.getMetadata().getName());
        live.add(update.getMetadata().getName());
        for (Pod p : pods) {
            String rev = StatefulSetPods.revision(p);
            if (rev != null) {
                live.add(rev);
            }
        }
        List<ControllerRevision> old = new ArrayList<>();
        for (ControllerRevision r : sortedRevisions) {
            if (!live.contains(r.getMetadata().getName())) {
                old.add(r);
            }
        }
        Integer limit = set.getSpec().getRevisionHistoryLimit();
        int keep = limit == null ? 10 : limit;
        if (old.size() <= keep) {
            return List.of();
        }
        return old.subList(0, old.size() - keep);
    }

    /** Writes {@code status} through /status when it differs from the set's. */
    private void updateStatus(StatefulSet set, StatefulSetStatus status) {
        StatefulSetStatus old = set.getStatus();
        if (old != null) {
            status.setConditions(old.getConditions());
        }
        if (Objects.equals(old, status)) {
            return;
        }
        String uid = set.getMetadata().getUid();
        try {
            setClient.updateWithRetry(set.getMetadata().getNamespace(), set.getMetadata().getName(), c -> {
                if (!Objects.equals(c.getMetadata().getUid(), uid)) {
                    return null;
                }
                c.setStatus(status);
                return c;
            }, true).block(TIMEOUT);
        } catch (ApiStatusException.NotFound e) {
            // deleted meanwhile
        }
    }

    static String key(StatefulSet set) {
        return set.getMetadata().getNamespace() + "/" + set.getMetadata().getName();
    }

    /** The real control, recording what the informer must show before the next sync acts on its cache. */
    private final class ExpectingControl implements StatefulPodControl {

        private final StatefulPodControl delegate;

        ExpectingControl(StatefulPodControl delegate) {
            this.delegate = delegate;
        }

        @Override
        public void createPod(StatefulSet set, Pod pod) {
            String k = key(set);
            expectations.expectCreation(k, pod.getMetadata().getName());
            try {
                delegate.createPod(set, pod);
            } catch (RuntimeException e) {
                expectations.creationObserved(k, pod.getMetadata().getName());
                throw e;
            }
            if (podInformer.lister().get(pod.getMetadata().getNamespace(), pod.getMetadata().getName()) != null) {
                expectations.creationObserved(k, pod.getMetadata().getName()); // the watch was first
            }
        }

        @Override
        public void updatePod(StatefulSet set, Pod pod) {
            delegate.updatePod(set, pod);
        }

        @Override
        public void deletePod(StatefulSet set, Pod pod) {
            String k = key(set);
            expectations.expectDeletion(k, pod.getMetadata().getName());
            try {
                delegate.deletePod(set, pod);
            } catch (RuntimeException e) {
                expectations.deletionObserved(k, pod.getMetadata().getName());
                throw e;
            }
            Pod cached = podInformer.lister().get(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
            if (cached == null || !Objects.equals(cached.getMetadata().getUid(), pod.getMetadata().getUid())
                    || cached.getMetadata().getDeletionTimestamp() != null) {
                expectations.deletionObserved(k, pod.getMetadata().getName()); // the watch was first
            }
        }

        @Override
        public void createMissingClaims(StatefulSet set, Pod pod) {
            delegate.createMissingClaims(set, pod);
        }

        @Override
        public boolean claimsMatchRetentionPolicy(StatefulSet set, Pod pod) {
            return delegate.claimsMatchRetentionPolicy(set, pod);
        }

        @Override
        public void updateClaimsForRetentionPolicy(StatefulSet set, Pod pod) {
            delegate.updateClaimsForRetentionPolicy(set, pod);
        }

        @Override
        public boolean podClaimIsStale(StatefulSet set, Pod pod) {
            return delegate.podClaimIsStale(set, pod);
        }
    }
}
