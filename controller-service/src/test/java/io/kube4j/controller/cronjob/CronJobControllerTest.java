package io.kube4j.controller.cronjob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.ControllerBuilder;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.informer.Indexers;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.util.FakeClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The CronJob controller's decisions on a fake clock, with informer caches the fake clients write through (a created
 * Job is in the cache at once, a status write replaces the cached CronJob): Forbid never overlaps, Replace deletes the
 * active Job, schedules missed while down give one catch-up run, the deadline, history limits and the name lock.
 */
class CronJobControllerTest {

    static final Instant CREATED = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(CREATED.plusSeconds(5));
    private final List<String> events = new ArrayList<>();
    private final List<String> deleted = new ArrayList<>();
    private final AtomicInteger uids = new AtomicInteger();
    private SharedIndexInformer<CronJob> cronJobs;
    private SharedIndexInformer<Job> jobs;
    private ResourceClient<Job> jobClient;
    private CronJobController controller;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void setUp() {
        ResourceClient<CronJob> cjClient = mock(ResourceClient.class);
        jobClient = mock(ResourceClient.class);
        cronJobs = new SharedIndexInformer<>(cjClient, null, ListOptions.all(), Duration.ZERO, Indexers.all());
        jobs = new SharedIndexInformer<>(jobClient, null, ListOptions.all(), Duration.ZERO, Indexers.all());
        when(cjClient.updateStatus(any())).thenAnswer(inv -> {
            CronJob cj = inv.getArgument(0);
            cronJobs.getIndexer().update(cj);
            return Mono.just(cj);
        });
        when(jobClient.get(anyString(), anyString()))
                .thenAnswer(inv -> Mono.justOrEmpty(jobs.lister().get(inv.getArgument(0), inv.getArgument(1))));
        when(jobClient.create(any())).thenAnswer(inv -> {
            Job j = inv.getArgument(0);
            if (jobs.lister().get(j.getMetadata().getNamespace(), j.getMetadata().getName()) != null) {
                return Mono.error(new ApiStatusException.AlreadyExists(409, null, "exists"));
            }
            Job made = new JobBuilder(j).editMetadata().withUid("job-uid-" + uids.incrementAndGet())
                    .withCreationTimestamp(clock.now().toString()).endMetadata().build();
            jobs.getIndexer().add(made);
            return Mono.just(made);
        });
        when(jobClient.delete(anyString(), anyString(), any())).thenAnswer(inv -> {
            Job j = jobs.lister().get(inv.getArgument(0), inv.getArgument(1));
            deleted.add(inv.getArgument(1));
            if (j != null) {
                jobs.getIndexer().delete(j);
            }
            return Mono.justOrEmpty(j);
        });
        controller = new CronJobController(cronJobs, jobs, cjClient, jobClient,
                (obj, type, reason, message) -> events.add(reason), clock);
        controller.register(ControllerBuilder.controller("cronjob-test").clock(clock));
    }

    static CronJob cronJob(String schedule, String policy) {
        return new CronJobBuilder().withNewMetadata().withName("cj").withNamespace("ns").withUid("cj-uid")
                .withCreationTimestamp(CREATED.toString()).endMetadata().withNewSpec().withSchedule(schedule)
                .withConcurrencyPolicy(policy).withNewJobTemplate().withNewMetadata().addToLabels("app", "cron")
                .addToAnnotations("note", "kept").endMetadata().withNewSpec().withNewTemplate().withNewSpec()
                .addNewContainer().withName("c").withImage("busybox").endContainer().withRestartPolicy("Never")
                .endSpec().endTemplate().endSpec().endJobTemplate().endSpec().build();
    }

    private Result sync() {
        return controller.reconcile(new Request("ns", "cj"));
    }

    private CronJob current() {
        return cronJobs.lister().get("ns", "cj");
    }

    private List<Job> unfinished() {
        return jobs.lister().list("ns").stream().filter(j -> j.getStatus() == null).toList();
    }

    private void finish(String name, String condition) {
        Job j = jobs.lister().get("ns", name);
        jobs.getIndexer().update(new JobBuilder(j).withNewStatus().withStartTime(j.getMetadata()
                .getCreationTimestamp()).withCompletionTime("Complete".equals(condition) ? clock.now().toString() : null)
                .addNewCondition().withType(condition).withStatus("True")
                .withLastTransitionTime(clock.now().toString()).endCondition().endStatus().build());
    }

    @Test
    void createsTheJobOfTheDueMinuteWithTemplateMetadataAndRequeuesForTheNext() {
        cronJobs.getIndexer().add(cronJob("* * * * *", "Allow"));
        Result r = sync();
        assertThat(jobs.lister().list("ns")).isEmpty();
        assertThat(r.requeueAfter()).isEqualTo(Duration.ofSeconds(55).plusMillis(100));

        clock.advance(Duration.ofSeconds(55));
        r = sync();
        Instant due = CREATED.plusSeconds(60);
        String name = "cj-" + due.getEpochSecond() / 60;
        Job job = jobs.lister().get("ns", name);
        assertThat(job).isNotNull();
        assertThat(job.getMetadata().getLabels()).containsEntry("app", "cron");
        assertThat(job.getMetadata().getAnnotations()).containsEntry("note", "kept")
                .containsEntry(CronJobController.SCHEDULED_TIMESTAMP, "2026-01-01T12:01:00Z");
        assertThat(job.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo("cj-uid"))
                .satisfies(o -> assertThat(o.getController()).isTrue());
        assertThat(current().getStatus().getLastScheduleTime()).isEqualTo("2026-01-01T12:01:00Z");
        assertThat(current().getStatus().getActive()).singleElement()
                .satisfies(a -> assertThat(a.getName()).isEqualTo(name));
        assertThat(events).containsExactly("SuccessfulCreate");
        assertThat(r.requeueAfter()).isEqualTo(Duration.ofSeconds(60).plusMillis(100));

        sync(); // the same minute again: nothing new
        assertThat(jobs.lister().list("ns")).hasSize(1);
    }

    @Test
    void timeZoneShiftsTheScheduleAndTheAnnotation() {
        CronJob cj = cronJob("0 14 * * *", "Allow");
        cj.getSpec().setTimeZone("Europe/Paris"); // 14:00 in Paris is 13:00 UTC in January
        cronJobs.getIndexer().add(cj);
        clock.advance(Duration.ofMinutes(60));
        sync();
        assertThat(jobs.lister().list("ns")).singleElement().satisfies(j -> assertThat(j.getMetadata()
                .getAnnotations()).containsEntry(CronJobController.SCHEDULED_TIMESTAMP, "2026-01-01T14:00:00+01:00"));
    }

    @Test
    void forbidNeverOverlapsAndResumesOnceTheJobFinished() {
        cronJobs.getIndexer().add(cronJob("* * * * *", "Forbid"));
        for (int minute = 1; minute <= 5; minute++) {
            clock.advance(Duration.ofMinutes(1));
            sync();
            assertThat(unfinished()).hasSize(1);
        }
        assertThat(events).containsOnlyOnce("SuccessfulCreate").contains("JobAlreadyActive");
        String first = unfinished().get(0).getMetadata().getName();

        finish(first, "Complete");
        sync();
        assertThat(current().getStatus().getLastSuccessfulTime()).isEqualTo(clock.now().toString());
        assertThat(events).contains("SawCompletedJob");
        // the 12:05 run that Forbid held back starts now that nothing is active (no deadline set)
        assertThat(unfinished()).singleElement().satisfies(j -> assertThat(j.getMetadata().getName())
                .isEqualTo("cj-" + CREATED.plusSeconds(300).getEpochSecond() / 60));
        assertThat(current().getStatus().getActive()).hasSize(1);

        clock.advance(Duration.ofMinutes(1));
        sync();
        assertThat(unfinished()).hasSize(1);
    }

    @Test
    void replaceDeletesTheActiveJobBeforeTheNextRun() {
        cronJobs.getIndexer().add(cronJob("* * * * *", "Replace"));
        clock.advance(Duration.ofMinutes(1));
        sync();
        String first = unfinished().get(0).getMetadata().getName();
        clock.advance(Duration.ofMinutes(1));
        sync();
        assertThat(deleted).containsExactly(first);
        assertThat(unfinished()).singleElement().satisfies(j -> assertThat(j.getMetadata().getName())
                .isNotEqualTo(first));
        assertThat(current().getStatus().getActive()).hasSize(1);
        assertThat(events).containsExactly("SuccessfulCreate", "SuccessfulDelete", "SuccessfulCreate");
    }

    @Test
    void allowRunsConcurrently() {
        cronJobs.getIndexer().add(cronJob("* * * * *", "Allow"));
        for (int minute = 1; minute <= 3; minute++) {
            clock.advance(Duration.ofMinutes(1));
            sync();
        }
        assertThat(unfinished()).hasSize(3);
        assertThat(current().getStatus().getActive()).hasSize(3);
    }

    @Test
    void schedulesMissedWhileDownGiveOneCatchUpRunForTheLatest() {
        cronJobs.getIndexer().add(cronJob("*/5 * * * *", "Allow"));
        clock.advance(Duration.ofMinutes(33)); // 12:05 ... 12:30 missed
        sync();
        assertThat(jobs.lister().list("ns")).singleElement().satisfies(j -> assertThat(j.getMetadata().getName())
                .isEqualTo("cj-" + Instant.parse("2026-01-01T12:30:00Z").getEpochSecond() / 60));
        assertThat(events).doesNotContain("TooManyMissedTimes");
    }

    @Test
    void moreThanAHundredMissedWarnsAndStillRunsTheLatest() {
        cronJobs.getIndexer().add(cronJob("* * * * *", "Allow"));
        clock.advance(Duration.ofMinutes(150));
        sync();
        assertThat(events).containsExactly("TooManyMissedTimes", "SuccessfulCreate");
        assertThat(jobs.lister().list("ns")).hasSize(1);
    }

    @Test
    void aRunPastItsStartingDeadlineIsMissed() {
        CronJob cj = cronJob("0 * * * *", "Allow");
        cj.getSpec().setStartingDeadlineSeconds(30L);
        cronJobs.getIndexer().add(cj);
        clock.advance(Duration.ofMinutes(60).plusSeconds(40)); // 13:00 due, 45 s late (> 30)
        Result r = sync();
        assertThat(jobs.lister().list("ns")).isEmpty();
        // with the deadline the earliest time looked at is now - 30s, past 13:00: nothing is due
        assertThat(events).isEmpty();
        assertThat(r.requeueAfter()).isPositive();

        clock.advance(Duration.ofMinutes(60).minusSeconds(20)); // 14:00:25, 25 s late: within the deadline
        sync();
        assertThat(jobs.lister().list("ns")).hasSize(1);
    }

    @Test
    void suspendedCreatesNothingButStillTracksJobs() {
        CronJob cj = cronJob("* * * * *", "Allow");
        cj.getSpec().setSuspend(true);
        cronJobs.getIndexer().add(cj);
        clock.advance(Duration.ofMinutes(3));
        assertThat(sync().requeueAfter()).isZero();
        assertThat(jobs.lister().list("ns")).isEmpty();
    }

    @Test
    void anExistingJobOfTheScheduledMinuteCountsAsCreated() {
        CronJob cj = cronJob("* * * * *", "Forbid");
        cronJobs.getIndexer().add(cj);
        clock.advance(Duration.ofMinutes(1));
        // made by an earlier run whose status write was lost; the apiserver has it, this cache not yet
        Job earlier = CronJobController.jobFromTemplate(cj, CREATED.plusSeconds(60), java.time.ZoneOffset.UTC);
        earlier.getMetadata().setUid("earlier");
        doReturn(Mono.error(new ApiStatusException.AlreadyExists(409, null, "exists"))).when(jobClient)
                .create(any());
        doReturn(Mono.just(earlier)).when(jobClient).get("ns", earlier.getMetadata().getName());
        sync();
        assertThat(current().getStatus().getActive()).singleElement()
                .satisfies(a -> assertThat(a.getUid()).isEqualTo("earlier"));
        assertThat(current().getStatus().getLastScheduleTime()).isEqualTo("2026-01-01T12:01:00Z");
        assertThat(events).doesNotContain("SuccessfulCreate");
    }

    @Test
    void everyFewSecondsRunsSeveralTimesAMinuteUnderTheirOwnNames() {
        cronJobs.getIndexer().add(cronJob("@every 5s", "Forbid"));
        sync(); // created 12:00:00, now 12:00:05: the first run
        String first = unfinished().get(0).getMetadata().getName();
        clock.advance(Duration.ofSeconds(5));
        sync();
        assertThat(events).containsExactly("SuccessfulCreate", "JobAlreadyActive");
        finish(first, "Complete");
        clock.advance(Duration.ofSeconds(5)); // 12:00:15, same minute as the first run
        sync();
        assertThat(unfinished()).singleElement().satisfies(j -> assertThat(j.getMetadata().getName())
                .isEqualTo("cj-" + CREATED.plusSeconds(15).getEpochSecond()).isNotEqualTo(first));
        assertThat(current().getStatus().getActive()).singleElement()
                .satisfies(a -> assertThat(a.getName()).isEqualTo("cj-" + CREATED.plusSeconds(15).getEpochSecond()));
        assertThat(current().getStatus().getLastSuccessfulTime()).isEqualTo("2026-01-01T12:00:10Z");
    }

    @Test
    void anExistingFinishedJobOfTheScheduledTimeIsNotActive() {
        CronJob cj = cronJob("* * * * *", "Forbid");
        cronJobs.getIndexer().add(cj);
        clock.advance(Duration.ofMinutes(1));
        Job earlier = new JobBuilder(CronJobController.jobFromTemplate(cj, CREATED.plusSeconds(60),
                java.time.ZoneOffset.UTC)).editMetadata().withUid("earlier").endMetadata().withNewStatus()
                .addNewCondition().withType("Complete").withStatus("True").endCondition().endStatus().build();
        doReturn(Mono.error(new ApiStatusException.AlreadyExists(409, null, "exists"))).when(jobClient)
                .create(any());
        doReturn(Mono.just(earlier)).when(jobClient).get("ns", earlier.getMetadata().getName());
        sync();
        assertThat(current().getStatus().getActive()).isEmpty();
        assertThat(current().getStatus().getLastScheduleTime()).isEqualTo("2026-01-01T12:01:00Z");
    }

    @Test
    void historyLimitsDeleteTheOldestFinishedJobs() {
        CronJob cj = cronJob("* * * * *", "Allow");
        cj.getSpec().setSuccessfulJobsHistoryLimit(1);
        cj.getSpec().setFailedJobsHistoryLimit(0);
        cronJobs.getIndexer().add(cj);
        List<String> names = new ArrayList<>();
        for (int minute = 1; minute <= 3; minute++) {
            clock.advance(Duration.ofMinutes(1));
            sync();
            names.add(current().getStatus().getActive().get(current().getStatus().getActive().size() - 1)
                    .getName());
        }
        finish(names.get(0), "Complete");
        finish(names.get(1), "Complete");
        finish(names.get(2), "Failed");
        sync();
        assertThat(deleted).containsExactlyInAnyOrder(names.get(0), names.get(2));
        assertThat(jobs.lister().list("ns")).extracting(j -> j.getMetadata().getName()).containsExactly(names.get(1));
        assertThat(current().getStatus().getActive()).isEmpty();
    }

    @Test
    void anActiveJobThatVanishedLeavesTheActiveList() {
        cronJobs.getIndexer().add(cronJob("* * * * *", "Forbid"));
        clock.advance(Duration.ofMinutes(1));
        sync();
        jobs.getIndexer().delete(unfinished().get(0));
        sync();
        assertThat(events).contains("MissingJob");
        assertThat(current().getStatus().getActive()).isEmpty();
    }
}
