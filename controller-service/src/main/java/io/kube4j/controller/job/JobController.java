package io.kube4j.controller.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.UncountedTerminatedPods;
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
import io.kube4j.controller.common.ControllerRefManager;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.common.PodControl;
import io.kube4j.controller.common.Pods;
import io.kube4j.controller.common.SlowStart;
import io.kube4j.controller.common.UIDTrackingExpectations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Kubernetes' Job controller ({@code pkg/controller/job/job_controller.go}): runs a Job's pods to
 * {@code completions} at most {@code parallelism} at a time (NonIndexed, or Indexed with one pod per completion
 * index), and counts every finished pod exactly once with the {@code batch.kubernetes.io/job-tracking} finalizer:
 * a finished pod's uid is first written to {@code status.uncountedTerminatedPods}, then its finalizer is removed, then
 * it moves into {@code status.succeeded}/{@code failed}. Status writes are compare-and-swap on the Job's
 * resourceVersion, and pods whose finalizer removal the informer has not shown yet are remembered, so neither a stale
 * cache nor a crash between the steps counts a pod twice or loses it.
 *
 * <p>Failures: {@code podFailurePolicy} (FailJob, Ignore, Count), {@code backoffLimit} (for {@code OnFailure} pods
 * container restarts count too), {@code activeDeadlineSeconds}; between failures new pods wait an exponential backoff
 * (base doubling up to a cap). A failing or succeeding Job first gets the interim condition (FailureTarget,
 * SuccessCriteriaMet), its active pods are deleted, and once none is left and every pod is counted the terminal one
 * (Failed, Complete), as Kubernetes 1.31+. {@code suspend} deletes the active pods; resuming resets startTime.
 */
public final class JobController implements Reconciler {

    private static final Logger log = LoggerFactory.getLogger(JobController.class);

    /** The event source name, as Kubernetes'. */
    public static final String COMPONENT = "job-controller";
    static final String API_VERSION = "batch/v1";
    static final String KIND = "Job";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /**
     * Requests for orphaned pods still holding the tracking finalizer share the Job queue under this prefix; a colon
     * cannot occur in a Job's name, so they never collide with a Job's key (Kubernetes uses a second queue).
     */
    static final String ORPHAN_POD_PREFIX = "orphan-pod:";

    private final SharedIndexInformer<Job> jobInformer;
    private final SharedIndexInformer<Pod> podInformer;
    private final ResourceClient<Job> jobClient;
    private final ResourceClient<Pod> podClient;
    private final PodControl podControl;
    private final EventRecorder recorder;
    private final Clock clock;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final UIDTrackingExpectations expectations;
    /** Per Job key: uids of pods whose tracking finalizer this controller removed and the informer still shows. */
    private final Map<String, Set<String>> finalizerRemovals = new ConcurrentHashMap<>();
    private volatile Controller controller;

    public JobController(SharedIndexInformer<Job> jobInformer, SharedIndexInformer<Pod> podInformer,
            ResourceClient<Job> jobClient, ResourceClient<Pod> podClient, PodControl podControl,
            EventRecorder recorder, Clock clock, Duration backoffBase, Duration backoffMax) {
        this.jobInformer = jobInformer;
        this.podInformer = podInformer;
        this.jobClient = jobClient;
        this.podClient = podClient;
        this.podControl = podControl;
        this.recorder = recorder;
        this.clock = clock;
        this.backoffBase = backoffBase;
        this.backoffMax = backoffMax;
        this.expectations = new UIDTrackingExpectations(clock);
    }

    /** Builds the controller on {@code builder} and registers the informer handlers that feed its queue. */
    public Controller register(ControllerBuilder builder) {
        controller = builder.reconciler(this).waitFor(jobInformer::hasSynced).waitFor(podInformer::hasSynced).build();
        jobInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                enqueue(job);
            }

            @Override
            public void onUpdate(Job oldJob, Job curJob) {
                if (!Objects.equals(oldJob.getMetadata().getUid(), curJob.getMetadata().getUid())) {
                    forget(key(oldJob));
                }
                enqueue(curJob);
            }

            @Override
            public void onDelete(Job job, boolean finalStateUnknown) {
                forget(key(job));
                enqueue(job); // its pods' finalizers still have to go
            }
        });
        podInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                podChanged(null, pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod curPod) {
                if (!Objects.equals(oldPod.getMetadata().getResourceVersion(),
                        curPod.getMetadata().getResourceVersion())) {
                    podChanged(oldPod, curPod);
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                podDeleted(pod);
            }
        });
        return controller;
    }

    // ---- handlers: events to keys ----

    private void enqueue(Job job) {
        controller.enqueue(Request.of(job));
    }

    private void forget(String key) {
        expectations.delete(key);
        finalizerRemovals.remove(key);
    }

    void podChanged(Pod oldPod, Pod pod) {
        OwnerReference ref = OwnerReferences.controllerOf(pod);
        if (ref == null && hasFinalizer(pod)) {
            // orphaned (its Job deleted with orphan propagation, or released): nothing will ever count it
            controller.enqueue(new Request(pod.getMetadata().getNamespace(), ORPHAN_POD_PREFIX
                    + pod.getMetadata().getName()));
        }
        if (ref == null || !KIND.equals(ref.getKind())) {
            if (oldPod == null || !Objects.equals(oldPod.getMetadata().getLabels(), pod.getMetadata().getLabels())) {
                wakeMatchingJobs(pod); // an orphan one of them may adopt
            }
            return;
        }
        String jobKey = pod.getMetadata().getNamespace() + "/" + ref.getName();
        if (!hasFinalizer(pod)) {
            Set<String> removals = finalizerRemovals.get(jobKey);
            if (removals != null) {
                removals.remove(pod.getMetadata().getUid());
            }
        }
        if (oldPod == null) {
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                expectations.deletionObserved(jobKey, Pods.key(pod));
            } else {
                expectations.creationObserved(jobKey);
            }
        } else if (pod.getMetadata().getDeletionTimestamp() != null) {
            expectations.deletionObserved(jobKey, Pods.key(pod));
        }
        controller.enqueue(new Request(pod.getMetadata().getNamespace(), ref.getName()));
    }

    void podDeleted(Pod pod) {
        OwnerReference ref = OwnerReferences.controllerOf(pod);
        if (ref == null || !KIND.equals(ref.getKind())) {
            return;
        }
        String jobKey = pod.getMetadata().getNamespace() + "/" + ref.getName();
        expectations.deletionObserved(jobKey, Pods.key(pod));
        Set<String> removals = finalizerRemovals.get(jobKey);
        if (removals != null) {
            removals.remove(pod.getMetadata().getUid());
        }
        controller.enqueue(new Request(pod.getMetadata().getNamespace(), ref.getName()));
    }

    private void wakeMatchingJobs(Pod pod) {
        Map<String, String> labels = labels(pod);
        if (labels.isEmpty()) {
            return;
        }
        for (Job job : jobInformer.lister().list(pod.getMetadata().getNamespace())) {
            LabelSelector sel = selector(job);
            if (sel != null && !sel.isEverything() && !sel.isNothing() && sel.matches(labels)) {
                enqueue(job);
            }
        }
    }

    // ---- the sync ----

    @Override
    public Result reconcile(Request request) {
        if (request.name().startsWith(ORPHAN_POD_PREFIX)) {
            releaseOrphanPod(request.namespace(), request.name().substring(ORPHAN_POD_PREFIX.length()));
            return Result.done();
        }
        try {
            return syncJob(request);
        } catch (ApiStatusException.Conflict e) {
            // the cache had not caught up with this controller's last status write: sync again from a fresher one
            log.debug("Job {}/{}: status conflict, retrying: {}", request.namespace(), request.name(), e.getMessage());
            return Result.requeue();
        }
    }

    /** As Kubernetes' handleOrphanPod: an orphan (no controller, or a Job that is gone) loses the finalizer. */
    private void releaseOrphanPod(String namespace, String name) {
        Pod pod = podInformer.lister().get(namespace, name);
        if (pod == null || !hasFinalizer(pod)) {
            return;
        }
        OwnerReference ref = OwnerReferences.controllerOf(pod);
        if (ref != null) {
            if (!KIND.equals(ref.getKind())) {
                return; // someone else's pod: not ours to touch
            }
            Job job = jobInformer.lister().get(namespace, ref.getName());
            if (job != null && Objects.equals(job.getMetadata().getUid(), ref.getUid())) {
                return; // still controlled by a Job: its sync counts it
            }
        }
        removeFinalizers(ORPHAN_POD_PREFIX + namespace + "/" + name, List.of(pod));
        finalizerRemovals.remove(ORPHAN_POD_PREFIX + namespace + "/" + name);
    }

    private Result syncJob(Request request) {
        String key = request.namespace() + "/" + request.name();
        Job job = jobInformer.lister().get(request.namespace(), request.name());
        if (job == null) {
            forget(key);
            // the Job is gone: no pod of it may keep the tracking finalizer, or it would never be deleted
            releaseOrphanedFinalizers(request.namespace(), request.name());
            return Result.done();
        }
        LabelSelector selector = selector(job);
        if (selector == null) {
            log.warn("Job {} has an invalid selector", key);
            return Result.done();
        }
        List<Pod> pods = claimPods(job, selector);
        if (Jobs.finished(job) || job.getMetadata().getDeletionTimestamp() != null) {
            List<Pod> tracked = pods.stream().filter(this::hasFinalizer).toList();
            removeFinalizers(key, tracked);
            return Result.done();
        }
        return sync(job, key, pods);
    }

    private Result sync(Job job, String key, List<Pod> pods) {
        Instant now = clock.now();
        boolean satisfied = expectations.satisfied(key);
        Set<String> removals = finalizerRemovals.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
        JobStatus old = job.getStatus() == null ? new JobStatus() : job.getStatus();
        UncountedTerminatedPods oldUncounted = old.getUncountedTerminatedPods();
        Set<String> uncountedSucceeded = new LinkedHashSet<>(oldUncounted == null
                || oldUncounted.getSucceeded() == null ? List.of() : oldUncounted.getSucceeded());
        Set<String> uncountedFailed = new LinkedHashSet<>(oldUncounted == null
                || oldUncounted.getFailed() == null ? List.of() : oldUncounted.getFailed());
        boolean suspended = Boolean.TRUE.equals(job.getSpec().getSuspend());
        JobCondition interim = Jobs.trueCondition(job, Jobs.FAILURE_TARGET);
        if (interim == null) {
            interim = Jobs.trueCondition(job, Jobs.SUCCESS_CRITERIA_MET);
        }
        boolean stopping = interim != null || suspended;
        boolean indexed = Jobs.indexed(job);
        int completions = job.getSpec().getCompletions() == null ? -1 : job.getSpec().getCompletions();
        TreeSet<Integer> succeededIndexes = indexed ? Jobs.parseIndexes(old.getCompletedIndexes(), completions)
                : new TreeSet<>();
        Integer perIndexLimit = indexed ? job.getSpec().getBackoffLimitPerIndex() : null;
        TreeSet<Integer> failedIndexes = perIndexLimit != null
                ? Jobs.parseIndexes(old.getFailedIndexes(), completions) : new TreeSet<>();

        // 1. the finished pods not yet counted
        List<Pod> toRemoveFinalizer = new ArrayList<>();
        int newSucceeded = 0;
        int newFailed = 0;
        String failJobMessage = null;
        for (Pod p : pods) {
            if (!hasFinalizer(p) || removals.contains(p.getMetadata().getUid())) {
                continue;
            }
            String uid = p.getMetadata().getUid();
            if (uncountedSucceeded.contains(uid) || uncountedFailed.contains(uid)) {
                toRemoveFinalizer.add(p); // recorded by an earlier sync that did not get to remove the finalizer
                continue;
            }
            String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
            if ("Succeeded".equals(phase)) {
                int index = indexed ? Jobs.completionIndex(p) : -1;
                if (!indexed || (index >= 0 && index < completions)) {
                    uncountedSucceeded.add(uid);
                    newSucceeded++;
                    if (indexed) {
                        succeededIndexes.add(index);
                    }
                }
                toRemoveFinalizer.add(p);
            } else if ("Failed".equals(phase)) {
                PodFailurePolicies.Match m = PodFailurePolicies.match(job.getSpec().getPodFailurePolicy(), p);
                if (m != null && PodFailurePolicies.IGNORE.equals(m.action())) {
                    toRemoveFinalizer.add(p); // not counted against backoffLimit
                    continue;
                }
                if (m != null && PodFailurePolicies.FAIL_JOB.equals(m.action()) && failJobMessage == null) {
                    failJobMessage = m.message();
                }
                if (perIndexLimit != null) {
                    indexFailed(p, m != null && PodFailurePolicies.FAIL_INDEX.equals(m.action()), perIndexLimit,
                            completions, failedIndexes);
                }
                uncountedFailed.add(uid);
                newFailed++;
                toRemoveFinalizer.add(p);
            } else if (p.getMetadata().getDeletionTimestamp() != null) {
                if (stopping) {
                    toRemoveFinalizer.add(p); // deleted by this controller to stop the Job: not a failure
                } else if (job.getSpec().getPodFailurePolicy() == null
                        && !"Failed".equals(job.getSpec().getPodReplacementPolicy())) {
                    // deleted from outside (eviction, preemption) before finishing: a failure, as Kubernetes
                    if (perIndexLimit != null) {
                        indexFailed(p, false, perIndexLimit, completions, failedIndexes);
                    }
                    uncountedFailed.add(uid);
                    newFailed++;
                    toRemoveFinalizer.add(p);
                } // else: with a pod failure policy, wait for the terminal phase to match the rules on
            }
        }
        int succeeded = intOf(old.getSucceeded()) + uncountedSucceeded.size();
        int failed = intOf(old.getFailed()) + uncountedFailed.size();
        List<Pod> active = Pods.filterActive(pods);

        // 2. does the Job stop now?
        JobCondition newInterim = null;
        if (interim == null) {
            if (failJobMessage != null) {
                newInterim = condition(Jobs.FAILURE_TARGET, Jobs.REASON_POD_FAILURE_POLICY, failJobMessage, now);
            } else if (newFailed > 0 && pastBackoffLimit(job, failed, active)) {
                newInterim = condition(Jobs.FAILURE_TARGET, Jobs.REASON_BACKOFF_LIMIT_EXCEEDED,
                        "Job has reached the specified backoff limit", now);
            } else if (perIndexLimit != null && job.getSpec().getMaxFailedIndexes() != null
                    && failedIndexes.size() > job.getSpec().getMaxFailedIndexes()) {
                newInterim = condition(Jobs.FAILURE_TARGET, Jobs.REASON_MAX_FAILED_INDEXES_EXCEEDED,
                        "Job has exceeded the specified maximal number of failed indexes", now);
            } else if (perIndexLimit != null && !failedIndexes.isEmpty()
                    && succeededIndexes.size() + failedIndexes.size() >= completions) {
                newInterim = condition(Jobs.FAILURE_TARGET, Jobs.REASON_FAILED_INDEXES, "Job has failed indexes", now);
            } else if (!suspended && Jobs.trueCondition(job, Jobs.SUSPENDED) == null && pastDeadline(job, now)) {
                // (a Job being resumed restarts its deadline with the new startTime below)
                newInterim = condition(Jobs.FAILURE_TARGET, Jobs.REASON_DEADLINE_EXCEEDED,
                        "Job was active longer than specified deadline", now);
            } else if (indexed ? succeededIndexes.size() >= completions
                    : completions < 0 ? succeeded > 0 && active.isEmpty() : succeeded >= completions) {
                newInterim = condition(Jobs.SUCCESS_CRITERIA_MET, Jobs.REASON_COMPLETIONS_REACHED,
                        "Reached expected number of succeeded pods", now);
            }
        }
        List<JobCondition> conditions = old.getConditions() == null ? new ArrayList<>()
                : new ArrayList<>(old.getConditions());
        if (newInterim != null) {
            conditions.add(newInterim);
            interim = newInterim;
        }
        String startTime = old.getStartTime();
        RuntimeException manageError = null;
        Duration requeue = null;
        int deleted = 0;
        if (interim != null) {
            deleted = deleteActive(job, key, active);
        } else if (suspended) {
            deleted = deleteActive(job, key, active);
            if (Jobs.ensureCondition(conditions, Jobs.SUSPENDED, "True", "JobSuspended", "Job suspended", now)) {
                event(job, EventRecorder.NORMAL, "Suspended", "Job suspended");
            }
        } else {
            if (Jobs.ensureCondition(conditions, Jobs.SUSPENDED, "False", "JobResumed", "Job resumed", now)) {
                event(job, EventRecorder.NORMAL, "Resumed", "Job resumed");
                startTime = Jobs.time(now); // the deadline counts from the resume
            }
            if (startTime == null) {
                startTime = Jobs.time(now);
            }
            if (satisfied) {
                try {
                    requeue = indexed ? manageIndexed(job, key, active, pods, succeededIndexes, failedIndexes, now)
                            : manageNonIndexed(job, key, active, pods, succeeded, now);
                } catch (RuntimeException e) {
                    manageError = e;
                }
            }
            Long ads = job.getSpec().getActiveDeadlineSeconds();
            if (ads != null) {
                Duration left = Duration.between(now, Jobs.parseTimeOrNow(startTime, now).plusSeconds(ads));
                requeue = min(requeue, left.isNegative() ? Duration.ZERO : left);
            }
        }

        // 3. record the newly finished pods before touching their finalizers
        JobStatus status = copy(old);
        status.setConditions(conditions);
        status.setStartTime(startTime);
        status.setUncountedTerminatedPods(uncounted(uncountedSucceeded, uncountedFailed));
        if (indexed) {
            status.setCompletedIndexes(Jobs.formatIndexes(succeededIndexes));
            if (perIndexLimit != null) {
                String f = Jobs.formatIndexes(failedIndexes);
                status.setFailedIndexes(f == null ? "" : f);
            }
        }
        fillPodCounts(status, pods, active.size() - deleted, deleted);
        job = writeStatus(job, status);

        // 4. remove the finalizers, then 5. count what no longer carries one
        RuntimeException finalizerError = null;
        try {
            removeFinalizers(key, toRemoveFinalizer);
        } catch (RuntimeException e) {
            finalizerError = e;
        }
        status = copy(job.getStatus());
        Map<String, Pod> byUid = new HashMap<>();
        pods.forEach(p -> byUid.put(p.getMetadata().getUid(), p));
        int movedS = moveCounted(uncountedSucceeded, byUid, removals);
        int movedF = moveCounted(uncountedFailed, byUid, removals);
        status.setSucceeded(intOf(status.getSucceeded()) + movedS);
        status.setFailed(intOf(status.getFailed()) + movedF);
        status.setUncountedTerminatedPods(uncounted(uncountedSucceeded, uncountedFailed));
        boolean allGone = active.size() == 0 && terminating(pods) == 0;
        if (interim != null && uncountedSucceeded.isEmpty() && uncountedFailed.isEmpty() && allGone
                && finalizerError == null) {
            List<JobCondition> cs = new ArrayList<>(status.getConditions());
            boolean success = Jobs.SUCCESS_CRITERIA_MET.equals(interim.getType());
            cs.add(condition(success ? Jobs.COMPLETE : Jobs.FAILED, interim.getReason(), interim.getMessage(), now));
            status.setConditions(cs);
            if (success) {
                status.setCompletionTime(Jobs.time(now));
                event(job, EventRecorder.NORMAL, "Completed", "Job completed");
            } else {
                event(job, EventRecorder.WARNING, interim.getReason(), interim.getMessage());
            }
        }
        writeStatus(job, status);
        if (manageError != null) {
            throw manageError;
        }
        if (finalizerError != null) {
            throw finalizerError;
        }
        return requeue == null ? Result.done() : Result.requeueAfter(requeue.plusMillis(10));
    }

    /** Moves uids whose pods no longer carry the finalizer (or are gone) out of {@code uncounted}; how many moved. */
    private int moveCounted(Set<String> uncounted, Map<String, Pod> byUid, Set<String> removals) {
        int moved = 0;
        for (var it = uncounted.iterator(); it.hasNext(); ) {
            String uid = it.next();
            Pod p = byUid.get(uid);
            if (p == null || !hasFinalizer(p) || removals.contains(uid)) {
                it.remove();
                moved++;
            }
        }
        return moved;
    }

    private static void fillPodCounts(JobStatus status, List<Pod> pods, int active, int terminatingByUs) {
        int ready = 0;
        for (Pod p : pods) {
            if (Pods.isActive(p) && Pods.isReady(p)) {
                ready++;
            }
        }
        status.setActive(Math.max(0, active));
        status.setReady(Math.min(ready, Math.max(0, active)));
        status.setTerminating(terminating(pods) + terminatingByUs);
    }

    private static int terminating(List<Pod> pods) {
        int n = 0;
        for (Pod p : pods) {
            String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
            if (p.getMetadata().getDeletionTimestamp() != null && !"Succeeded".equals(phase)
                    && !"Failed".equals(phase)) {
                n++;
            }
        }
        return n;
    }

    /** Kubernetes' pastBackoffLimitOnFailure and the Never case: failures (and OnFailure restarts) over the limit. */
    static boolean pastBackoffLimit(Job job, int failed, List<Pod> active) {
        int limit = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
        String rp = job.getSpec().getTemplate().getSpec() == null ? null
                : job.getSpec().getTemplate().getSpec().getRestartPolicy();
        int restarts = 0;
        if ("OnFailure".equals(rp)) {
            for (Pod p : active) {
                if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null) {
                    for (var cs : p.getStatus().getContainerStatuses()) {
                        restarts += intOf(cs.getRestartCount());
                    }
                }
            }
        }
        return failed + restarts > limit;
    }

    /** {@code podReplacementPolicy: Failed} (the default with a podFailurePolicy): wait for terminating pods. */
    static boolean onlyReplaceFailed(Job job) {
        return "Failed".equals(job.getSpec().getPodReplacementPolicy());
    }

    static boolean pastDeadline(Job job, Instant now) {
        Long ads = job.getSpec().getActiveDeadlineSeconds();
        Instant start = job.getStatus() == null ? null : Pods.parseTime(job.getStatus().getStartTime());
        return ads != null && start != null && !now.isBefore(start.plusSeconds(ads));
    }

    /**
     * The pod-failure backoff still to wait before creating pods: failures after the last success (by finish time)
     * set the exponent, the last failure the start; zero when none.
     */
    Duration remainingBackoff(Job job, List<Pod> pods, Instant now) {
        Instant lastSuccess = null;
        for (Pod p : pods) {
            if ("Succeeded".equals(phase(p))) {
                Instant t = Jobs.finishedAt(p);
                if (t != null && (lastSuccess == null || t.isAfter(lastSuccess))) {
                    lastSuccess = t;
                }
            }
        }
        int failures = 0;
        Instant lastFailure = null;
        for (Pod p : pods) {
            if (!"Failed".equals(phase(p))) {
                continue;
            }
            PodFailurePolicies.Match m = PodFailurePolicies.match(job.getSpec().getPodFailurePolicy(), p);
            if (m != null && PodFailurePolicies.IGNORE.equals(m.action())) {
                continue;
            }
            Instant t = Jobs.finishedAt(p);
            if (t == null || (lastSuccess != null && !t.isAfter(lastSuccess))) {
                continue;
            }
            failures++;
            if (lastFailure == null || t.isAfter(lastFailure)) {
                lastFailure = t;
            }
        }
        if (failures == 0) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(now, lastFailure.plus(Jobs.backoff(failures, backoffBase, backoffMax)));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** NonIndexed: as many active pods as parallelism allows and the remaining completions need. */
    private Duration manageNonIndexed(Job job, String key, List<Pod> active, List<Pod> pods, int succeeded,
            Instant now) {
        int parallelism = intOf(job.getSpec().getParallelism());
        Integer completions = job.getSpec().getCompletions();
        int want;
        if (completions == null) {
            want = succeeded > 0 ? active.size() : parallelism;
        } else {
            want = Math.max(0, Math.min(parallelism, completions - succeeded));
        }
        int diff = active.size() - want;
        if (diff < 0 && onlyReplaceFailed(job)) {
            // podReplacementPolicy Failed: a terminating pod is replaced only once it has failed
            diff = Math.min(0, diff + terminating(pods));
        }
        if (diff > 0) {
            List<Pod> victims = new ArrayList<>(active);
            List<Pods.Ranked> ranked = victims.stream().map(p -> new Pods.Ranked(p, 0)).sorted(Pods.deletionOrder(now))
                    .toList();
            deletePods(job, key, ranked.subList(0, diff).stream().map(Pods.Ranked::pod).toList());
            return null;
        }
        if (diff < 0) {
            Duration wait = remainingBackoff(job, pods, now);
            if (!wait.isZero()) {
                return wait;
            }
            Deque<Integer> none = new ArrayDeque<>();
            for (int i = 0; i < -diff; i++) {
                none.add(-1);
            }
            createPods(job, key, none, Map.of());
        }
        return null;
    }

    /** Indexed: one active pod per index not yet succeeded, lowest first, at most parallelism. */
    private Duration manageIndexed(Job job, String key, List<Pod> active, List<Pod> pods,
            TreeSet<Integer> succeededIndexes, TreeSet<Integer> failedIndexes, Instant now) {
        boolean perIndex = job.getSpec().getBackoffLimitPerIndex() != null;
        int parallelism = intOf(job.getSpec().getParallelism());
        int completions = job.getSpec().getCompletions();
        List<Pod> excess = new ArrayList<>();
        Map<Integer, Pod> activeByIndex = new HashMap<>();
        for (Pod p : active) {
            int i = Jobs.completionIndex(p);
            if (i < 0 || i >= completions || succeededIndexes.contains(i) || failedIndexes.contains(i)
                    || activeByIndex.containsKey(i)) {
                excess.add(p); // invalid, done or duplicate index, as Kubernetes' firstPendingIndexes/dedup
            } else {
                activeByIndex.put(i, p);
            }
        }
        int over = activeByIndex.size() - parallelism;
        if (over > 0) {
            List<Integer> highest = activeByIndex.keySet().stream().sorted(Comparator.reverseOrder()).limit(over)
                    .toList();
            highest.forEach(i -> excess.add(activeByIndex.remove(i)));
        }
        if (!excess.isEmpty()) {
            deletePods(job, key, excess);
            return null;
        }
        Set<Integer> terminatingIndexes = new java.util.HashSet<>();
        if (onlyReplaceFailed(job)) {
            for (Pod p : pods) {
                if (p.getMetadata().getDeletionTimestamp() != null && !"Succeeded".equals(phase(p))
                        && !"Failed".equals(phase(p))) {
                    terminatingIndexes.add(Jobs.completionIndex(p));
                }
            }
        }
        int room = parallelism - activeByIndex.size() - terminatingIndexes.size();
        Map<Integer, IndexFailures> failures = perIndex ? indexFailures(job, pods) : Map.of();
        Deque<Integer> missing = new ArrayDeque<>();
        Duration wait = null;
        for (int i = 0; i < completions && missing.size() < room; i++) {
            if (succeededIndexes.contains(i) || failedIndexes.contains(i) || activeByIndex.containsKey(i)
                    || terminatingIndexes.contains(i)) {
                continue;
            }
            IndexFailures f = failures.get(i);
            if (f != null) {
                // each index backs off on its own failures, as Kubernetes' per-index backoff
                Duration left = Duration.between(now, f.last().plus(Jobs.backoff(f.count(), backoffBase,
                        backoffMax)));
                if (!left.isNegative() && !left.isZero()) {
                    wait = min(wait, left);
                    continue;
                }
            }
            missing.add(i);
        }
        if (!perIndex && !missing.isEmpty()) {
            Duration left = remainingBackoff(job, pods, now);
            if (!left.isZero()) {
                return left;
            }
        }
        if (!missing.isEmpty()) {
            Map<Integer, Integer> counts = new HashMap<>();
            failures.forEach((i, f) -> counts.put(i, f.count()));
            createPods(job, key, missing, counts);
        }
        return wait;
    }

    private void createPods(Job job, String key, Deque<Integer> indexes, Map<Integer, Integer> failureCounts) {
        int n = indexes.size();
        expectations.expectCreations(key, n);
        OwnerReference ref = OwnerReferences.controllerRef(job, API_VERSION, KIND);
        String ns = job.getMetadata().getNamespace();
        SlowStart.Outcome outcome = SlowStart.run(n, SlowStart.INITIAL_BATCH_SIZE, () -> {
            Integer index;
            synchronized (indexes) {
                index = indexes.poll();
            }
            int i = index == null ? -1 : index;
            // an Indexed Job's pods are <job>-<index>-<random>, as Kubernetes' (kubectl get pods shows the index)
            String generateName = job.getMetadata().getName() + "-" + (i >= 0 ? i + "-" : "");
            return podControl.createPod(ns, podTemplate(job, i, failureCounts.getOrDefault(i, 0)), job, ref,
                    generateName);
        });
        for (int i = outcome.successes(); i < n; i++) {
            expectations.creationObserved(key); // never coming
        }
        if (outcome.error() != null) {
            throw outcome.error() instanceof RuntimeException r ? r
                    : new IllegalStateException(outcome.error().getMessage(), outcome.error());
        }
    }

    /**
     * The Job's template for one pod: the tracking finalizer and, for an Indexed Job, the completion index as
     * annotation and label, hostname {@code <job>-<index>} and {@code JOB_COMPLETION_INDEX} from the annotation through
     * the downward API in every container, as Kubernetes' addCompletionIndexEnvVariables.
     */
    static PodTemplateSpec podTemplate(Job job, int index) {
        return podTemplate(job, index, 0);
    }

    /** {@link #podTemplate(Job, int)} whose index already failed {@code failureCount} times (backoffLimitPerIndex). */
    static PodTemplateSpec podTemplate(Job job, int index, int failureCount) {
        PodTemplateSpec t = new PodTemplateSpecBuilder(job.getSpec().getTemplate()).build();
        if (t.getMetadata() == null) {
            t.setMetadata(new ObjectMeta());
        }
        List<String> finalizers = t.getMetadata().getFinalizers() == null ? new ArrayList<>()
                : new ArrayList<>(t.getMetadata().getFinalizers());
        if (!finalizers.contains(Jobs.TRACKING_FINALIZER)) {
            finalizers.add(Jobs.TRACKING_FINALIZER);
        }
        t.getMetadata().setFinalizers(finalizers);
        if (index >= 0) {
            Map<String, String> ann = t.getMetadata().getAnnotations() == null ? new HashMap<>()
                    : new HashMap<>(t.getMetadata().getAnnotations());
            ann.put(Jobs.COMPLETION_INDEX, String.valueOf(index));
            if (job.getSpec().getBackoffLimitPerIndex() != null) {
                ann.put(Jobs.INDEX_FAILURE_COUNT, String.valueOf(failureCount));
            }
            t.getMetadata().setAnnotations(ann);
            Map<String, String> labels = t.getMetadata().getLabels() == null ? new HashMap<>()
                    : new HashMap<>(t.getMetadata().getLabels());
            labels.put(Jobs.COMPLETION_INDEX, String.valueOf(index));
            t.getMetadata().setLabels(labels);
            t.getSpec().setHostname(job.getMetadata().getName() + "-" + index);
            List<Container> all = new ArrayList<>(t.getSpec().getContainers());
            if (t.getSpec().getInitContainers() != null) {
                all.addAll(t.getSpec().getInitContainers());
            }
            for (Container c : all) {
                List<EnvVar> env = c.getEnv() == null ? new ArrayList<>() : new ArrayList<>(c.getEnv());
                if (env.stream().noneMatch(e -> Jobs.COMPLETION_INDEX_ENV.equals(e.getName()))) {
                    env.add(new EnvVarBuilder().withName(Jobs.COMPLETION_INDEX_ENV).withNewValueFrom()
                            .withNewFieldRef().withFieldPath("metadata.annotations['" + Jobs.COMPLETION_INDEX + "']")
                            .endFieldRef().endValueFrom().build());
                }
                c.setEnv(env);
            }
        }
        return t;
    }

    /** How often an index failed so far and when last (from its failed pods' annotations and finish times). */
    record IndexFailures(int count, Instant last) {
    }

    /**
     * Per index: the failures so far, as Kubernetes' getNewIndexFailureCounts: the latest failed pod of the index
     * carries the count before it (annotation), plus one for itself unless the failure policy ignored it.
     */
    static Map<Integer, IndexFailures> indexFailures(Job job, List<Pod> pods) {
        Map<Integer, IndexFailures> out = new HashMap<>();
        for (Pod p : pods) {
            boolean failed = "Failed".equals(phase(p)) || (p.getMetadata().getDeletionTimestamp() != null
                    && !"Succeeded".equals(phase(p)));
            int i = Jobs.completionIndex(p);
            if (!failed || i < 0) {
                continue;
            }
            PodFailurePolicies.Match m = PodFailurePolicies.match(job.getSpec().getPodFailurePolicy(), p);
            int count = Jobs.indexFailureCount(p)
                    + (m != null && PodFailurePolicies.IGNORE.equals(m.action()) ? 0 : 1);
            Instant t = Jobs.finishedAt(p);
            IndexFailures prev = out.get(i);
            if (prev == null || count > prev.count() || (count == prev.count() && t.isAfter(prev.last()))) {
                out.put(i, new IndexFailures(count, t));
            }
        }
        return out;
    }

    /** Marks the failed pod's index failed when FailIndex matched or the index used up backoffLimitPerIndex. */
    private static void indexFailed(Pod p, boolean failIndex, int perIndexLimit, int completions,
            TreeSet<Integer> failedIndexes) {
        int i = Jobs.completionIndex(p);
        if (i < 0 || i >= completions) {
            return;
        }
        if (failIndex || Jobs.indexFailureCount(p) + 1 > perIndexLimit) {
            failedIndexes.add(i);
        }
    }

    private int deleteActive(Job job, String key, List<Pod> active) {
        if (active.isEmpty()) {
            return 0;
        }
        deletePods(job, key, active);
        return active.size();
    }

    private void deletePods(Job job, String key, List<Pod> victims) {
        Set<String> keys = new LinkedHashSet<>();
        victims.forEach(p -> keys.add(Pods.key(p)));
        expectations.expectDeletions(key, keys);
        String ns = job.getMetadata().getNamespace();
        List<Mono<Throwable>> deletes = new ArrayList<>();
        for (Pod p : victims) {
            deletes.add(Mono.defer(() -> podControl.deletePod(ns, p.getMetadata().getName(), job))
                    .then(Mono.<Throwable>empty())
                    .onErrorResume(e -> {
                        expectations.deletionObserved(key, Pods.key(p));
                        return e instanceof ApiStatusException.NotFound ? Mono.empty() : Mono.just(e);
                    }));
        }
        List<Throwable> errors = Flux.merge(deletes).collectList().block(Duration.ofMinutes(2));
        if (errors != null && !errors.isEmpty()) {
            Throwable e = errors.get(0);
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Removes the tracking finalizer from {@code pods}, remembering each removal until the informer shows it. */
    private void removeFinalizers(String key, List<Pod> pods) {
        if (pods.isEmpty()) {
            return;
        }
        Set<String> removals = finalizerRemovals.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
        List<Mono<Throwable>> calls = new ArrayList<>();
        for (Pod p : pods) {
            String uid = p.getMetadata().getUid();
            removals.add(uid);
            calls.add(podClient.updateWithRetry(p.getMetadata().getNamespace(), p.getMetadata().getName(), cur -> {
                if (!Objects.equals(cur.getMetadata().getUid(), uid) || cur.getMetadata().getFinalizers() == null
                        || !cur.getMetadata().getFinalizers().contains(Jobs.TRACKING_FINALIZER)) {
                    return null;
                }
                List<String> f = new ArrayList<>(cur.getMetadata().getFinalizers());
                f.remove(Jobs.TRACKING_FINALIZER);
                cur.getMetadata().setFinalizers(f);
                return cur;
            }, false).then(Mono.<Throwable>empty()).onErrorResume(e -> {
                if (e instanceof ApiStatusException.NotFound) {
                    return Mono.empty(); // gone: nothing holds it any more
                }
                removals.remove(uid);
                return Mono.just(e);
            }));
        }
        List<Throwable> errors = Flux.merge(calls).collectList().block(Duration.ofMinutes(2));
        if (errors != null && !errors.isEmpty()) {
            Throwable e = errors.get(0);
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Pods of a Job that no longer exists (name {@code name}) still holding the tracking finalizer lose it. */
    private void releaseOrphanedFinalizers(String namespace, String name) {
        List<Pod> held = new ArrayList<>();
        for (Pod p : podInformer.lister().list(namespace)) {
            OwnerReference ref = OwnerReferences.controllerOf(p);
            if (ref != null && KIND.equals(ref.getKind()) && name.equals(ref.getName()) && hasFinalizer(p)) {
                Job current = jobInformer.lister().get(namespace, name);
                if (current == null || !Objects.equals(current.getMetadata().getUid(), ref.getUid())) {
                    held.add(p);
                }
            }
        }
        removeFinalizers(namespace + "/" + name, held);
        finalizerRemovals.remove(namespace + "/" + name);
    }

    private List<Pod> claimPods(Job job, LabelSelector selector) {
        String uid = job.getMetadata().getUid();
        List<Pod> candidates = new ArrayList<>();
        for (Pod p : podInformer.lister().list(job.getMetadata().getNamespace())) {
            OwnerReference ref = OwnerReferences.controllerOf(p);
            if (ref != null ? Objects.equals(ref.getUid(), uid) : selector.matches(labels(p))) {
                candidates.add(p);
            }
        }
        ControllerRefManager<Pod> m = new ControllerRefManager<>(podClient, job, API_VERSION, KIND,
                p -> selector.matches(labels(p)), () -> {
                    try {
                        Job fresh = jobClient.get(job.getMetadata().getNamespace(), job.getMetadata().getName())
                                .block(TIMEOUT);
                        return fresh != null && Objects.equals(fresh.getMetadata().getUid(), uid)
                                && fresh.getMetadata().getDeletionTimestamp() == null;
                    } catch (ApiStatusException.NotFound e) {
                        return false;
                    }
                });
        return m.claim(candidates);
    }

    /**
     * Writes {@code status} through /status when it differs, as a compare-and-swap on the resourceVersion the sync
     * read: a stale sync gets a 409 and is retried from a fresh cache instead of overwriting newer counts.
     */
    private Job writeStatus(Job job, JobStatus status) {
        // active, succeeded and failed are omitempty int32s in Kubernetes: zero is absent
        status.setActive(nullIfZero(status.getActive()));
        status.setSucceeded(nullIfZero(status.getSucceeded()));
        status.setFailed(nullIfZero(status.getFailed()));
        if (Objects.equals(job.getStatus(), status)) {
            return job;
        }
        Job copy = new JobBuilder(job).build();
        copy.setStatus(status);
        Job written = jobClient.updateStatus(copy).block(TIMEOUT);
        return written == null ? copy : written;
    }

    // ---- small helpers ----

    private static JobCondition condition(String type, String reason, String message, Instant now) {
        List<JobCondition> l = new ArrayList<>();
        Jobs.ensureCondition(l, type, "True", reason, message, now);
        return l.get(0);
    }

    private static UncountedTerminatedPods uncounted(Set<String> succeeded, Set<String> failed) {
        UncountedTerminatedPods u = new UncountedTerminatedPods();
        u.setSucceeded(new ArrayList<>(succeeded));
        u.setFailed(new ArrayList<>(failed));
        return u;
    }

    private static JobStatus copy(JobStatus s) {
        JobBuilder b = new JobBuilder().withStatus(s == null ? new JobStatus() : s);
        return b.build().getStatus();
    }

    private boolean hasFinalizer(Pod p) {
        List<String> f = p.getMetadata().getFinalizers();
        return f != null && f.contains(Jobs.TRACKING_FINALIZER);
    }

    private static LabelSelector selector(Job job) {
        try {
            return LabelSelector.from(job.getSpec() == null ? null : job.getSpec().getSelector());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void event(Job job, String type, String reason, String message) {
        if (recorder == null) {
            return;
        }
        HasMetadata involved = job;
        if (job.getKind() == null || job.getApiVersion() == null) {
            GenericKubernetesResource r = new GenericKubernetesResource();
            r.setMetadata(job.getMetadata());
            r.setKind(KIND);
            r.setApiVersion(API_VERSION);
            involved = r;
        }
        recorder.event(involved, type, reason, message);
    }

    private static Duration min(Duration a, Duration b) {
        return a == null ? b : b == null ? a : a.compareTo(b) <= 0 ? a : b;
    }

    static String key(Job job) {
        return job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
    }

    private static String phase(Pod p) {
        return p.getStatus() == null ? null : p.getStatus().getPhase();
    }

    private static Integer nullIfZero(Integer i) {
        return i == null || i == 0 ? null : i;
    }

    private static int intOf(Integer i) {
        return i == null ? 0 : i;
    }

    private static Map<String, String> labels(Pod p) {
        Map<String, String> l = p.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }
}
