package io.kube4j.controller.deployment;

import static io.kube4j.controller.deployment.DeploymentUtil.*;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetSpec;
import io.kube4j.api.codec.Codecs;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.common.OwnerReferences;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync of one Deployment over the ReplicaSets it owns, after Kubernetes' {@code syncDeployment} and its
 * {@code sync.go}, {@code rolling.go}, {@code recreate.go} and {@code progress.go}: scaling (proportionally during a
 * rollout), pause, RollingUpdate and Recreate rollouts, revision bookkeeping, history cleanup, status and the
 * Progressing/Available conditions. Single use; all writes go through a {@link DeploymentWriter}.
 */
final class DeploymentSync {

    private static final Logger log = LoggerFactory.getLogger(DeploymentSync.class);

    /** What a sync asks of the queue: nothing, a requeue after a delay, or a rate-limited requeue (zero). */
    record Outcome(Duration requeueAfter) {
        static final Outcome DONE = new Outcome(null);
    }

    private record Scaled(boolean scaled, ReplicaSet rs) {
    }

    private record NewAndOld(ReplicaSet newRS, List<ReplicaSet> oldRSs) {
        List<ReplicaSet> all() {
            List<ReplicaSet> all = new ArrayList<>(oldRSs);
            if (newRS != null) {
                all.add(newRS);
            }
            return all;
        }
    }

    private final DeploymentWriter writer;
    private final Clock clock;
    private Deployment d;
    /** The owned ReplicaSets, kept current with this sync's own writes to them. */
    private List<ReplicaSet> rsList = new ArrayList<>();
    private Duration requeueAfter;

    DeploymentSync(DeploymentWriter writer, Clock clock, Deployment deployment) {
        this.writer = writer;
        this.clock = clock;
        this.d = Codecs.json().convertValue(deployment, Deployment.class);
        if (d.getStatus() == null) {
            d.setStatus(new DeploymentStatus());
        }
        if (d.getMetadata().getAnnotations() == null) {
            d.getMetadata().setAnnotations(new HashMap<>());
        }
    }

    /** The Deployment as last written (or read). */
    Deployment deployment() {
        return d;
    }

    /**
     * Syncs the Deployment given the ReplicaSets it owns and, for Recreate, its pods by owning ReplicaSet uid.
     */
    Outcome run(List<ReplicaSet> owned, Map<String, List<Pod>> podMap) {
        this.rsList = new ArrayList<>(owned);
        LabelSelector sel = d.getSpec().getSelector();
        if (sel == null || (empty(sel.getMatchLabels()) && empty(sel.getMatchExpressions()))) {
            writer.event(d, EventRecorder.WARNING, "SelectingAll",
                    "This deployment is selecting all pods. A non-empty selector is required.");
            if (observedGeneration() < generation(d)) {
                d.getStatus().setObservedGeneration(generation(d));
                d = writer.updateStatus(d);
            }
            return Outcome.DONE;
        }
        if (d.getMetadata().getDeletionTimestamp() != null) {
            NewAndOld rs = newAndOld(false);
            syncDeploymentStatus(rs.all(), rs.newRS());
            return Outcome.DONE;
        }
        checkPausedConditions();
        if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
            sync();
            return outcome();
        }
        if (isScalingEvent()) {
            sync();
            return outcome();
        }
        if (isRollingUpdate(d)) {
            rolloutRolling();
        } else {
            rolloutRecreate(podMap);
        }
        return outcome();
    }

    private Outcome outcome() {
        return requeueAfter == null ? Outcome.DONE : new Outcome(requeueAfter);
    }

    private long observedGeneration() {
        return d.getStatus().getObservedGeneration() == null ? 0 : d.getStatus().getObservedGeneration();
    }

    private static boolean empty(Map<?, ?> m) {
        return m == null || m.isEmpty();
    }

    private static boolean empty(List<?> l) {
        return l == null || l.isEmpty();
    }

    // ---- sync.go

    /** Scaling, and history cleanup while paused, then status (Kubernetes' {@code sync}). */
    void sync() {
        NewAndOld rs = newAndOld(false);
        scale(rs.newRS(), rs.oldRSs());
        if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
            cleanupDeployment(rs.oldRSs());
        }
        syncDeploymentStatus(rs.all(), rs.newRS());
    }

    private void checkPausedConditions() {
        if (!hasProgressDeadline(d)) {
            return;
        }
        DeploymentCondition cond = condition(d.getStatus(), PROGRESSING);
        if (cond != null && TIMED_OUT_REASON.equals(cond.getReason())) {
            return; // a reported lack of progress is not overwritten by pausing
        }
        boolean pausedCondExists = cond != null && PAUSED_REASON.equals(cond.getReason());
        boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
        Instant now = clock.now();
        if (paused && !pausedCondExists) {
            setCondition(d.getStatus(), newCondition(PROGRESSING, "Unknown", PAUSED_REASON, "Deployment is paused", now));
        } else if (!paused && pausedCondExists) {
            setCondition(d.getStatus(), newCondition(PROGRESSING, "Unknown", RESUMED_REASON, "Deployment is resumed",
                    now));
        } else {
            return;
        }
        d = writer.updateStatus(d);
    }

    /** Whether an active ReplicaSet was last scaled for another replica count than the Deployment's now. */
    private boolean isScalingEvent() {
        NewAndOld rs = newAndOld(false);
        for (ReplicaSet r : active(rs.all())) {
            Integer desired = intAnnotation(r, DESIRED_REPLICAS);
            if (desired != null && desired != replicas(d)) {
                return true;
            }
        }
        return false;
    }

    private NewAndOld newAndOld(boolean createIfMissing) {
        ReplicaSet existing = findNewReplicaSet(d, rsList);
        List<ReplicaSet> old = findOldReplicaSets(existing, rsList);
        ReplicaSet newRS = newReplicaSet(existing, old, createIfMissing);
        return new NewAndOld(newRS, old);
    }

    /**
     * The new ReplicaSet with its revision brought up to date, created when missing and asked to
     * (getNewReplicaSet); the Deployment's revision annotation follows.
     */
    private ReplicaSet newReplicaSet(ReplicaSet existing, List<ReplicaSet> oldRSs, boolean createIfMissing) {
        String newRevision = Long.toString(maxRevision(oldRSs) + 1);
        if (existing != null) {
            ReplicaSet copy = Codecs.json().convertValue(existing, ReplicaSet.class);
            boolean annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
            boolean minReadyChanged = nz(copy.getSpec().getMinReadySeconds()) != nz(d.getSpec().getMinReadySeconds());
            if (annotationsUpdated || minReadyChanged) {
                copy.getSpec().setMinReadySeconds(d.getSpec().getMinReadySeconds());
                return remember(writer.updateReplicaSet(copy));
            }
            boolean revisionChanged = setDeploymentRevision(d, copy.getMetadata().getAnnotations().get(REVISION));
            boolean statusChanged = false;
            if (hasProgressDeadline(d) && condition(d.getStatus(), PROGRESSING) == null) {
                setCondition(d.getStatus(), newCondition(PROGRESSING, "True", FOUND_NEW_RS_REASON,
                        "Found new replica set \"" + copy.getMetadata().getName() + "\"", clock.now()));
                statusChanged = true;
            }
            writeDeployment(revisionChanged, statusChanged);
            return copy;
        }
        if (!createIfMissing) {
            return null;
        }
        PodTemplateSpec template = Codecs.json().convertValue(d.getSpec().getTemplate(), PodTemplateSpec.class);
        String hash = PodTemplateHash.compute(d.getSpec().getTemplate(), d.getStatus().getCollisionCount());
        if (template.getMetadata() == null) {
            template.setMetadata(new ObjectMeta());
        }
        Map<String, String> labels = template.getMetadata().getLabels() == null ? new HashMap<>()
                : new HashMap<>(template.getMetadata().getLabels());
        labels.put(POD_TEMPLATE_HASH, hash);
        template.getMetadata().setLabels(labels);
        LabelSelector selector = Codecs.json().convertValue(d.getSpec().getSelector(), LabelSelector.class);
        Map<String, String> matchLabels = selector.getMatchLabels() == null ? new HashMap<>()
                : new HashMap<>(selector.getMatchLabels());
        matchLabels.put(POD_TEMPLATE_HASH, hash);
        selector.setMatchLabels(matchLabels);

        ReplicaSet rs = new ReplicaSet();
        rs.setApiVersion("apps/v1");
        rs.setKind("ReplicaSet");
        ObjectMeta meta = new ObjectMeta();
        meta.setName(d.getMetadata().getName() + "-" + hash);
        meta.setNamespace(d.getMetadata().getNamespace());
        meta.setLabels(new HashMap<>(labels));
        meta.setOwnerReferences(List.of(OwnerReferences.controllerRef(d, "apps/v1", "Deployment")));
        rs.setMetadata(meta);
        ReplicaSetSpec spec = new ReplicaSetSpec();
        spec.setReplicas(0);
        spec.setMinReadySeconds(d.getSpec().getMinReadySeconds());
        spec.setSelector(selector);
        spec.setTemplate(template);
        rs.setSpec(spec);
        List<ReplicaSet> all = new ArrayList<>(oldRSs);
        all.add(rs);
        int newReplicas = newRSNewReplicas(d, all, rs);
        spec.setReplicas(newReplicas);
        setNewReplicaSetAnnotations(d, rs, newRevision, false);

        ReplicaSet created;
        boolean alreadyExists = false;
        try {
            created = writer.createReplicaSet(rs);
        } catch (ApiStatusException.AlreadyExists e) {
            alreadyExists = true;
            created = existingOrCollision(rs, e);
        } catch (ApiStatusException e) {
            if (e.getMessage() != null && e.getMessage().contains("is being terminated")) {
                throw e; // the namespace is going away: nothing to report
            }
            String msg = "Failed to create new replica set \"" + rs.getMetadata().getName() + "\": " + e.getMessage();
            if (hasProgressDeadline(d)) {
                setCondition(d.getStatus(), newCondition(PROGRESSING, "False", FAILED_RS_CREATE_REASON, msg,
                        clock.now()));
                writeDeployment(false, true);
            }
            writer.event(d, EventRecorder.WARNING, FAILED_RS_CREATE_REASON, msg);
            throw e;
        }
        remember(created);
        if (!alreadyExists && newReplicas > 0) {
            writer.event(d, EventRecorder.NORMAL, "ScalingReplicaSet",
                    "Scaled up replica set " + created.getMetadata().getName() + " from 0 to " + newReplicas);
        }
        boolean revisionChanged = setDeploymentRevision(d, newRevision);
        boolean statusChanged = false;
        if (!alreadyExists && hasProgressDeadline(d)) {
            setCondition(d.getStatus(), newCondition(PROGRESSING, "True", NEW_RS_REASON,
                    "Created new replica set \"" + created.getMetadata().getName() + "\"", clock.now()));
            statusChanged = true;
        }
        writeDeployment(revisionChanged, statusChanged);
        return created;
    }

    /** Puts {@code rs} in place of the copy of it this sync holds (or adds it), so later steps see the write. */
    private ReplicaSet remember(ReplicaSet rs) {
        for (int i = 0; i < rsList.size(); i++) {
            if (Objects.equals(rsList.get(i).getMetadata().getUid(), rs.getMetadata().getUid())) {
                rsList.set(i, rs);
                return rs;
            }
        }
        rsList.add(rs);
        return rs;
    }

    /**
     * A ReplicaSet of the new name exists: ours when we control it and its template equals the Deployment's;
     * otherwise a hash collision, so bump {@code status.collisionCount} and fail this sync (the next one computes
     * another name).
     */
    private ReplicaSet existingOrCollision(ReplicaSet wanted, ApiStatusException.AlreadyExists e) {
        ReplicaSet current = writer.cachedReplicaSet(wanted.getMetadata().getNamespace(), wanted.getMetadata().getName());
        if (current != null && OwnerReferences.isControlledBy(current, d.getMetadata().getUid())
                && equalIgnoreHash(d.getSpec().getTemplate(), current.getSpec().getTemplate())) {
            return current;
        }
        Integer cc = d.getStatus().getCollisionCount();
        d.getStatus().setCollisionCount(cc == null ? 1 : cc + 1);
        d = writer.updateStatus(d);
        log.info("hash collision for deployment {}/{} on {}: collisionCount now {}", d.getMetadata().getNamespace(),
                d.getMetadata().getName(), wanted.getMetadata().getName(), d.getStatus().getCollisionCount());
        throw e;
    }

    /**
     * Writes the revision annotation (a metadata update: the status subresource ignores metadata here, unlike
     * Kubernetes' Deployment status strategy) and then the status, each only when it changed.
     */
    private void writeDeployment(boolean metadataChanged, boolean statusChanged) {
        if (metadataChanged) {
            DeploymentStatus status = d.getStatus();
            d = writer.updateMetadata(d);
            d.setStatus(status);
        }
        if (statusChanged) {
            d = writer.updateStatus(d);
        }
    }

    /** Scales ReplicaSets to the Deployment's replicas, proportionally while a rollout is in flight (sync.go scale). */
    void scale(ReplicaSet newRS, List<ReplicaSet> oldRSs) {
        ReplicaSet single = activeOrLatest(newRS, oldRSs);
        if (single != null) {
            if (replicas(single) != replicas(d)) {
                scaleAndRecord(single, replicas(d));
            }
            return;
        }
        if (isSaturated(d, newRS)) {
            for (ReplicaSet old : active(oldRSs)) {
                scaleAndRecord(old, 0);
            }
            return;
        }
        if (!isRollingUpdate(d)) {
            return;
        }
        List<ReplicaSet> all = new ArrayList<>(oldRSs);
        all.add(newRS);
        all = active(all);
        int allReplicas = specReplicas(all);
        int allowed = replicas(d) > 0 ? replicas(d) + maxSurge(d) : 0;
        int toAdd = allowed - allReplicas;
        String op = "";
        if (toAdd > 0) {
            all.sort(BY_SIZE_NEWER);
            op = "up";
        } else if (toAdd < 0) {
            all.sort(BY_SIZE_OLDER);
            op = "down";
        }
        Map<String, Integer> sizes = new HashMap<>();
        int added = 0;
        for (ReplicaSet rs : all) {
            if (toAdd != 0) {
                int p = proportion(rs, d, toAdd, added);
                sizes.put(rs.getMetadata().getName(), replicas(rs) + p);
                added += p;
            } else {
                sizes.put(rs.getMetadata().getName(), replicas(rs));
            }
        }
        for (int i = 0; i < all.size(); i++) {
            ReplicaSet rs = all.get(i);
            String name = rs.getMetadata().getName();
            if (i == 0 && toAdd != 0) {
                sizes.put(name, Math.max(0, sizes.get(name) + toAdd - added)); // leftovers to the largest
            }
            scaleReplicaSet(rs, sizes.get(name), op);
        }
    }

    private Scaled scaleAndRecord(ReplicaSet rs, int newScale) {
        if (replicas(rs) == newScale) {
            return new Scaled(false, rs);
        }
        return scaleReplicaSet(rs, newScale, replicas(rs) < newScale ? "up" : "down");
    }

    private Scaled scaleReplicaSet(ReplicaSet rs, int newScale, String op) {
        boolean sizeChanged = replicas(rs) != newScale;
        int max = replicas(d) + maxSurge(d);
        if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, replicas(d), max)) {
            return new Scaled(false, rs);
        }
        int oldScale = replicas(rs);
        ReplicaSet copy = Codecs.json().convertValue(rs, ReplicaSet.class);
        copy.getSpec().setReplicas(newScale);
        setReplicasAnnotations(copy, replicas(d), max);
        ReplicaSet updated = remember(writer.updateReplicaSet(copy));
        if (sizeChanged) {
            writer.event(d, EventRecorder.NORMAL, "ScalingReplicaSet", "Scaled " + op + " replica set "
                    + rs.getMetadata().getName() + " to " + newScale + " from " + oldScale); // Kubernetes' wording
        }
        return new Scaled(sizeChanged, updated);
    }

    /** Deletes the oldest fully scaled-down ReplicaSets beyond {@code revisionHistoryLimit} (cleanupDeployment). */
    void cleanupDeployment(List<ReplicaSet> oldRSs) {
        Integer limit = d.getSpec().getRevisionHistoryLimit();
        if (limit == null) {
            return;
        }
        List<ReplicaSet> cleanable = new ArrayList<>();
        for (ReplicaSet rs : oldRSs) {
            if (rs != null && rs.getMetadata().getDeletionTimestamp() == null) {
                cleanable.add(rs);
            }
        }
        int diff = cleanable.size() - limit;
        if (diff <= 0) {
            return;
        }
        cleanable.sort(BY_REVISION);
        for (int i = 0; i < diff; i++) {
            ReplicaSet rs = cleanable.get(i);
            long gen = rs.getMetadata().getGeneration() == null ? 0 : rs.getMetadata().getGeneration();
            long observed = rs.getStatus() == null || rs.getStatus().getObservedGeneration() == null ? 0
                    : rs.getStatus().getObservedGeneration();
            if (statusReplicas(rs) != 0 || replicas(rs) != 0 || gen > observed) {
                continue;
            }
            log.debug("deployment {}/{}: deleting old replica set {}", d.getMetadata().getNamespace(),
                    d.getMetadata().getName(), rs.getMetadata().getName());
            writer.deleteReplicaSet(rs);
        }
    }

    /** Writes the status computed from the ReplicaSets, when it changed (syncDeploymentStatus). */
    private void syncDeploymentStatus(List<ReplicaSet> allRSs, ReplicaSet newRS) {
        DeploymentStatus status = calculateStatus(allRSs, newRS);
        if (sameStatus(d.getStatus(), status)) {
            return;
        }
        d.setStatus(status);
        d = writer.updateStatus(d);
    }

    static boolean sameStatus(DeploymentStatus a, DeploymentStatus b) {
        return PodTemplateHash.canonicalJson(a).equals(PodTemplateHash.canonicalJson(b));
    }

    /** The status the ReplicaSets add up to, with the Available condition (calculateStatus). */
    DeploymentStatus calculateStatus(List<ReplicaSet> allRSs, ReplicaSet newRS) {
        int available = availableReplicas(allRSs);
        int unavailable = Math.max(0, specReplicas(allRSs) - available);
        DeploymentStatus s = new DeploymentStatus();
        s.setObservedGeneration(generation(d));
        s.setReplicas(actualReplicas(allRSs));
        s.setUpdatedReplicas(newRS == null ? 0 : statusReplicas(newRS));
        s.setReadyReplicas(readyReplicas(allRSs));
        s.setAvailableReplicas(available);
        s.setUnavailableReplicas(unavailable);
        s.setCollisionCount(d.getStatus().getCollisionCount());
        s.setConditions(new ArrayList<>());
        if (d.getStatus().getConditions() != null) {
            for (DeploymentCondition c : d.getStatus().getConditions()) {
                s.getConditions().add(Codecs.json().convertValue(c, DeploymentCondition.class));
            }
        }
        if (available >= replicas(d) - maxUnavailable(d)) {
            setCondition(s, newCondition(AVAILABLE, "True", MIN_AVAILABLE_REASON, "Deployment has minimum availability.",
                    clock.now()));
        } else {
            setCondition(s, newCondition(AVAILABLE, "False", MIN_UNAVAILABLE_REASON,
                    "Deployment does not have minimum availability.", clock.now()));
        }
        return s;
    }

    // ---- progress.go

    /** Status with the Progressing condition estimated, and a requeue at the progress deadline (syncRolloutStatus). */
    void syncRolloutStatus(List<ReplicaSet> allRSs, ReplicaSet newRS) {
        DeploymentStatus s = calculateStatus(allRSs, newRS);
        if (!hasProgressDeadline(d)) {
            removeCondition(s, PROGRESSING);
        }
        DeploymentCondition current = condition(d.getStatus(), PROGRESSING);
        boolean isComplete = nz(s.getReplicas()) == nz(s.getUpdatedReplicas()) && current != null
                && NEW_RS_AVAILABLE_REASON.equals(current.getReason());
        Instant now = clock.now();
        if (hasProgressDeadline(d) && !isComplete) {
            String rsName = newRS == null ? null : newRS.getMetadata().getName();
            if (complete(d, s)) {
                String msg = rsName != null ? "ReplicaSet \"" + rsName + "\" has successfully progressed."
                        : "Deployment \"" + d.getMetadata().getName() + "\" has successfully progressed.";
                setCondition(s, newCondition(PROGRESSING, "True", NEW_RS_AVAILABLE_REASON, msg, now));
            } else if (progressing(d, s)) {
                String msg = rsName != null ? "ReplicaSet \"" + rsName + "\" is progressing."
                        : "Deployment \"" + d.getMetadata().getName() + "\" is progressing.";
                DeploymentCondition c = newCondition(PROGRESSING, "True", RS_UPDATED_REASON, msg, now);
                // Progress refreshes lastUpdateTime even when the reason stays the same.
                if (current != null) {
                    if ("True".equals(current.getStatus())) {
                        c.setLastTransitionTime(current.getLastTransitionTime());
                    }
                    removeCondition(s, PROGRESSING);
                }
                setCondition(s, c);
            } else if (timedOut(d, s, now)) {
                String msg = rsName != null ? "ReplicaSet \"" + rsName + "\" has timed out progressing."
                        : "Deployment \"" + d.getMetadata().getName() + "\" has timed out progressing.";
                setCondition(s, newCondition(PROGRESSING, "False", TIMED_OUT_REASON, msg, now));
            }
        }
        DeploymentCondition failure = replicaFailure(allRSs, newRS);
        if (failure != null) {
            setCondition(s, failure);
        } else {
            removeCondition(s, REPLICA_FAILURE);
        }
        if (sameStatus(d.getStatus(), s)) {
            requeueStuckDeployment(s, now);
            return;
        }
        d.setStatus(s);
        d = writer.updateStatus(d);
    }

    private static DeploymentCondition replicaFailure(List<ReplicaSet> allRSs, ReplicaSet newRS) {
        if (newRS != null && newRS.getStatus() != null && newRS.getStatus().getConditions() != null) {
            for (ReplicaSetCondition c : newRS.getStatus().getConditions()) {
                if (REPLICA_FAILURE.equals(c.getType())) {
                    return fromReplicaSetCondition(c);
                }
            }
        }
        for (ReplicaSet rs : allRSs) {
            if (rs != null && rs.getStatus() != null && rs.getStatus().getConditions() != null) {
                for (ReplicaSetCondition c : rs.getStatus().getConditions()) {
                    if (REPLICA_FAILURE.equals(c.getType())) {
                        return fromReplicaSetCondition(c);
                    }
                }
            }
        }
        return null;
    }

    /** Asks for a resync when the progress deadline of an unfinished rollout passes (requeueStuckDeployment). */
    private void requeueStuckDeployment(DeploymentStatus s, Instant now) {
        DeploymentCondition current = condition(d.getStatus(), PROGRESSING);
        if (!hasProgressDeadline(d) || current == null) {
            return;
        }
        if (complete(d, s) || TIMED_OUT_REASON.equals(current.getReason())) {
            return;
        }
        Duration after = Duration.between(now, instant(current.getLastUpdateTime())
                .plusSeconds(d.getSpec().getProgressDeadlineSeconds()));
        requeueAfter = after.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ZERO : after;
    }

    // ---- rolling.go

    void rolloutRolling() {
        NewAndOld rs = newAndOld(true);
        ReplicaSet newRS = rs.newRS();
        List<ReplicaSet> oldRSs = rs.oldRSs();
        List<ReplicaSet> all = rs.all();
        if (reconcileNewReplicaSet(all, newRS)) {
            syncRolloutStatus(all, newRS);
            return;
        }
        if (reconcileOldReplicaSets(all, active(oldRSs), newRS)) {
            syncRolloutStatus(all, newRS);
            return;
        }
        if (complete(d, d.getStatus())) {
            cleanupDeployment(oldRSs);
        }
        syncRolloutStatus(all, newRS);
    }

    /** Scales the new ReplicaSet up within maxSurge (or down to the Deployment's replicas); whether it scaled. */
    boolean reconcileNewReplicaSet(List<ReplicaSet> allRSs, ReplicaSet newRS) {
        if (replicas(newRS) == replicas(d)) {
            return false;
        }
        if (replicas(newRS) > replicas(d)) {
            return scaleAndRecord(newRS, replicas(d)).scaled();
        }
        return scaleAndRecord(newRS, newRSNewReplicas(d, allRSs, newRS)).scaled();
    }

    /**
     * Scales old ReplicaSets down as far as maxUnavailable allows: unhealthy replicas first, then available ones,
     * oldest ReplicaSets first (reconcileOldReplicaSets); whether anything was scaled.
     */
    boolean reconcileOldReplicaSets(List<ReplicaSet> allRSs, List<ReplicaSet> oldRSs, ReplicaSet newRS) {
        if (specReplicas(oldRSs) == 0) {
            return false;
        }
        int allPods = specReplicas(allRSs);
        int minAvailable = replicas(d) - maxUnavailable(d);
        int newUnavailable = replicas(newRS) - statusAvailable(newRS);
        int maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) {
            return false;
        }
        List<ReplicaSet> olds = new ArrayList<>(oldRSs);
        int cleaned = cleanupUnhealthyReplicas(olds, maxScaledDown);
        List<ReplicaSet> all = new ArrayList<>(olds);
        all.add(newRS);
        int scaledDown = scaleDownOldReplicaSetsForRollingUpdate(all, olds);
        return cleaned + scaledDown > 0;
    }

    /**
     * Scales old ReplicaSets down by their unavailable replicas, at most {@code maxCleanup} in all, oldest first;
     * {@code oldRSs} is sorted and updated in place. Returns how many replicas went (cleanupUnhealthyReplicas).
     */
    int cleanupUnhealthyReplicas(List<ReplicaSet> oldRSs, int maxCleanup) {
        oldRSs.sort(BY_CREATION);
        int total = 0;
        for (int i = 0; i < oldRSs.size(); i++) {
            ReplicaSet rs = oldRSs.get(i);
            if (total >= maxCleanup) {
                break;
            }
            int available = Math.min(statusAvailable(rs), replicas(rs));
            if (replicas(rs) == 0 || replicas(rs) == available) {
                continue;
            }
            int count = Math.min(maxCleanup - total, replicas(rs) - available);
            Scaled s = scaleAndRecord(rs, replicas(rs) - count);
            oldRSs.set(i, s.rs());
            total += count;
        }
        return total;
    }

    /** Scales old ReplicaSets down while availability stays at or above minAvailable, oldest first. */
    int scaleDownOldReplicaSetsForRollingUpdate(List<ReplicaSet> allRSs, List<ReplicaSet> oldRSs) {
        int minAvailable = replicas(d) - maxUnavailable(d);
        int available = lastingAvailable(allRSs);
        if (available <= minAvailable) {
            return 0;
        }
        List<ReplicaSet> olds = new ArrayList<>(oldRSs);
        olds.sort(BY_CREATION);
        int total = 0;
        int toScaleDown = available - minAvailable;
        for (ReplicaSet rs : olds) {
            if (total >= toScaleDown) {
                break;
            }
            if (replicas(rs) == 0) {
                continue;
            }
            int count = Math.min(replicas(rs), toScaleDown - total);
            scaleAndRecord(rs, replicas(rs) - count);
            total += count;
        }
        return total;
    }

    // ---- recreate.go

    void rolloutRecreate(Map<String, List<Pod>> podMap) {
        // No new ReplicaSet yet: create it only once the old pods are gone, so old and new never run together.
        NewAndOld rs = newAndOld(false);
        ReplicaSet newRS = rs.newRS();
        List<ReplicaSet> oldRSs = rs.oldRSs();
        List<ReplicaSet> all = rs.all();
        boolean scaledDown = false;
        for (ReplicaSet old : active(oldRSs)) {
            scaledDown |= scaleAndRecord(old, 0).scaled();
        }
        if (scaledDown) {
            syncRolloutStatus(all, newRS);
            return;
        }
        if (oldPodsRunning(newRS, oldRSs, podMap)) {
            syncRolloutStatus(all, newRS);
            return;
        }
        if (newRS == null) {
            rs = newAndOld(true);
            newRS = rs.newRS();
            oldRSs = rs.oldRSs();
            all = rs.all();
        }
        scaleAndRecord(newRS, replicas(d));
        if (complete(d, d.getStatus())) {
            cleanupDeployment(oldRSs);
        }
        syncRolloutStatus(all, newRS);
    }

    /** Whether any pod of an old ReplicaSet is still there (terminating ones count), Failed and Succeeded aside. */
    static boolean oldPodsRunning(ReplicaSet newRS, List<ReplicaSet> oldRSs, Map<String, List<Pod>> podMap) {
        if (actualReplicas(oldRSs) > 0) {
            return true;
        }
        for (Map.Entry<String, List<Pod>> e : podMap.entrySet()) {
            if (newRS != null && Objects.equals(newRS.getMetadata().getUid(), e.getKey())) {
                continue;
            }
            for (Pod p : e.getValue()) {
                String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
                if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
                    continue;
                }
                return true;
            }
        }
        return false;
    }
}
