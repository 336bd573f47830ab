package io.kube4j.controller.replicaset;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.ControllerBuilder;
import io.kube4j.client.controller.Reconciler;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.informer.Indexers;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.common.ControllerRefManager;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.common.PodControl;
import io.kube4j.controller.common.Pods;
import io.kube4j.controller.common.SlowStart;
import io.kube4j.controller.common.UIDTrackingExpectations;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' ReplicaSet controller ({@code pkg/controller/replicaset/replica_set.go}): keeps {@code spec.replicas}
 * active pods matching each ReplicaSet's selector. A sync claims pods (adopts matching orphans, releases pods that
 * stopped matching), creates the shortfall in slow-start batches or deletes the least valuable surplus — at most
 * {@code burstReplicas} per sync, and only once the informer has seen the previous sync's creates and deletes
 * ({@link UIDTrackingExpectations}), so it never acts twice on one shortfall — and writes the status through
 * {@code /status} when it changed.
 */
public final class ReplicaSetController implements Reconciler {

    private static final Logger log = LoggerFactory.getLogger(ReplicaSetController.class);

    /** The event source name, as Kubernetes'. */
    public static final String COMPONENT = "replicaset-controller";
    static final String API_VERSION = "apps/v1";
    static final String KIND = "ReplicaSet";
    static final String REPLICA_FAILURE = "ReplicaFailure";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final SharedIndexInformer<ReplicaSet> rsInformer;
    private final SharedIndexInformer<Pod> podInformer;
    private final ResourceClient<ReplicaSet> rsClient;
    private final ResourceClient<Pod> podClient;
    private final PodControl podControl;
    private final Clock clock;
    private final int burstReplicas;
    private final UIDTrackingExpectations expectations;
    private volatile Controller controller;

    public ReplicaSetController(SharedIndexInformer<ReplicaSet> rsInformer, SharedIndexInformer<Pod> podInformer,
            ResourceClient<ReplicaSet> rsClient, ResourceClient<Pod> podClient, PodControl podControl, Clock clock,
            int burstReplicas) {
        this.rsInformer = rsInformer;
        this.podInformer = podInformer;
        this.rsClient = rsClient;
        this.podClient = podClient;
        this.podControl = podControl;
        this.clock = clock;
        this.burstReplicas = burstReplicas;
        this.expectations = new UIDTrackingExpectations(clock);
    }

    /** Builds the controller on {@code builder} and registers the informer handlers that feed its queue. */
    public Controller register(ControllerBuilder builder) {
        controller = builder.reconciler(this).waitFor(rsInformer::hasSynced).waitFor(podInformer::hasSynced).build();
        rsInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ReplicaSet rs) {
                enqueue(rs);
            }

            @Override
            public void onUpdate(ReplicaSet oldRs, ReplicaSet curRs) {
                if (!Objects.equals(oldRs.getMetadata().getUid(), curRs.getMetadata().getUid())) {
                    deleted(oldRs); // deleted and re-created under the same name meanwhile
                }
                enqueue(curRs);
            }

            @Override
            public void onDelete(ReplicaSet rs, boolean finalStateUnknown) {
                deleted(rs);
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

    /** The expectations (for tests and diagnostics). */
    UIDTrackingExpectations expectations() {
        return expectations;
    }

    // ---- handlers: events to keys ----

    private void enqueue(ReplicaSet rs) {
        controller.enqueue(Request.of(rs));
    }

    private void deleted(ReplicaSet rs) {
        expectations.delete(key(rs));
        enqueue(rs);
    }

    void addPod(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            // after a restart the informer may first see a pod already being deleted
            deletePod(pod);
            return;
        }
        OwnerReference ref = OwnerReferences.controllerOf(pod);
        if (ref != null) {
            ReplicaSet rs = resolveControllerRef(pod.getMetadata().getNamespace(), ref);
            if (rs != null) {
                expectations.creationObserved(key(rs));
                enqueue(rs);
            }
            return;
        }
        // an orphan: wake every matching ReplicaSet, one of them may adopt it
        podReplicaSets(pod).forEach(this::enqueue);
    }

    void updatePod(Pod oldPod, Pod curPod) {
        if (Objects.equals(oldPod.getMetadata().getResourceVersion(), curPod.getMetadata().getResourceVersion())) {
            return; // a resync
        }
        boolean labelsChanged = !Objects.equals(labels(oldPod), labels(curPod));
        if (curPod.getMetadata().getDeletionTimestamp() != null) {
            // a graceful delete started: the pod no longer counts, expect its deletion now rather than when it is gone
            deletePod(curPod);
            if (labelsChanged) {
                deletePod(oldPod);
            }
            return;
        }
        OwnerReference curRef = OwnerReferences.controllerOf(curPod);
        OwnerReference oldRef = OwnerReferences.controllerOf(oldPod);
        boolean refChanged = !Objects.equals(curRef == null ? null : curRef.getUid(),
                oldRef == null ? null : oldRef.getUid());
        if (refChanged && oldRef != null) {
            ReplicaSet old = resolveControllerRef(oldPod.getMetadata().getNamespace(), oldRef);
            if (old != null) {
                enqueue(old);
            }
        }
        if (curRef != null) {
            ReplicaSet rs = resolveControllerRef(curPod.getMetadata().getNamespace(), curRef);
            if (rs == null) {
                return;
            }
            enqueue(rs);
            int minReady = minReadySeconds(rs);
            if (!Pods.isReady(oldPod) && Pods.isReady(curPod) && minReady > 0) {
                // count the pod as available once it has been ready for minReadySeconds
                controller.queue().addAfter(Request.of(rs), Duration.ofSeconds(minReady + 1L));
            }
            return;
        }
        if (labelsChanged || refChanged) {
            podReplicaSets(curPod).forEach(this::enqueue);
        }
    }

    void deletePod(Pod pod) {
        OwnerReference ref = OwnerReferences.controllerOf(pod);
        if (ref == null) {
            return; // an orphan's deletion concerns no ReplicaSet
        }
        ReplicaSet rs = resolveControllerRef(pod.getMetadata().getNamespace(), ref);
        if (rs == null) {
            return;
        }
        expectations.deletionObserved(key(rs), Pods.key(pod));
        enqueue(rs);
    }

    private ReplicaSet resolveControllerRef(String namespace, OwnerReference ref) {
        if (!KIND.equals(ref.getKind())) {
            return null;
        }
        ReplicaSet rs = rsInformer.lister().get(namespace, ref.getName());
        if (rs == null || !Objects.equals(rs.getMetadata().getUid(), ref.getUid())) {
            return null;
        }
        return rs;
    }

    /** The ReplicaSets of the pod's namespace whose (non-empty, valid) selector matches it. */
    private List<ReplicaSet> podReplicaSets(Pod pod) {
        List<ReplicaSet> out = new ArrayList<>();
        for (ReplicaSet rs : rsInformer.lister().list(pod.getMetadata().getNamespace())) {
            LabelSelector sel;
            try {
                sel = LabelSelector.from(rs.getSpec() == null ? null : rs.getSpec().getSelector());
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (!sel.isEverything() && !sel.isNothing() && sel.matches(labels(pod))) {
                out.add(rs);
            }
        }
        return out;
    }

    // ---- the sync ----

    @Override
    public Result reconcile(Request request) {
        String key = request.namespace() + "/" + request.name();
        ReplicaSet rs = rsInformer.lister().get(request.namespace(), request.name());
        if (rs == null) {
            expectations.delete(key);
            return Result.done();
        }
        boolean needsSync = expectations.satisfied(key);
        LabelSelector selector;
        try {
            selector = LabelSelector.from(rs.getSpec().getSelector());
        } catch (IllegalArgumentException e) {
            // a user error no retry fixes; the apiserver's validation normally rejects it first
            log.warn("ReplicaSet {} has an invalid selector: {}", key, e.getMessage());
            return Result.done();
        }
        List<Pod> active = Pods.filterActive(podInformer.lister().list(request.namespace()));
        List<Pod> pods = claimPods(rs, selector, active);

        RuntimeException manageError = null;
        if (needsSync && rs.getMetadata().getDeletionTimestamp() == null) {
            try {
                manageReplicas(pods, rs, key);
            } catch (RuntimeException e) {
                manageError = e;
            }
        }
        ReplicaSetStatus status = calculateStatus(rs, pods, manageError, clock.now());
        ReplicaSet updated = updateStatus(rs, status);
        int replicas = replicas(rs);
        int minReady = minReadySeconds(updated);
        if (manageError == null && minReady > 0 && updated.getStatus() != null
                && intOf(updated.getStatus().getReadyReplicas()) == replicas
                && intOf(updated.getStatus().getAvailableReplicas()) != replicas) {
            controller.queue().addAfter(request, Duration.ofSeconds(minReady));
        }
        if (manageError != null) {
            throw manageError; // a rate-limited retry
        }
        return Result.done();
    }

    private List<Pod> claimPods(ReplicaSet rs, LabelSelector selector, List<Pod> pods) {
        ControllerRefManager<Pod> m = new ControllerRefManager<>(podClient, rs, API_VERSION, KIND,
                p -> selector.matches(labels(p)), () -> {
                    // re-check against the apiserver, not the cache, that this ReplicaSet still exists and stays
                    try {
                        ReplicaSet fresh = rsClient.get(rs.getMetadata().getNamespace(), rs.getMetadata().getName())
                                .block(TIMEOUT);
                        return fresh != null && Objects.equals(fresh.getMetadata().getUid(), rs.getMetadata().getUid())
                                && fresh.getMetadata().getDeletionTimestamp() == null;
                    } catch (ApiStatusException.NotFound e) {
                        return false;
                    }
                });
        return m.claim(pods);
    }

    /** Creates or deletes pods to close the gap between {@code pods} and {@code spec.replicas}. */
    void manageReplicas(List<Pod> pods, ReplicaSet rs, String key) {
        int diff = pods.size() - replicas(rs);
        String ns = rs.getMetadata().getNamespace();
        if (diff < 0) {
            int n = Math.min(-diff, burstReplicas);
            // expect before writing: the informer may see the pods before the calls return
            expectations.expectCreations(key, n);
            OwnerReference ref = OwnerReferences.controllerRef(rs, API_VERSION, KIND);
            log.debug("ReplicaSet {}: too few replicas, need {}, creating {}", key, replicas(rs), n);
            SlowStart.Outcome outcome = SlowStart.run(n, SlowStart.INITIAL_BATCH_SIZE,
                    () -> podControl.createPod(ns, rs.getSpec().getTemplate(), rs, ref));
            int skipped = n - outcome.successes();
            if (skipped > 0) {
                // the informer will never see the pods not created
                for (int i = 0; i < skipped; i++) {
                    expectations.creationObserved(key);
                }
            }
            if (outcome.error() != null) {
                throw asRuntime(outcome.error());
            }
        } else if (diff > 0) {
            int n = Math.min(diff, burstReplicas);
            log.debug("ReplicaSet {}: too many replicas, need {}, deleting {}", key, replicas(rs), n);
            List<Pod> victims = podsToDelete(pods, indirectlyRelatedPods(rs), n, clock.now());
            Set<String> keys = new LinkedHashSet<>();
            victims.forEach(p -> keys.add(Pods.key(p)));
            expectations.expectDeletions(key, keys);
            List<Mono<Throwable>> deletes = new ArrayList<>(victims.size());
            for (Pod p : victims) {
                deletes.add(Mono.defer(() -> podControl.deletePod(ns, p.getMetadata().getName(), rs))
                        .then(Mono.<Throwable>empty())
                        .onErrorResume(e -> {
                            // the informer will not see this deletion (or already did, for NotFound)
                            expectations.deletionObserved(key, Pods.key(p));
                            return e instanceof ApiStatusException.NotFound ? Mono.empty() : Mono.just(e);
                        }));
            }
            List<Throwable> errors = Flux.merge(deletes).collectList().block(Duration.ofMinutes(2));
            if (errors != null && !errors.isEmpty()) {
                throw asRuntime(errors.get(0));
            }
        }
    }

    /**
     * The pods of every ReplicaSet with the same controller as {@code rs} (a Deployment's old and new ReplicaSets),
     * or of {@code rs} alone: co-location with these ranks pods for deletion.
     */
    private List<Pod> indirectlyRelatedPods(ReplicaSet rs) {
        OwnerReference owner = OwnerReferences.controllerOf(rs);
        List<ReplicaSet> related = new ArrayList<>();
        if (owner == null) {
            related.add(rs);
        } else {
            for (ReplicaSet r : rsInformer.lister().list(rs.getMetadata().getNamespace())) {
                if (OwnerReferences.isControlledBy(r, owner.getUid())) {
                    related.add(r);
                }
            }
            if (related.stream().noneMatch(r -> Objects.equals(r.getMetadata().getUid(), rs.getMetadata().getUid()))) {
                related.add(rs);
            }
        }
        Set<String> seen = new HashSet<>();
        List<Pod> out = new ArrayList<>();
        for (ReplicaSet r : related) {
            String uid = r.getMetadata().getUid();
            for (Pod p : podInformer.getIndexer().byIndex(Indexers.OWNER_UID, uid)) {
                if (OwnerReferences.isControlledBy(p, uid) && seen.add(p.getMetadata().getUid())) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** The {@code n} least valuable of {@code pods} (Kubernetes' getPodsToDelete). */
    static List<Pod> podsToDelete(List<Pod> pods, List<Pod> related, int n, Instant now) {
        if (n >= pods.size()) {
            return List.copyOf(pods);
        }
        Map<String, Integer> onNode = new HashMap<>();
        for (Pod p : related) {
            if (Pods.isActive(p)) {
                onNode.merge(nodeName(p), 1, Integer::sum);
            }
        }
        List<Pods.Ranked> ranked = new ArrayList<>(pods.size());
        for (Pod p : pods) {
            ranked.add(new Pods.Ranked(p, onNode.getOrDefault(nodeName(p), 0)));
        }
        ranked.sort(Pods.deletionOrder(now));
        return ranked.subList(0, n).stream().map(Pods.Ranked::pod).toList();
    }

    /** The status {@code pods} give {@code rs} (Kubernetes' calculateStatus); observedGeneration is set on write. */
    static ReplicaSetStatus calculateStatus(ReplicaSet rs, List<Pod> pods, Throwable manageError, Instant now) {
        Map<String, String> templateLabels = rs.getSpec().getTemplate() == null
                || rs.getSpec().getTemplate().getMetadata() == null
                || rs.getSpec().getTemplate().getMetadata().getLabels() == null
                ? Map.of() : rs.getSpec().getTemplate().getMetadata().getLabels();
        int minReady = minReadySeconds(rs);
        int fullyLabeled = 0;
        int ready = 0;
        int available = 0;
        for (Pod p : pods) {
            Map<String, String> l = labels(p);
            if (templateLabels.entrySet().stream().allMatch(e -> Objects.equals(l.get(e.getKey()), e.getValue()))) {
                fullyLabeled++;
            }
            if (Pods.isReady(p)) {
                ready++;
                if (Pods.isAvailable(p, minReady, now)) {
                    available++;
                }
            }
        }
        ReplicaSetStatus old = rs.getStatus();
        List<ReplicaSetCondition> conditions = old == null || old.getConditions() == null ? new ArrayList<>()
                : new ArrayList<>(old.getConditions());
        ReplicaSetCondition failure = conditions.stream().filter(c -> REPLICA_FAILURE.equals(c.getType()))
                .findFirst().orElse(null);
        if (manageError != null && failure == null) {
            int diff = pods.size() - replicas(rs);
            String reason = diff < 0 ? PodControl.FAILED_CREATE : diff > 0 ? PodControl.FAILED_DELETE : null;
            if (reason != null) {
                conditions.add(new ReplicaSetConditionBuilder().withType(REPLICA_FAILURE).withStatus("True")
                        .withReason(reason).withMessage(String.valueOf(manageError.getMessage()))
                        .withLastTransitionTime(now.toString()).build());
            }
        } else if (manageError == null && failure != null) {
            conditions.remove(failure);
        }
        ReplicaSetStatus s = new ReplicaSetStatus();
        s.setReplicas(pods.size());
        s.setFullyLabeledReplicas(fullyLabeled);
        s.setReadyReplicas(ready);
        s.setAvailableReplicas(available);
        s.setConditions(conditions);
        s.setObservedGeneration(old == null ? null : old.getObservedGeneration());
        return s;
    }

    /** Writes {@code status} (with observedGeneration = the synced generation) via /status, only if it changed. */
    private ReplicaSet updateStatus(ReplicaSet rs, ReplicaSetStatus status) {
        Long generation = rs.getMetadata().getGeneration();
        ReplicaSetStatus old = rs.getStatus();
        if (old != null && sameStatus(old, status) && Objects.equals(old.getObservedGeneration(), generation)) {
            return rs;
        }
        status.setObservedGeneration(generation);
        String uid = rs.getMetadata().getUid();
        try {
            ReplicaSet written = rsClient.updateWithRetry(rs.getMetadata().getNamespace(), rs.getMetadata().getName(),
                    current -> {
                        if (!Objects.equals(current.getMetadata().getUid(), uid)) {
                            return null; // re-created meanwhile: its own sync will write its status
                        }
                        current.setStatus(status);
                        return current;
                    }, true).block(TIMEOUT);
            return written == null ? rs : written;
        } catch (ApiStatusException.NotFound e) {
            return rs; // deleted meanwhile
        }
    }

    static boolean sameStatus(ReplicaSetStatus a, ReplicaSetStatus b) {
        return intOf(a.getReplicas()) == intOf(b.getReplicas())
                && intOf(a.getFullyLabeledReplicas()) == intOf(b.getFullyLabeledReplicas())
                && intOf(a.getReadyReplicas()) == intOf(b.getReadyReplicas())
                && intOf(a.getAvailableReplicas()) == intOf(b.getAvailableReplicas())
                && Objects.equals(conditions(a), conditions(b));
    }

    private static List<ReplicaSetCondition> conditions(ReplicaSetStatus s) {
        return s.getConditions() == null ? List.of() : s.getConditions();
    }

    // ---- small helpers ----

    static String key(ReplicaSet rs) {
        return rs.getMetadata().getNamespace() + "/" + rs.getMetadata().getName();
    }

    static int replicas(ReplicaSet rs) {
        Integer r = rs.getSpec() == null ? null : rs.getSpec().getReplicas();
        return r == null ? 1 : r; // the apiserver defaults it to 1
    }

    static int minReadySeconds(ReplicaSet rs) {
        Integer m = rs.getSpec() == null ? null : rs.getSpec().getMinReadySeconds();
        return m == null ? 0 : m;
    }

    private static int intOf(Integer i) {
        return i == null ? 0 : i;
    }

    private static String nodeName(Pod p) {
        String n = p.getSpec() == null ? null : p.getSpec().getNodeName();
        return n == null ? "" : n;
    }

    private static Map<String, String> labels(Pod p) {
        Map<String, String> l = p.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    private static RuntimeException asRuntime(Throwable t) {
        return t instanceof RuntimeException r ? r : new IllegalStateException(t.getMessage(), t);
    }
}
