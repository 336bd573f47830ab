package io.kube4j.controller.daemon;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.ControllerBuilder;
import io.kube4j.client.controller.Reconciler;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.common.ControllerExpectations;
import io.kube4j.controller.common.ControllerRefManager;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.common.PodControl;
import io.kube4j.controller.common.Pods;
import io.kube4j.controller.common.SlowStart;
import io.kube4j.controller.history.ControllerHistory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' DaemonSet controller ({@code pkg/controller/daemon}): one pod per node that should run the daemon
 * (nodeSelector, required node affinity, NoSchedule/NoExecute taints against the template's tolerations plus the
 * default daemon tolerations). Pods are pinned to their node with a required {@code matchFields metadata.name}
 * affinity and placed by the default scheduler. Pods on nodes that stop qualifying are deleted, failed pods are
 * deleted and recreated with a per-node backoff, and template changes roll out through ControllerRevisions (label
 * {@value DaemonSetUpdate#HASH_LABEL}) with RollingUpdate (maxUnavailable, maxSurge) or OnDelete. Creates and
 * deletes are tracked as expectations so a sync never acts twice on what the informer has not yet seen.
 */
public final class DaemonSetController implements Reconciler {

    private static final Logger log = LoggerFactory.getLogger(DaemonSetController.class);

    /** The event source name, as Kubernetes'. */
    public static final String COMPONENT = "daemonset-controller";
    static final String API_VERSION = "apps/v1";
    static final String KIND = "DaemonSet";
    static final String TEMPLATE_GENERATION_LABEL = "pod-template-generation";
    /** The Warning event on the DaemonSet for a failed daemon pod it deletes, as Kubernetes'. */
    static final String FAILED_DAEMON_POD = "FailedDaemonPod";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration BACKOFF_INITIAL = Duration.ofSeconds(1);
    private static final Duration BACKOFF_MAX = Duration.ofMinutes(15);

    private final SharedIndexInformer<DaemonSet> dsInformer;
    private final SharedIndexInformer<Pod> podInformer;
    private final SharedIndexInformer<Node> nodeInformer;
    private final SharedIndexInformer<ControllerRevision> revisionInformer;
    private final ResourceClient<DaemonSet> dsClient;
    private final ResourceClient<Pod> podClient;
    private final ControllerHistory history;
    private final PodControl podControl;
    private final EventRecorder recorder;
    private final Clock clock;
    private final int burstReplicas;
    private final ControllerExpectations expectations;
    /** Failed-pod backoff per {@code ns/ds/node}: the next time a pod may be recreated and the current delay. */
    private final Map<String, Backoff> failedBackoff = new ConcurrentHashMap<>();
    private volatile Controller controller;

    private record Backoff(Instant until, Duration delay) {
    }

    public DaemonSetController(SharedIndexInformer<DaemonSet> dsInformer, SharedIndexInformer<Pod> podInformer,
            SharedIndexInformer<Node> nodeInformer, SharedIndexInformer<ControllerRevision> revisionInformer,
            ResourceClient<DaemonSet> dsClient, ResourceClient<Pod> podClient, ControllerHistory history,
            PodControl podControl, EventRecorder recorder, Clock clock, int burstReplicas) {
        this.dsInformer = dsInformer;
        this.podInformer = podInformer;
        this.nodeInformer = nodeInformer;
        this.revisionInformer = revisionInformer;
        this.dsClient = dsClient;
        this.podClient = podClient;
        this.history = history;
        this.podControl = podControl;
        this.recorder = recorder;
        this.clock = clock;
        this.burstReplicas = burstReplicas;
        this.expectations = new ControllerExpectations(clock);
    }

    /** Builds the controller on {@code builder} and registers the informer handlers that feed its queue. */
    public Controller register(ControllerBuilder builder) {
        controller = builder.reconciler(this).waitFor(dsInformer::hasSynced).waitFor(podInformer::hasSynced)
                .waitFor(nodeInformer::hasSynced).waitFor(revisionInformer::hasSynced).build();
        dsInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(DaemonSet ds) {
                enqueue(ds);
            }

            @Override
            public void onUpdate(DaemonSet oldDs, DaemonSet curDs) {
                if (!Objects.equals(oldDs.getMetadata().getUid(), curDs.getMetadata().getUid())) {
                    expectations.delete(key(oldDs));
                }
                enqueue(curDs);
            }

            @Override
            public void onDelete(DaemonSet ds, boolean finalStateUnknown) {
                expectations.delete(key(ds));
                enqueue(ds);
            }
        });
        podInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    podGone(pod);
                    return;
                }
                DaemonSet ds = owner(pod);
                if (ds != null) {
                    expectations.creationObserved(key(ds));
                    enqueue(ds);
                } else if (OwnerReferences.controllerOf(pod) == null) {
                    selecting(pod).forEach(DaemonSetController.this::enqueue);
                }
            }

            @Override
            public void onUpdate(Pod oldPod, Pod curPod) {
                if (Objects.equals(oldPod.getMetadata().getResourceVersion(),
                        curPod.getMetadata().getResourceVersion())) {
                    return;
                }
                if (curPod.getMetadata().getDeletionTimestamp() != null
                        && oldPod.getMetadata().getDeletionTimestamp() == null) {
                    podGone(curPod);
                    return;
                }
                DaemonSet old = owner(oldPod);
                DaemonSet cur = owner(curPod);
                if (old != null && cur != old) {
                    enqueue(old);
                }
                if (cur != null) {
                    enqueue(cur);
                    int minReady = minReadySeconds(cur);
                    if (!Pods.isReady(oldPod) && Pods.isReady(curPod) && minReady > 0) {
                        controller.queue().addAfter(Request.of(cur), Duration.ofSeconds(minReady + 1L));
                    }
                } else if (OwnerReferences.controllerOf(curPod) == null) {
                    selecting(curPod).forEach(DaemonSetController.this::enqueue);
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                if (pod.getMetadata().getDeletionTimestamp() == null) {
                    podGone(pod); // deleted without a graceful period the informer saw
                } else {
                    DaemonSet ds = owner(pod);
                    if (ds != null) {
                        enqueue(ds);
                    }
                }
            }
        });
        nodeInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                enqueueAll();
            }

            @Override
            public void onUpdate(Node oldNode, Node curNode) {
                if (!Objects.equals(oldNode.getMetadata().getLabels(), curNode.getMetadata().getLabels())
                        || !Objects.equals(oldNode.getSpec(), curNode.getSpec())) {
                    enqueueAll(); // labels or taints changed: eligibility may have
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                enqueueAll();
            }
        });
        return controller;
    }

    private void enqueue(DaemonSet ds) {
        controller.enqueue(Request.of(ds));
    }

    private void enqueueAll() {
        dsInformer.getIndexer().list().forEach(this::enqueue);
    }

    private void podGone(Pod pod) {
        DaemonSet ds = owner(pod);
        if (ds != null) {
            expectations.deletionObserved(key(ds));
            enqueue(ds);
        }
    }

    private DaemonSet owner(Pod pod) {
        OwnerReference ref = OwnerReferences.controllerOf(pod);
        if (ref == null || !KIND.equals(ref.getKind())) {
            return null;
        }
        DaemonSet ds = dsInformer.lister().get(pod.getMetadata().getNamespace(), ref.getName());
        return ds != null && Objects.equals(ds.getMetadata().getUid(), ref.getUid()) ? ds : null;
    }

    private List<DaemonSet> selecting(Pod pod) {
        List<DaemonSet> out = new ArrayList<>();
        if (labels(pod).isEmpty()) {
            return out;
        }
        for (DaemonSet ds : dsInformer.lister().list(pod.getMetadata().getNamespace())) {
            try {
                LabelSelector sel = LabelSelector.from(ds.getSpec().getSelector());
                if (!sel.isEverything() && !sel.isNothing() && sel.matches(labels(pod))) {
                    out.add(ds);
                }
            } catch (IllegalArgumentException e) {
                // an invalid selector selects nothing
            }
        }
        return out;
    }

    // ---- the sync ----

    @Override
    public Result reconcile(Request request) {
        String key = request.namespace() + "/" + request.name();
        DaemonSet ds = dsInformer.lister().get(request.namespace(), request.name());
        if (ds == null) {
            expectations.delete(key);
            failedBackoff.keySet().removeIf(k -> k.startsWith(key + "/"));
            return Result.done();
        }
        LabelSelector selector;
        try {
            selector = LabelSelector.from(ds.getSpec().getSelector());
        } catch (IllegalArgumentException e) {
            log.warn("DaemonSet {} has an invalid selector: {}", key, e.getMessage());
            return Result.done();
        }
        if (selector.isEverything()) {
            log.warn("DaemonSet {} selects all pods: refusing to manage them", key);
            return Result.done();
        }
        if (ds.getMetadata().getDeletionTimestamp() != null) {
            return Result.done(); // the garbage collector removes its pods
        }
        Revisions revs = constructHistory(ds, selector);
        String hash = revs.hash();
        Instant now = clock.now();
        Map<String, List<Pod>> byNode = podsByNode(ds, selector);
        Duration requeue = null;
        RuntimeException error = null;
        if (expectations.satisfied(key)) {
            try {
                requeue = manage(ds, key, byNode, hash, now);
                if (requeue == null && isRollingUpdate(ds)) {
                    rollingUpdate(ds, key, byNode, hash, now);
                }
                cleanupHistory(ds, revs, byNode);
            } catch (RuntimeException e) {
                error = e;
            }
        }
        DaemonSet written = updateStatus(ds, calculateStatus(ds, byNode, hash, revs.collisionCount(), now));
        int minReady = minReadySeconds(written);
        if (error != null) {
            throw error;
        }
        if (minReady > 0 && written.getStatus() != null && !Objects.equals(written.getStatus().getNumberAvailable(),
                written.getStatus().getDesiredNumberScheduled())) {
            Duration d = Duration.ofSeconds(minReady);
            requeue = requeue == null || d.compareTo(requeue) < 0 ? d : requeue;
        }
        return requeue == null ? Result.done() : Result.requeueAfter(requeue);
    }

    /** The current revision's hash, the revisions owned, the collision count used. */
    record Revisions(String hash, ControllerRevision current, List<ControllerRevision> all, int collisionCount) {
    }

    /**
     * {@code constructHistory}: adopts orphan revisions matching the selector, finds the revision equal to the
     * current template (renumbering it as the newest) or creates it, and de-duplicates equal older ones.
     */
    Revisions constructHistory(DaemonSet ds, LabelSelector selector) {
        List<ControllerRevision> owned = new ArrayList<>();
        for (ControllerRevision r : revisionInformer.lister().list(ds.getMetadata().getNamespace())) {
            if (OwnerReferences.isControlledBy(r, ds.getMetadata().getUid())) {
                owned.add(r);
            } else if (ControllerHistory.adoptable(r, ds.getSpec().getSelector())) {
                try {
                    owned.add(history.adopt(ds, API_VERSION, KIND, r));
                } catch (RuntimeException e) {
                    log.debug("DaemonSet {}: could not adopt revision {}: {}", key(ds), r.getMetadata().getName(),
                            e.getMessage());
                }
            }
        }
        owned = ControllerHistory.sorted(owned);
        int collisionCount = ds.getStatus() == null || ds.getStatus().getCollisionCount() == null ? 0
                : ds.getStatus().getCollisionCount();
        long max = ControllerHistory.maxRevision(owned);
        ControllerRevision candidate = newRevision(ds, max + 1, collisionCount);
        List<ControllerRevision> equal = ControllerHistory.findEqual(owned, candidate);
        ControllerRevision current;
        if (!equal.isEmpty()) {
            current = equal.get(equal.size() - 1);
            if (current.getRevision() == null || current.getRevision() < max) {
                current = history.updateRevision(current, max + 1);
            }
            for (int i = 0; i < equal.size() - 1; i++) {
                history.delete(equal.get(i)); // duplicates: keep the newest
                owned.remove(equal.get(i));
            }
        } else {
            ControllerHistory.Created created = history.create(ds, candidate, collisionCount);
            current = created.revision();
            collisionCount = created.collisionCount();
            owned.add(current);
        }
        String hash = current.getMetadata().getLabels().get(ControllerHistory.HASH_LABEL);
        return new Revisions(hash, current, owned, collisionCount);
    }

    /** A revision of {@code ds}'s template, data {@code {"spec":{"template":{...,"$patch":"replace"}}}}. */
    static ControllerRevision newRevision(DaemonSet ds, long revision, int collisionCount) {
        ObjectNode template = (ObjectNode) Codecs.json().valueToTree(ds.getSpec().getTemplate());
        template.put("$patch", "replace");
        ObjectNode patch = Codecs.json().createObjectNode();
        patch.putObject("spec").set("template", template);
        Map<String, String> labels = ds.getSpec().getTemplate().getMetadata() == null ? Map.of()
                : ds.getSpec().getTemplate().getMetadata().getLabels();
        ControllerRevision cr = ControllerHistory.newRevision(ds, API_VERSION, KIND, labels, patch, revision,
                collisionCount);
        if (ds.getMetadata().getAnnotations() != null && !ds.getMetadata().getAnnotations().isEmpty()) {
            cr.getMetadata().setAnnotations(new TreeMap<>(ds.getMetadata().getAnnotations()));
        }
        return cr;
    }

    /** The claimed daemon pods by target node (adopting orphans, releasing pods that stopped matching). */
    private Map<String, List<Pod>> podsByNode(DaemonSet ds, LabelSelector selector) {
        ControllerRefManager<Pod> m = new ControllerRefManager<>(podClient, ds, API_VERSION, KIND,
                p -> selector.matches(labels(p)), () -> {
                    try {
                        DaemonSet fresh = dsClient.get(ds.getMetadata().getNamespace(), ds.getMetadata().getName())
                                .block(TIMEOUT);
                        return fresh != null && Objects.equals(fresh.getMetadata().getUid(), ds.getMetadata().getUid())
                                && fresh.getMetadata().getDeletionTimestamp() == null;
                    } catch (ApiStatusException.NotFound e) {
                        return false;
                    }
                });
        List<Pod> claimed = m.claim(podInformer.lister().list(ds.getMetadata().getNamespace()));
        Map<String, List<Pod>> out = new TreeMap<>();
        for (Pod p : claimed) {
            String node = DaemonPods.targetNode(p.getSpec());
            if (node != null) {
                out.computeIfAbsent(node, n -> new ArrayList<>()).add(p);
            }
        }
        return out;
    }

    /** A copy of the template's spec with the default daemon tolerations: what eligibility is decided on. */
    static PodTemplateSpec templateWithTolerations(DaemonSet ds) {
        PodTemplateSpec t = Codecs.fromJson(Codecs.toJson(ds.getSpec().getTemplate()), PodTemplateSpec.class);
        DaemonPods.addDefaultTolerations(t.getSpec());
        return t;
    }

    /**
     * {@code manage}: on each node, starts a pod where one should run and none does, deletes failed pods (the
     * recreate waits out a per-node backoff), surplus pods and pods on nodes that no longer qualify. Returns when to
     * sync again for a backoff, else null.
     */
    Duration manage(DaemonSet ds, String key, Map<String, List<Pod>> byNode, String hash, Instant now) {
        PodTemplateSpec template = templateWithTolerations(ds);
        boolean surge = isRollingUpdate(ds) && DaemonSetUpdate.limits(ds, 1)[0] > 0;
        List<String> create = new ArrayList<>();
        List<Pod> delete = new ArrayList<>();
        Duration requeue = null;
        Set<String> seen = new HashSet<>();
        for (Node node : nodeInformer.getIndexer().list()) {
            String name = node.getMetadata().getName();
            seen.add(name);
            DaemonPods.Eligibility e = DaemonPods.shouldRun(template.getSpec(), node);
            List<Pod> pods = byNode.getOrDefault(name, List.of());
            if (e.shouldRun()) {
                List<Pod> alive = new ArrayList<>();
                boolean failed = false;
                for (Pod p : pods) {
                    if (p.getMetadata().getDeletionTimestamp() != null) {
                        continue;
                    }
                    if ("Failed".equals(p.getStatus() == null ? null : p.getStatus().getPhase())) {
                        failed = true;
                        delete.add(p);
                        recorder.event(ds, EventRecorder.WARNING, FAILED_DAEMON_POD, "Found failed daemon pod "
                                + Pods.key(p) + " on node " + name + ", will try to kill it");
                    } else {
                        alive.add(p);
                    }
                }
                String bk = key + "/" + name;
                if (failed) {
                    Backoff b = failedBackoff.get(bk);
                    Duration next = b == null ? BACKOFF_INITIAL : min(b.delay().multipliedBy(2), BACKOFF_MAX);
                    failedBackoff.put(bk, new Backoff(now.plus(next), next));
                    log.info("DaemonSet {}: found failed daemon pod(s) on node {}, will try to kill them", key, name);
                }
                if (alive.isEmpty()) {
                    Backoff b = failedBackoff.get(bk);
                    if (b != null && now.isBefore(b.until())) {
                        Duration wait = Duration.between(now, b.until());
                        requeue = requeue == null || wait.compareTo(requeue) < 0 ? wait : requeue;
                    } else {
                        create.add(name);
                    }
                } else if (alive.size() > 1) {
                    delete.addAll(surplus(alive, hash, surge));
                }
            } else if (!e.shouldContinueRunning()) {
                pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).forEach(delete::add);
            }
        }
        failedBackoff.keySet().removeIf(k -> k.startsWith(key + "/")
                && !seen.contains(k.substring(key.length() + 1)));
        syncNodes(ds, key, delete, create, hash, template);
        return requeue;
    }

    /**
     * The pods to delete when a node runs several: all but the oldest (with surge, all but the oldest updated and the
     * oldest old pod, the pair a surging update needs).
     */
    static List<Pod> surplus(List<Pod> alive, String hash, boolean surge) {
        List<Pod> sorted = new ArrayList<>(alive);
        sorted.sort(Comparator.comparing((Pod p) -> Objects.toString(p.getMetadata().getCreationTimestamp(), ""))
                .thenComparing(p -> p.getMetadata().getName()));
        List<Pod> out = new ArrayList<>();
        boolean keptNew = false;
        boolean keptOld = false;
        boolean keptAny = false;
        for (Pod p : sorted) {
            if (surge) {
                boolean updated = DaemonSetUpdate.isUpdated(p, hash);
                if (updated && !keptNew) {
                    keptNew = true;
                } else if (!updated && !keptOld) {
                    keptOld = true;
                } else {
                    out.add(p);
                }
            } else if (!keptAny) {
                keptAny = true;
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private void rollingUpdate(DaemonSet ds, String key, Map<String, List<Pod>> byNode, String hash, Instant now) {
        PodTemplateSpec template = templateWithTolerations(ds);
        Map<String, List<Pod>> eligible = new LinkedHashMap<>();
        for (Node node : nodeInformer.getIndexer().list()) {
            if (DaemonPods.shouldRun(template.getSpec(), node).shouldRun()) {
                eligible.put(node.getMetadata().getName(),
                        byNode.getOrDefault(node.getMetadata().getName(), List.of()));
            }
        }
        int[] limits = DaemonSetUpdate.limits(ds, eligible.size());
        DaemonSetUpdate.Plan plan = DaemonSetUpdate.plan(new TreeMap<>(eligible), hash, limits[0], limits[1],
                minReadySeconds(ds), now);
        syncNodes(ds, key, plan.oldPodsToDelete(), plan.nodesToCreate(), hash, template);
    }

    /** {@code syncNodes}: deletes {@code delete} and creates one pod per node of {@code create}, as expectations. */
    private void syncNodes(DaemonSet ds, String key, List<Pod> delete, List<String> create, String hash,
                           PodTemplateSpec template) {
        if (delete.isEmpty() && create.isEmpty()) {
            return;
        }
        List<String> nodes = create.subList(0, Math.min(create.size(), burstReplicas));
        expectations.set(key, nodes.size(), delete.size());
        String ns = ds.getMetadata().getNamespace();
        OwnerReference ref = OwnerReferences.controllerRef(ds, API_VERSION, KIND);
        Throwable error = null;
        if (!nodes.isEmpty()) {
            ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>(nodes);
            SlowStart.Outcome outcome = SlowStart.run(nodes.size(), SlowStart.INITIAL_BATCH_SIZE, () -> {
                String node = queue.poll();
                PodTemplateSpec t = Codecs.fromJson(Codecs.toJson(template), PodTemplateSpec.class);
                if (t.getMetadata().getLabels() == null) {
                    t.getMetadata().setLabels(new TreeMap<>());
                }
                t.getMetadata().getLabels().put(DaemonSetUpdate.HASH_LABEL, hash);
                t.getMetadata().getLabels().put(TEMPLATE_GENERATION_LABEL,
                        String.valueOf(ds.getMetadata().getGeneration()));
                DaemonPods.pinToNode(t.getSpec(), node);
                return podControl.createPod(ns, t, ds, ref)
                        .onErrorResume(e -> e instanceof ApiStatusException.Forbidden f
                                && String.valueOf(f.getMessage()).contains("being terminated"), e -> Mono.empty());
            });
            for (int i = outcome.successes(); i < nodes.size(); i++) {
                expectations.creationObserved(key); // never seen: not created
            }
            error = outcome.error();
        }
        for (Pod p : delete) {
            try {
                podControl.deletePod(ns, p.getMetadata().getName(), ds).block(TIMEOUT);
            } catch (RuntimeException e) {
                expectations.deletionObserved(key);
                if (!(e instanceof ApiStatusException.NotFound) && error == null) {
                    error = e;
                }
            }
        }
        if (error != null) {
            throw error instanceof RuntimeException r ? r : new IllegalStateException(error.getMessage(), error);
        }
    }

    /** Deletes the oldest revisions beyond {@code revisionHistoryLimit} that no live pod was made from. */
    private void cleanupHistory(DaemonSet ds, Revisions revs, Map<String, List<Pod>> byNode) {
        int limit = ds.getSpec().getRevisionHistoryLimit() == null ? 10 : ds.getSpec().getRevisionHistoryLimit();
        Set<String> live = new HashSet<>();
        live.add(revs.hash());
        byNode.values().forEach(ps -> ps.forEach(p -> {
            String h = labels(p).get(DaemonSetUpdate.HASH_LABEL);
            if (h != null) {
                live.add(h);
            }
        }));
        List<ControllerRevision> old = new ArrayList<>();
        for (ControllerRevision r : ControllerHistory.sorted(revs.all())) {
            String h = r.getMetadata().getLabels() == null ? null
                    : r.getMetadata().getLabels().get(ControllerHistory.HASH_LABEL);
            if (!live.contains(h)) {
                old.add(r);
            }
        }
        for (int i = 0; i < old.size() - limit; i++) {
            history.delete(old.get(i));
        }
    }

    /** The status {@code byNode} gives (Kubernetes' {@code updateDaemonSetStatus}). */
    DaemonSetStatus calculateStatus(DaemonSet ds, Map<String, List<Pod>> byNode, String hash, int collisionCount,
                                    Instant now) {
        PodTemplateSpec template = templateWithTolerations(ds);
        int desired = 0;
        int current = 0;
        int misscheduled = 0;
        int ready = 0;
        int available = 0;
        int updated = 0;
        int minReady = minReadySeconds(ds);
        for (Node node : nodeInformer.getIndexer().list()) {
            List<Pod> pods = byNode.getOrDefault(node.getMetadata().getName(), List.of()).stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
            boolean shouldRun = DaemonPods.shouldRun(template.getSpec(), node).shouldRun();
            if (shouldRun) {
                desired++;
                if (!pods.isEmpty()) {
                    current++;
                    Pod p = pods.stream().filter(x -> DaemonSetUpdate.isUpdated(x, hash)).findFirst()
                            .orElse(pods.get(0));
                    if (Pods.isReady(p)) {
                        ready++;
                        if (Pods.isAvailable(p, minReady, now)) {
                            available++;
                        }
                    }
                    if (DaemonSetUpdate.isUpdated(p, hash)) {
                        updated++;
                    }
                }
            } else if (!pods.isEmpty()) {
                misscheduled++;
            }
        }
        DaemonSetStatus s = new DaemonSetStatus();
        s.setDesiredNumberScheduled(desired);
        s.setCurrentNumberScheduled(current);
        s.setNumberMisscheduled(misscheduled);
        s.setNumberReady(ready);
        s.setNumberAvailable(available);
        s.setUpdatedNumberScheduled(updated);
        s.setNumberUnavailable(desired - available);
        s.setCollisionCount(collisionCount == 0 && (ds.getStatus() == null
                || ds.getStatus().getCollisionCount() == null) ? null : collisionCount);
        s.setObservedGeneration(ds.getMetadata().getGeneration());
        s.setConditions(ds.getStatus() == null ? null : ds.getStatus().getConditions());
        return s;
    }

    private DaemonSet updateStatus(DaemonSet ds, DaemonSetStatus status) {
        if (Objects.equals(Codecs.json().valueToTree(ds.getStatus()), Codecs.json().valueToTree(status))) {
            return ds;
        }
        String uid = ds.getMetadata().getUid();
        try {
            DaemonSet written = dsClient.updateWithRetry(ds.getMetadata().getNamespace(), ds.getMetadata().getName(),
                    cur -> {
                        if (!Objects.equals(cur.getMetadata().getUid(), uid)) {
                            return null;
                        }
                        cur.setStatus(status);
                        return cur;
                    }, true).block(TIMEOUT);
            return written == null ? ds : written;
        } catch (ApiStatusException.NotFound e) {
            return ds;
        }
    }

    // ---- small helpers ----

    static String key(DaemonSet ds) {
        return ds.getMetadata().getNamespace() + "/" + ds.getMetadata().getName();
    }

    static boolean isRollingUpdate(DaemonSet ds) {
        return ds.getSpec().getUpdateStrategy() == null || ds.getSpec().getUpdateStrategy().getType() == null
                || "RollingUpdate".equals(ds.getSpec().getUpdateStrategy().getType());
    }

    static int minReadySeconds(DaemonSet ds) {
        Integer m = ds.getSpec() == null ? null : ds.getSpec().getMinReadySeconds();
        return m == null ? 0 : m;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    private static Map<String, String> labels(Pod p) {
        Map<String, String> l = p.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }
}
