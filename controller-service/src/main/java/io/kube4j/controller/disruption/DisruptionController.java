package io.kube4j.controller.disruption;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.Reconciler;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.Lister;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.manager.ControllerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' disruption controller: keeps every PodDisruptionBudget's status (expectedPods, desiredHealthy,
 * currentHealthy, disruptionsAllowed, disruptedPods, the {@code DisruptionAllowed} condition, observedGeneration) in
 * step with the pods its selector matches, so that pods/eviction and the scheduler's preemption can spend it. A budget
 * is looked at again when it changes and when one of its pods is added, changes or goes; while an eviction is awaited
 * it is requeued for that eviction's deadline. Percentages and {@code maxUnavailable} scale with the pods'
 * controllers (Deployment through its ReplicaSets, ReplicaSet, StatefulSet, ReplicationController).
 */
public final class DisruptionController implements Reconciler, Startable {

    static final String NAME = "disruption";
    private static final Logger log = LoggerFactory.getLogger(DisruptionController.class);

    private final Lister<PodDisruptionBudget> budgets;
    private final Lister<Pod> pods;
    private final Lister<ReplicaSet> replicaSets;
    private final Lister<Deployment> deployments;
    private final KubeClient client;
    private final ResourceClient<PodDisruptionBudget> budgetClient;
    private final EventRecorder events;
    private final Clock clock;
    private final Duration deletionTimeout;
    private final Controller controller;

    public DisruptionController(ControllerContext context, DisruptionControllerProperties props) {
        SharedIndexInformer<PodDisruptionBudget> pdbInformer = context.informer(PodDisruptionBudget.class);
        SharedIndexInformer<Pod> podInformer = context.informer(Pod.class);
        SharedIndexInformer<ReplicaSet> rsInformer = context.informer(ReplicaSet.class);
        SharedIndexInformer<Deployment> deployInformer = context.informer(Deployment.class);
        this.budgets = pdbInformer.lister();
        this.pods = podInformer.lister();
        this.replicaSets = rsInformer.lister();
        this.deployments = deployInformer.lister();
        this.client = context.client();
        this.budgetClient = context.client().resources(PodDisruptionBudget.class);
        this.events = context.recorder("controllermanager");
        this.clock = context.clock();
        this.deletionTimeout = props.deletionTimeout();
        this.controller = context.controller(NAME).reconciler(this).workers(props.concurrentSyncs())
                .waitFor(pdbInformer::hasSynced).waitFor(podInformer::hasSynced)
                .waitFor(rsInformer::hasSynced).waitFor(deployInformer::hasSynced).build();
        pdbInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PodDisruptionBudget pdb) {
                enqueue(pdb);
            }

            @Override
            public void onUpdate(PodDisruptionBudget old, PodDisruptionBudget pdb) {
                enqueue(pdb);
            }

            @Override
            public void onDelete(PodDisruptionBudget pdb, boolean finalStateUnknown) {
                enqueue(pdb);
            }
        });
        podInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                enqueueBudgetsOf(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                enqueueBudgetsOf(pod);
                if (!Objects.equals(old.getMetadata().getLabels(), pod.getMetadata().getLabels())) {
                    enqueueBudgetsOf(old);
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                enqueueBudgetsOf(pod);
            }
        });
    }

    private void enqueue(HasMetadata pdb) {
        controller.enqueue(new Request(pdb.getMetadata().getNamespace(), pdb.getMetadata().getName()));
    }

    /** {@code getPdbForPod}: the budgets of the pod's namespace whose selector matches its labels. */
    private void enqueueBudgetsOf(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        for (PodDisruptionBudget pdb : budgets.list(pod.getMetadata().getNamespace())) {
            LabelSelector sel = selector(pdb);
            if (sel != null && !sel.isNothing() && sel.matches(labels)) {
                enqueue(pdb);
            }
        }
    }

    private static LabelSelector selector(PodDisruptionBudget pdb) {
        try {
            return pdb.getSpec() == null ? LabelSelector.nothing() : LabelSelector.from(pdb.getSpec().getSelector());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public Result reconcile(Request request) {
        PodDisruptionBudget pdb = budgets.get(request.namespace(), request.name());
        if (pdb == null) {
            return Result.done();
        }
        Instant now = clock.now();
        PodDisruptionBudgetStatus next;
        Instant recheck = null;
        LabelSelector sel = selector(pdb);
        if (sel == null) {
            next = DisruptionBudgets.failSafe(pdb, "invalid selector", now);
        } else {
            List<Pod> matching = pods.list(pdb.getMetadata().getNamespace(), sel);
            if (matching.isEmpty()) {
                events.event(pdb, "Normal", "NoPods", "No matching pods found");
            }
            try {
                DisruptionBudgets.Computed c = DisruptionBudgets.compute(pdb, matching, this::replicas, now, deletionTimeout);
                if (!c.notDeleted().isEmpty()) {
                    events.event(pdb, "Warning", "NotDeleted", "Pods " + c.notDeleted()
                            + " were evicted more than " + deletionTimeout.toSeconds() + "s ago but were not deleted");
                }
                next = c.status();
                recheck = c.recheck();
            } catch (RuntimeException e) {
                events.event(pdb, "Warning", "CalculateExpectedPodCountFailed",
                        "Failed to calculate the number of expected pods: " + e.getMessage());
                next = DisruptionBudgets.failSafe(pdb, e.getMessage(), now);
            }
        }
        if (!DisruptionBudgets.same(pdb.getStatus(), next)) {
            PodDisruptionBudget copy = new PodDisruptionBudget(pdb.getApiVersion(), pdb.getKind(), pdb.getMetadata(),
                    pdb.getSpec(), next);
            try {
                budgetClient.updateStatus(copy).block(Duration.ofSeconds(30));
            } catch (ApiStatusException.NotFound e) {
                return Result.done();
            } catch (ApiStatusException.Conflict e) {
                // the cache was behind: the newer version's update event queues the budget again
                return Result.done();
            }
        }
        if (recheck != null) {
            Duration wait = Duration.between(now, recheck);
            return Result.requeueAfter(wait.isNegative() ? Duration.ZERO : wait);
        }
        return Result.done();
    }

    /** {@code getExpectedScale}'s finders: the replicas the pod's controller wants. */
    private int replicas(String namespace, OwnerReference ref) {
        String group = ref.getApiVersion() == null || !ref.getApiVersion().contains("/") ? ""
                : ref.getApiVersion().substring(0, ref.getApiVersion().indexOf('/'));
        switch (group + "/" + ref.getKind()) {
            case "apps/ReplicaSet" -> {
                ReplicaSet rs = replicaSets.get(namespace, ref.getName());
                if (rs == null || !Objects.equals(rs.getMetadata().getUid(), ref.getUid())) {
                    throw new IllegalStateException("replicasets.apps \"" + ref.getName() + "\" not found");
                }
                OwnerReference owner = OwnerReferences.controllerOf(rs);
                if (owner != null && "Deployment".equals(owner.getKind())) {
                    Deployment d = deployments.get(namespace, owner.getName());
                    if (d == null || !Objects.equals(d.getMetadata().getUid(), owner.getUid())) {
                        throw new IllegalStateException("deployments.apps \"" + owner.getName() + "\" not found");
                    }
                    return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                }
                return rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
            }
            case "apps/StatefulSet" -> {
                StatefulSet s = get(StatefulSet.class, namespace, ref);
                return s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
            }
            case "/ReplicationController" -> {
                ReplicationController rc = get(ReplicationController.class, namespace, ref);
                return rc.getSpec().getReplicas() == null ? 1 : rc.getSpec().getReplicas();
            }
            default -> throw new IllegalStateException("found no controllers for pod controlled by " + ref.getKind()
                    + " " + ref.getName() + ": only Deployments, ReplicaSets, StatefulSets and ReplicationControllers are scaled");
        }
    }

    private <T extends HasMetadata> T get(Class<T> type, String namespace, OwnerReference ref) {
        T o;
        try {
            o = client.resources(type).get(namespace, ref.getName()).block(Duration.ofSeconds(30));
        } catch (ApiStatusException.NotFound e) {
            o = null;
        }
        if (o == null || !Objects.equals(o.getMetadata().getUid(), ref.getUid())) {
            throw new IllegalStateException(type.getSimpleName() + " " + ref.getName() + " not found");
        }
        return o;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start() {
        log.info("disruption controller: deletion timeout {}", deletionTimeout);
        controller.start();
    }

    @Override
    public void stop() throws InterruptedException {
        controller.stop();
    }
}
