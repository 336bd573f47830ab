package io.kube4j.controller.deployment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.Indexers;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.common.ControllerRefManager;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.manager.ControllerContext;

/**
 * Kubernetes' Deployment controller ({@code pkg/controller/deployment}): keys Deployments from Deployment, ReplicaSet
 * and (for Recreate) pod-deletion events; a reconcile claims the ReplicaSets the Deployment selects (adopting orphans,
 * releasing those that stopped matching) and runs one {@link DeploymentSync} over them from the informer caches.
 */
public final class DeploymentController {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DeploymentController.class);

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ControllerContext context;
    private final ResourceClient<Deployment> deployments;
    private final ResourceClient<ReplicaSet> replicaSets;
    private final SharedIndexInformer<Deployment> dInformer;
    private final SharedIndexInformer<ReplicaSet> rsInformer;
    private final SharedIndexInformer<Pod> podInformer;
    private final EventRecorder recorder;
    private final Clock clock;
    private final Controller controller;

    public DeploymentController(ControllerContext context, DeploymentControllerProperties properties) {
        this.context = context;
        this.deployments = context.client().resources(Deployment.class);
        this.replicaSets = context.client().resources(ReplicaSet.class);
        this.dInformer = context.informer(Deployment.class);
        this.rsInformer = context.informer(ReplicaSet.class);
        this.podInformer = context.informer(Pod.class);
        this.recorder = context.recorder("deployment-controller");
        this.clock = context.clock();
        this.controller = context.controller("deployment").reconciler(this::reconcile)
                .workers(properties.concurrentSyncs())
                .waitFor(dInformer::hasSynced).waitFor(rsInformer::hasSynced).waitFor(podInformer::hasSynced)
                .build();
        dInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Deployment d) {
                enqueue(d);
            }

            @Override
            public void onUpdate(Deployment oldD, Deployment d) {
                enqueue(d);
            }

            @Override
            public void onDelete(Deployment d, boolean finalStateUnknown) {
                enqueue(d);
            }
        });
        rsInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ReplicaSet rs) {
                addReplicaSet(rs);
            }

            @Override
            public void onUpdate(ReplicaSet oldRs, ReplicaSet rs) {
                updateReplicaSet(oldRs, rs);
            }

            @Override
            public void onDelete(ReplicaSet rs, boolean finalStateUnknown) {
                Deployment d = resolveControllerRef(rs.getMetadata().getNamespace(), OwnerReferences.controllerOf(rs));
                if (d != null) {
                    enqueue(d);
                }
            }
        });
        podInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                // A Recreate rollout waits until the old pods are gone.
                Deployment d = deploymentForPod(pod);
                if (d != null && !DeploymentUtil.isRollingUpdate(d)) {
                    enqueue(d);
                }
            }
        });
    }

    /** The runnable controller (not started). */
    public Controller controller() {
        return controller;
    }

    private void enqueue(HasMetadata d) {
        controller.enqueue(Request.of(d));
    }

    // ---- event handlers: events to keys

    private void addReplicaSet(ReplicaSet rs) {
        OwnerReference ref = OwnerReferences.controllerOf(rs);
        if (ref != null) {
            Deployment d = resolveControllerRef(rs.getMetadata().getNamespace(), ref);
            if (d != null) {
                enqueue(d);
            }
            return;
        }
        deploymentsSelecting(rs).forEach(this::enqueue); // an orphan: whoever matches may adopt it
    }

    private void updateReplicaSet(ReplicaSet oldRs, ReplicaSet rs) {
        if (Objects.equals(oldRs.getMetadata().getResourceVersion(), rs.getMetadata().getResourceVersion())) {
            return;
        }
        OwnerReference oldRef = OwnerReferences.controllerOf(oldRs);
        OwnerReference ref = OwnerReferences.controllerOf(rs);
        boolean refChanged = !Objects.equals(oldRef, ref);
        if (refChanged && oldRef != null) {
            Deployment d = resolveControllerRef(oldRs.getMetadata().getNamespace(), oldRef);
            if (d != null) {
                enqueue(d);
            }
        }
        if (ref != null) {
            Deployment d = resolveControllerRef(rs.getMetadata().getNamespace(), ref);
            if (d != null) {
                enqueue(d);
            }
            return;
        }
        if (refChanged || !Objects.equals(oldRs.getMetadata().getLabels(), rs.getMetadata().getLabels())) {
            deploymentsSelecting(rs).forEach(this::enqueue);
        }
    }

    private Deployment resolveControllerRef(String namespace, OwnerReference ref) {
        if (ref == null || !"Deployment".equals(ref.getKind())) {
            return null;
        }
        Deployment d = dInformer.lister().get(namespace, ref.getName());
        return d != null && Objects.equals(d.getMetadata().getUid(), ref.getUid()) ? d : null;
    }

    private Deployment deploymentForPod(Pod pod) {
        OwnerReference ref = OwnerReferences.controllerOf(pod);
        if (ref == null || !"ReplicaSet".equals(ref.getKind())) {
            return null;
        }
        ReplicaSet rs = rsInformer.lister().get(pod.getMetadata().getNamespace(), ref.getName());
        if (rs == null || !Objects.equals(rs.getMetadata().getUid(), ref.getUid())) {
            return null;
        }
        return resolveControllerRef(rs.getMetadata().getNamespace(), OwnerReferences.controllerOf(rs));
    }

    private List<Deployment> deploymentsSelecting(ReplicaSet rs) {
        Map<String, String> labels = rs.getMetadata().getLabels() == null ? Map.of() : rs.getMetadata().getLabels();
        List<Deployment> out = new ArrayList<>();
        for (Deployment d : dInformer.lister().list(rs.getMetadata().getNamespace())) {
            LabelSelector sel = selector(d);
            if (sel != null && !sel.isEverything() && sel.matches(labels)) {
                out.add(d);
            }
        }
        return out;
    }

    private static LabelSelector selector(Deployment d) {
        if (d.getSpec() == null || d.getSpec().getSelector() == null) {
            return null;
        }
        try {
            return LabelSelector.from(d.getSpec().getSelector());
        } catch (RuntimeException e) {
            return null; // validation refuses such selectors; select nothing
        }
    }

    // ---- reconcile

    Result reconcile(Request request) {
        Deployment d = dInformer.lister().get(request.namespace(), request.name());
        if (d == null) {
            return Result.done(); // deleted: its ReplicaSets go with the garbage collector
        }
        LabelSelector sel = selector(d);
        List<ReplicaSet> rsList = sel == null || sel.isEverything() ? List.of() : claimReplicaSets(d, sel);
        Map<String, List<Pod>> podMap = DeploymentUtil.isRollingUpdate(d) ? Map.of() : podMap(d, sel, rsList);
        DeploymentSync sync = new DeploymentSync(new Writer(), clock, d);
        DeploymentSync.Outcome outcome;
        try {
            outcome = sync.run(rsList, podMap);
        } catch (ApiStatusException.Conflict e) {
            // A decision made on a cache older than the object: retry on the newer one (the informer brings it).
            log.debug("deployment {}: conflict, retrying: {}", request, e.getMessage());
            return Result.requeue();
        }
        if (outcome.requeueAfter() == null) {
            return Result.done();
        }
        return outcome.requeueAfter().isZero() ? Result.requeue() : Result.requeueAfter(outcome.requeueAfter());
    }

    /** The ReplicaSets {@code d} owns after adoption and release (getReplicaSetsForDeployment). */
    private List<ReplicaSet> claimReplicaSets(Deployment d, LabelSelector sel) {
        List<ReplicaSet> candidates = rsInformer.lister().list(d.getMetadata().getNamespace());
        ControllerRefManager<ReplicaSet> refs = new ControllerRefManager<>(replicaSets, d, "apps/v1", "Deployment",
                rs -> sel.matches(rs.getMetadata().getLabels() == null ? Map.of() : rs.getMetadata().getLabels()),
                () -> {
                    try {
                        Deployment fresh = deployments.get(d.getMetadata().getNamespace(), d.getMetadata().getName())
                                .block(TIMEOUT);
                        return fresh != null && Objects.equals(fresh.getMetadata().getUid(), d.getMetadata().getUid())
                                && fresh.getMetadata().getDeletionTimestamp() == null;
                    } catch (ApiStatusException.NotFound e) {
                        return false;
                    }
                });
        return refs.claim(candidates);
    }

    /** The Deployment's pods by the uid of the owning ReplicaSet (getPodMapForDeployment). */
    private Map<String, List<Pod>> podMap(Deployment d, LabelSelector sel, List<ReplicaSet> rsList) {
        Map<String, List<Pod>> map = new HashMap<>();
        for (ReplicaSet rs : rsList) {
            map.put(rs.getMetadata().getUid(), new ArrayList<>());
        }
        for (ReplicaSet rs : rsList) {
            for (Pod p : podInformer.getIndexer().byIndex(Indexers.OWNER_UID, rs.getMetadata().getUid())) {
                OwnerReference ref = OwnerReferences.controllerOf(p);
                if (ref != null && Objects.equals(ref.getUid(), rs.getMetadata().getUid())
                        && Objects.equals(p.getMetadata().getNamespace(), d.getMetadata().getNamespace())
                        && sel.matches(p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels())) {
                    map.get(rs.getMetadata().getUid()).add(p);
                }
            }
        }
        return map;
    }

    /** The real writes: compare-and-swap updates through the client, Events through the recorder. */
    private final class Writer implements DeploymentWriter {

        @Override
        public ReplicaSet createReplicaSet(ReplicaSet rs) {
            return replicaSets.create(rs).block(TIMEOUT);
        }

        @Override
        public ReplicaSet updateReplicaSet(ReplicaSet rs) {
            return replicaSets.update(rs).block(TIMEOUT);
        }

        @Override
        public void deleteReplicaSet(ReplicaSet rs) {
            try {
                replicaSets.delete(rs.getMetadata().getNamespace(), rs.getMetadata().getName(),
                        new DeleteOptions(null, null, rs.getMetadata().getUid(), null)).block(TIMEOUT);
            } catch (ApiStatusException.NotFound e) {
                // already gone
            }
        }

        @Override
        public Deployment updateStatus(Deployment d) {
            return deployments.updateStatus(d).block(TIMEOUT);
        }

        @Override
        public Deployment updateMetadata(Deployment d) {
            return deployments.update(d).block(TIMEOUT);
        }

        @Override
        public ReplicaSet cachedReplicaSet(String namespace, String name) {
            return rsInformer.lister().get(namespace, name);
        }

        @Override
        public void event(HasMetadata involved, String type, String reason, String message) {
            if (involved.getKind() == null && involved instanceof Deployment d) {
                d.setApiVersion("apps/v1"); // informer objects may come without their type
                d.setKind("Deployment");
            }
            recorder.event(involved, type, reason, message);
        }
    }
}
