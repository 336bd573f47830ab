package io.kube4j.controller.cronjob;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
import io.kube4j.api.cron.CronSchedule;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
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
import io.kube4j.controller.common.ApiErrors;
import io.kube4j.controller.common.EnqueueHandlers;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.common.Pods;
import io.kube4j.controller.job.Jobs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' CronJob controller v2 ({@code pkg/controller/cronjob/cronjob_controllerv2.go}). A sync reconciles
 * {@code status.active} with the Jobs the CronJob controls (finished ones leave it with SawCompletedJob and move
 * {@code lastSuccessfulTime}; vanished ones leave it with MissingJob), then — unless the CronJob is suspended or being
 * deleted — finds the most recent due schedule time since {@code lastScheduleTime} (or creation), so schedules
 * missed while the controller was down give one catch-up run, not one per miss. That run is skipped when it is past
 * {@code startingDeadlineSeconds} (MissSchedule), already made, or forbidden by {@code concurrencyPolicy: Forbid}
 * while a Job is active (JobAlreadyActive); {@code Replace} deletes the active Jobs first. The Job is named after the
 * scheduled minute, so the name is a lock: a Job that already exists (a status write lost in a crash) counts as
 * created. Finished Jobs beyond the history limits are deleted oldest first, and the CronJob is requeued for its next
 * schedule time computed on the injectable {@link Clock}.
 *
 * <p>Without {@code spec.timeZone} schedules are read in UTC (Kubernetes uses the controller manager's local zone,
 * which is UTC in its usual container images); a deterministic zone keeps clusters and tests alike.
 */
public final class CronJobController implements Reconciler {

    private static final Logger log = LoggerFactory.getLogger(CronJobController.class);

    /** The event source name, as Kubernetes'. */
    public static final String COMPONENT = "cronjob-controller";
    /** The annotation carrying the scheduled time of a Job made by a CronJob (RFC 3339, in the CronJob's zone). */
    public static final String SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";
    static final String API_VERSION = "batch/v1";
    static final String KIND = "CronJob";
    /** More missed schedules than this give a TooManyMissedTimes warning, as Kubernetes'. */
    static final long TOO_MANY_MISSED = 100;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final DateTimeFormatter RFC3339 = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss").appendOffset("+HH:MM", "Z").toFormatter();
    private static final DateTimeFormatter RFC1123 = DateTimeFormatter.RFC_1123_DATE_TIME;

    /** Where events go: an {@link EventRecorder} in the cluster, a list in tests. */
    @FunctionalInterface
    public interface Events {
        void event(HasMetadata involved, String type, String reason, String message);
    }

    private final SharedIndexInformer<CronJob> cronJobInformer;
    private final SharedIndexInformer<Job> jobInformer;
    private final ResourceClient<CronJob> cronJobClient;
    private final ResourceClient<Job> jobClient;
    private final Events events;
    private final Clock clock;
    private volatile Controller controller;

    public CronJobController(SharedIndexInformer<CronJob> cronJobInformer, SharedIndexInformer<Job> jobInformer,
            ResourceClient<CronJob> cronJobClient, ResourceClient<Job> jobClient, Events events, Clock clock) {
        this.cronJobInformer = cronJobInformer;
        this.jobInformer = jobInformer;
        this.cronJobClient = cronJobClient;
        this.jobClient = jobClient;
        this.events = events;
        this.clock = clock;
    }

    /** Builds the controller on {@code builder} and registers the informer handlers that feed its queue. */
    public Controller register(ControllerBuilder builder) {
        controller = builder.reconciler(this).waitFor(cronJobInformer::hasSynced).waitFor(jobInformer::hasSynced)
                .build();
        cronJobInformer.addEventHandler(EnqueueHandlers.ownKey(controller::enqueue));
        jobInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                enqueueOwner(job);
            }

            @Override
            public void onUpdate(Job oldJob, Job curJob) {
                if (!Objects.equals(OwnerReferences.controllerOf(oldJob), OwnerReferences.controllerOf(curJob))) {
                    enqueueOwner(oldJob);
                }
                enqueueOwner(curJob);
            }

            @Override
            public void onDelete(Job job, boolean finalStateUnknown) {
                enqueueOwner(job);
            }
        });
        return controller;
    }

    private void enqueueOwner(Job job) {
        OwnerReference ref = OwnerReferences.controllerOf(job);
        if (ref == null || !KIND.equals(ref.getKind())) {
            return;
        }
        CronJob cj = cronJobInformer.lister().get(job.getMetadata().getNamespace(), ref.getName());
        if (cj != null && Objects.equals(cj.getMetadata().getUid(), ref.getUid())) {
            controller.enqueue(Request.of(cj));
        }
    }

    // ---- the sync ----

    @Override
    public Result reconcile(Request request) {
        CronJob cached = cronJobInformer.lister().get(request.namespace(), request.name());
        if (cached == null) {
            return Result.done();
        }
        List<Job> jobs = jobsOf(cached);
        CronJob cj = new CronJobBuilder(cached).build();
        if (cj.getStatus() == null) {
            cj.setStatus(new CronJobStatus());
        }
        if (cj.getStatus().getActive() == null) {
            cj.getStatus().setActive(new ArrayList<>());
        }
        Sync sync = new Sync();
        Duration requeue = sync(cj, jobs, sync);
        if (cj.getMetadata().getDeletionTimestamp() == null) {
            cleanupFinishedJobs(cj, jobs, sync);
        }
        if (sync.updateStatus && !Objects.equals(normalized(cached.getStatus()), normalized(cj.getStatus()))) {
            cronJobClient.updateStatus(cj).block(TIMEOUT);
        }
        if (sync.error != null) {
            throw sync.error;
        }
        return requeue == null ? Result.done() : Result.requeueAfter(requeue);
    }

    /** What a sync found beyond the CronJob it edits: whether to write the status, and an error to retry on. */
    private static final class Sync {
        boolean updateStatus;
        RuntimeException error;
    }

    /** The Jobs of the cache whose controller is {@code cj}. */
    private List<Job> jobsOf(CronJob cj) {
        List<Job> out = new ArrayList<>();
        for (Job j : jobInformer.lister().list(cj.getMetadata().getNamespace())) {
            if (OwnerReferences.isControlledBy(j, cj.getMetadata().getUid())) {
                out.add(j);
            }
        }
        return out;
    }

    /** {@code syncCronJob}: edits {@code cj}'s status; returns when to look again (null: only on events). */
    Duration sync(CronJob cj, List<Job> jobs, Sync sync) {
        Instant now = clock.now();
        List<ObjectReference> active = cj.getStatus().getActive();
        Set<String> children = new HashSet<>();
        for (Job j : jobs) {
            children.add(j.getMetadata().getUid());
            boolean found = inActive(active, j.getMetadata().getUid());
            boolean finished = Jobs.finished(j);
            if (!found && !finished) {
                event(cj, EventRecorder.WARNING, "UnexpectedJob",
                        "Saw a job that the controller did not create or forgot: " + j.getMetadata().getName());
                // Kubernetes only reports it; adopting it keeps Forbid honest after a lost status write
                active.add(ref(j));
                sync.updateStatus = true;
            } else if (found && finished) {
                String condition = Jobs.trueCondition(j, Jobs.COMPLETE) != null ? Jobs.COMPLETE : Jobs.FAILED;
                active.removeIf(r -> Objects.equals(r.getUid(), j.getMetadata().getUid()));
                event(cj, EventRecorder.NORMAL, "SawCompletedJob",
                        "Saw completed job: " + j.getMetadata().getName() + ", condition: " + condition);
                sync.updateStatus = true;
            }
            if (Jobs.trueCondition(j, Jobs.COMPLETE) != null) {
                Instant completed = j.getStatus().getCompletionTime() == null ? Jobs.finishTime(j)
                        : Pods.parseTime(j.getStatus().getCompletionTime());
                Instant last = Pods.parseTime(cj.getStatus().getLastSuccessfulTime());
                if (completed != null && (last == null || completed.isAfter(last))) {
                    cj.getStatus().setLastSuccessfulTime(time(completed));
                    sync.updateStatus = true;
                }
            }
        }
        // active references whose Job the cache does not hold: ask the apiserver before dropping them
        for (ObjectReference r : List.copyOf(active)) {
            if (children.contains(r.getUid())) {
                continue;
            }
            Job j;
            try {
                j = jobClient.get(cj.getMetadata().getNamespace(), r.getName()).block(TIMEOUT);
            } catch (ApiStatusException.NotFound e) {
                j = null;
            }
            if (j == null || !Objects.equals(j.getMetadata().getUid(), r.getUid())) {
                event(cj, EventRecorder.NORMAL, "MissingJob", "Active job went missing: " + r.getName());
                active.remove(r);
                sync.updateStatus = true;
            }
        }
        if (cj.getMetadata().getDeletionTimestamp() != null) {
            return null;
        }
        CronJobSpec spec = cj.getSpec();
        ZoneId zone = ZoneOffset.UTC;
        if (spec.getTimeZone() != null) {
            try {
                zone = CronSchedule.timeZone(spec.getTimeZone());
            } catch (IllegalArgumentException e) {
                event(cj, EventRecorder.WARNING, "UnknownTimeZone",
                        "invalid timeZone: \"" + spec.getTimeZone() + "\": " + e.getMessage());
                return null;
            }
        }
        if (Boolean.TRUE.equals(spec.getSuspend())) {
            return null;
        }
        CronSchedule schedule;
        try {
            schedule = CronSchedule.parse(spec.getSchedule());
        } catch (IllegalArgumentException e) {
            event(cj, EventRecorder.WARNING, "UnparseableSchedule",
                    "unparseable schedule: \"" + spec.getSchedule() + "\" : " + e.getMessage());
            return null;
        }
        Instant created = Pods.parseTime(cj.getMetadata().getCreationTimestamp());
        ScheduleTimes.Due due;
        try {
            due = ScheduleTimes.mostRecent(schedule, zone, created == null ? now : created,
                    Pods.parseTime(cj.getStatus().getLastScheduleTime()), spec.getStartingDeadlineSeconds(), now);
        } catch (IllegalArgumentException e) {
            event(cj, EventRecorder.WARNING, "InvalidSchedule",
                    "invalid schedule: " + spec.getSchedule() + " : " + e.getMessage());
            return null;
        }
        Duration next = ScheduleTimes.untilNext(schedule, zone, now);
        Instant scheduled = due.mostRecent();
        if (scheduled == null) {
            return next;
        }
        if (due.missed() > TOO_MANY_MISSED) {
            event(cj, EventRecorder.WARNING, "TooManyMissedTimes", "too many missed start times: " + due.missed()
                    + ". Set or decrease .spec.startingDeadlineSeconds or check clock skew");
        }
        Long deadline = spec.getStartingDeadlineSeconds();
        if (deadline != null && scheduled.plusSeconds(deadline).isBefore(now)) {
            event(cj, EventRecorder.WARNING, "MissSchedule",
                    "Missed scheduled time to start a job: " + RFC1123.format(scheduled.atZone(ZoneOffset.UTC)));
            return next;
        }
        String jobName = ScheduleTimes.jobName(cj.getMetadata().getName(), scheduled);
        if (active.stream().anyMatch(r -> jobName.equals(r.getName()))
                || scheduled.equals(Pods.parseTime(cj.getStatus().getLastScheduleTime()))) {
            return next; // this scheduled time was handled already
        }
        String policy = spec.getConcurrencyPolicy() == null ? "Allow" : spec.getConcurrencyPolicy();
        if ("Forbid".equals(policy) && !active.isEmpty()) {
            event(cj, EventRecorder.NORMAL, "JobAlreadyActive",
                    "Not starting job because prior execution is running and concurrency policy is Forbid");
            return next;
        }
        if ("Replace".equals(policy)) {
            for (ObjectReference r : List.copyOf(active)) {
                Job j;
                try {
                    j = jobClient.get(cj.getMetadata().getNamespace(), r.getName()).block(TIMEOUT);
                } catch (ApiStatusException.NotFound e) {
                    j = null;
                }
                if (j == null) {
                    active.remove(r);
                    sync.updateStatus = true;
                    continue;
                }
                deleteJob(cj, j);
                sync.updateStatus = true;
            }
        }
        Job request = jobFromTemplate(cj, scheduled, zone);
        Job created2;
        try {
            created2 = jobClient.create(request).block(TIMEOUT);
            event(cj, EventRecorder.NORMAL, "SuccessfulCreate", "Created job " + jobName);
        } catch (ApiStatusException.AlreadyExists e) {
            // the name is the lock: a Job of this scheduled time exists, made before a lost status write
            Job existing = jobClient.get(cj.getMetadata().getNamespace(), jobName).block(TIMEOUT);
            if (existing == null || !OwnerReferences.isControlledBy(existing, cj.getMetadata().getUid())
                    || inActive(active, existing.getMetadata().getUid())) {
                return null;
            }
            if (Jobs.finished(existing)) {
                // it ran and finished already: this time is done, but it is not active
                cj.getStatus().setLastScheduleTime(time(scheduled));
                sync.updateStatus = true;
                return next;
            }
            log.info("Job {}/{} already exists, recording it as CronJob {}'s", cj.getMetadata().getNamespace(), jobName,
                    cj.getMetadata().getName());
            created2 = existing;
        } catch (RuntimeException e) {
            if (!ApiErrors.namespaceTerminating(e)) {
                event(cj, EventRecorder.WARNING, "FailedCreate", "Error creating job: " + e.getMessage());
            }
            sync.error = e;
            return null;
        }
        active.add(ref(created2));
        cj.getStatus().setLastScheduleTime(time(scheduled));
        sync.updateStatus = true;
        return next;
    }

    /** {@code getJobFromTemplate2}: the template's labels, annotations and spec, named after the scheduled minute. */
    static Job jobFromTemplate(CronJob cj, Instant scheduled, ZoneId zone) {
        JobTemplateSpec template = cj.getSpec().getJobTemplate();
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        if (template != null && template.getMetadata() != null) {
            if (template.getMetadata().getLabels() != null) {
                labels.putAll(template.getMetadata().getLabels());
            }
            if (template.getMetadata().getAnnotations() != null) {
                annotations.putAll(template.getMetadata().getAnnotations());
            }
        }
        annotations.put(SCHEDULED_TIMESTAMP, RFC3339.format(scheduled.atZone(zone)));
        return new JobBuilder().withApiVersion(API_VERSION).withKind("Job").withNewMetadata()
                .withName(ScheduleTimes.jobName(cj.getMetadata().getName(), scheduled))
                .withNamespace(cj.getMetadata().getNamespace()).withLabels(labels).withAnnotations(annotations)
                .withOwnerReferences(OwnerReferences.controllerRef(cj, API_VERSION, KIND)).endMetadata()
                .withSpec(template == null || template.getSpec() == null ? null
                        : new JobSpecBuilder(template.getSpec()).build())
                .build();
    }

    /** {@code cleanupFinishedJobs}: finished Jobs beyond the history limits go, oldest start first. */
    void cleanupFinishedJobs(CronJob cj, List<Job> jobs, Sync sync) {
        Integer successfulLimit = cj.getSpec().getSuccessfulJobsHistoryLimit();
        Integer failedLimit = cj.getSpec().getFailedJobsHistoryLimit();
        if (successfulLimit == null && failedLimit == null) {
            return;
        }
        List<Job> succeeded = new ArrayList<>();
        List<Job> failed = new ArrayList<>();
        for (Job j : jobs) {
            if (Jobs.trueCondition(j, Jobs.COMPLETE) != null) {
                succeeded.add(j);
            } else if (Jobs.trueCondition(j, Jobs.FAILED) != null) {
                failed.add(j);
            }
        }
        if (successfulLimit != null && removeOldest(cj, succeeded, successfulLimit)) {
            sync.updateStatus = true;
        }
        if (failedLimit != null && removeOldest(cj, failed, failedLimit)) {
            sync.updateStatus = true;
        }
    }

    private boolean removeOldest(CronJob cj, List<Job> finished, int limit) {
        int toDelete = finished.size() - limit;
        if (toDelete <= 0) {
            return false;
        }
        // byJobStartTime: started ones by start time, unstarted last, ties by name
        finished.sort(Comparator.comparing((Job j) -> startTime(j), Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(j -> j.getMetadata().getName()));
        boolean changed = false;
        for (int i = 0; i < toDelete; i++) {
            changed |= deleteJob(cj, finished.get(i));
        }
        return changed;
    }

    private static Instant startTime(Job j) {
        return j.getStatus() == null ? null : Pods.parseTime(j.getStatus().getStartTime());
    }

    /** Deletes {@code job} (background propagation, as Kubernetes) and drops it from the active list. */
    private boolean deleteJob(CronJob cj, Job job) {
        try {
            jobClient.delete(job.getMetadata().getNamespace(), job.getMetadata().getName(),
                    new DeleteOptions(null, "Background", job.getMetadata().getUid(), null)).block(TIMEOUT);
        } catch (ApiStatusException.NotFound e) {
            // gone already
        } catch (RuntimeException e) {
            event(cj, EventRecorder.WARNING, "FailedDelete", "Deleted job: " + e.getMessage());
            return false;
        }
        cj.getStatus().getActive().removeIf(r -> Objects.equals(r.getUid(), job.getMetadata().getUid()));
        event(cj, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted job " + job.getMetadata().getName());
        return true;
    }

    // ---- helpers ----

    private static boolean inActive(List<ObjectReference> active, String uid) {
        return active.stream().anyMatch(r -> Objects.equals(r.getUid(), uid));
    }

    private static ObjectReference ref(Job j) {
        return new ObjectReferenceBuilder().withApiVersion(API_VERSION).withKind("Job")
                .withNamespace(j.getMetadata().getNamespace()).withName(j.getMetadata().getName())
                .withUid(j.getMetadata().getUid()).withResourceVersion(j.getMetadata().getResourceVersion()).build();
    }

    private static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** A status with an empty active list equal to one without, so a no-op sync writes nothing. */
    private static CronJobStatus normalized(CronJobStatus s) {
        CronJobStatus c = s == null ? new CronJobStatus() : new io.fabric8.kubernetes.api.model.batch.v1
                .CronJobStatusBuilder(s).build();
        if (c.getActive() != null && c.getActive().isEmpty()) {
            c.setActive(null);
        }
        return c;
    }

    private void event(CronJob cj, String type, String reason, String message) {
        if (events == null) {
            return;
        }
        HasMetadata involved = cj;
        if (cj.getKind() == null || cj.getApiVersion() == null) {
            GenericKubernetesResource r = new GenericKubernetesResource();
            r.setMetadata(cj.getMetadata());
            r.setKind(KIND);
            r.setApiVersion(API_VERSION);
            involved = r;
        }
        events.event(involved, type, reason, message);
    }
}
