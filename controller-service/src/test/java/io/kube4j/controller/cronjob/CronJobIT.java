package io.kube4j.controller.cronjob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.List;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CronJob controller alone against the real apiserver: Forbid, Replace, the successful history limit and suspend,
 * each on its own CronJob in one shared namespace, the four run at once (they mostly wait for schedule ticks).
 *
 * <p>The schedule is {@code @every 5s}: it stands in for "every minute", so three ticks take 15 s instead of three
 * minutes; the controller's decisions do not depend on the period. The Job controller is <em>not</em> running here,
 * so the Jobs get no pods: the test plays each Job's lifecycle itself by writing the Job's status subresource
 * (startTime, completionTime and the Complete condition, as the Job controller would on success) and checks how the
 * CronJob controller reacts. Runs with real pods are e2e-tests' WorkloadKindsIT.
 *
 * <p>The four scenarios run at once inside one test ({@link #theScenariosRunAtOnce}), each on its own thread, every
 * failure reported: JUnit's parallel execution would also let the class overlap the module's other classes, some of
 * which start a Job or the whole controller manager that would act on these Jobs.
 */
class CronJobIT {

    static final Duration WAIT = Duration.ofSeconds(15);
    /** Three schedule ticks. */
    static final Duration THREE_TICKS = Duration.ofSeconds(12);

    static KubeClient client;
    static ResourceClient<CronJob> cronJobs;
    static ResourceClient<Job> jobs;
    static String ns;
    static ControllerManager manager;

    @BeforeAll
    static void start() {
        client = ControllerTestEnv.client();
        cronJobs = client.resources(CronJob.class);
        jobs = client.resources(Job.class);
        ns = ControllerTestEnv.namespace("cronjob-it");
        manager = ControllerTestEnv.start(new CronJobControllerFactory(new CronJobControllerProperties(5)));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (manager != null) {
            manager.stop();
        }
    }

    @Test
    void theScenariosRunAtOnce() throws InterruptedException {
        Map<String, Runnable> scenarios = new LinkedHashMap<>();
        scenarios.put("forbid", this::forbidNeverStartsASecondJobWhileOneIsActive);
        scenarios.put("replace", this::replaceDeletesTheActiveJobAtTheNextTick);
        scenarios.put("history", this::successfulJobsBeyondTheHistoryLimitAreDeleted);
        scenarios.put("suspend", this::aSuspendedCronJobStartsNothingUntilResumed);
        ExecutorService pool = Executors.newFixedThreadPool(scenarios.size());
        try {
            Map<String, Future<?>> running = new LinkedHashMap<>();
            scenarios.forEach((name, scenario) -> running.put(name, pool.submit(scenario)));
            AssertionError failed = null;
            for (Map.Entry<String, Future<?>> e : running.entrySet()) {
                try {
                    e.getValue().get();
                } catch (ExecutionException ex) {
                    if (failed == null) {
                        failed = new AssertionError("CronJobIT scenario(s) failed; the first: " + e.getKey());
                    }
                    AssertionError one = new AssertionError("scenario " + e.getKey() + " failed", ex.getCause());
                    failed.addSuppressed(one);
                }
            }
            if (failed != null) {
                throw failed;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    void forbidNeverStartsASecondJobWhileOneIsActive() {
        CronJob cj = create("forbid", "Forbid", null, false);
        Job first = await().atMost(WAIT).until(() -> jobsOf(cj), l -> l.size() == 1).get(0);
        await().atMost(WAIT).until(() -> active(cj).size() == 1);

        // three ticks pass while the first Job runs: no second Job, the one active reference stays
        await().pollInterval(Duration.ofMillis(250)).during(THREE_TICKS).atMost(THREE_TICKS.plusSeconds(5))
                .until(() -> jobsOf(cj).size() == 1 && active(cj).size() == 1);
        assertThat(active(cj)).singleElement().satisfies(r -> assertThat(r.getUid())
                .isEqualTo(first.getMetadata().getUid()));
        assertThat(reasons(cj)).contains("JobAlreadyActive").containsOnlyOnce("SuccessfulCreate");

        complete(first);
        await().atMost(WAIT).untilAsserted(() -> {
            CronJob current = cronJobs.get(ns, "forbid").block(WAIT);
            assertThat(current.getStatus().getLastSuccessfulTime()).isNotNull();
            List<Job> all = jobsOf(cj);
            assertThat(all).hasSize(2);
            Job second = all.stream().filter(j -> !j.getMetadata().getName().equals(first.getMetadata().getName()))
                    .findFirst().orElseThrow();
            assertThat(current.getStatus().getActive()).extracting(ObjectReference::getUid)
                    .containsExactly(second.getMetadata().getUid());
        });
        assertThat(reasons(cj)).contains("SawCompletedJob");
    }

    void replaceDeletesTheActiveJobAtTheNextTick() {
        CronJob cj = create("replace", "Replace", null, false);
        Job first = await().atMost(WAIT).until(() -> jobsOf(cj), l -> l.size() == 1).get(0);
        await().atMost(WAIT).untilAsserted(() -> {
            List<Job> all = jobsOf(cj);
            assertThat(all).extracting(j -> j.getMetadata().getName()).doesNotContain(first.getMetadata().getName())
                    .hasSize(1);
            assertThat(active(cj)).extracting(ObjectReference::getUid)
                    .containsExactly(all.get(0).getMetadata().getUid());
            assertThat(messages(cj)).contains("SuccessfulDelete: Deleted job " + first.getMetadata().getName());
        });
    }

    void successfulJobsBeyondTheHistoryLimitAreDeleted() {
        CronJob cj = create("history", "Allow", 1, false);
        List<String> completed = new ArrayList<>();
        while (completed.size() < 3) {
            Job next = await().atMost(WAIT).until(() -> jobsOf(cj).stream()
                    .filter(j -> !completed.contains(j.getMetadata().getName())).findFirst().orElse(null),
                    Objects::nonNull);
            complete(next);
            completed.add(next.getMetadata().getName());
        }
        await().atMost(WAIT).untilAsserted(() -> {
            List<String> finished = jobsOf(cj).stream().filter(j -> j.getStatus() != null
                    && j.getStatus().getCompletionTime() != null).map(j -> j.getMetadata().getName()).toList();
            assertThat(finished).containsExactly(completed.get(2));
            assertThat(messages(cj)).contains("SuccessfulDelete: Deleted job " + completed.get(0),
                    "SuccessfulDelete: Deleted job " + completed.get(1));
        });
    }

    void aSuspendedCronJobStartsNothingUntilResumed() {
        CronJob cj = create("suspended", "Allow", null, true);
        await().pollInterval(Duration.ofMillis(250)).during(THREE_TICKS).atMost(THREE_TICKS.plusSeconds(5))
                .until(() -> jobsOf(cj).isEmpty());
        cronJobs.updateWithRetry(ns, "suspended", c -> {
            c.getSpec().setSuspend(false);
            return c;
        }, false).block(WAIT);
        await().atMost(WAIT).until(() -> jobsOf(cj).size() == 1);
    }

    // ---- helpers ----

    static CronJob create(String name, String policy, Integer successfulLimit, boolean suspend) {
        return cronJobs.create(new CronJobBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withSchedule("@every 5s").withConcurrencyPolicy(policy).withSuspend(suspend)
                .withSuccessfulJobsHistoryLimit(successfulLimit).withNewJobTemplate().withNewSpec().withNewTemplate()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer()
                .withRestartPolicy("Never").endSpec().endTemplate().endSpec().endJobTemplate().endSpec().build())
                .block(WAIT);
    }

    /** The Jobs the apiserver holds whose controller is {@code cj}. */
    static List<Job> jobsOf(CronJob cj) {
        return jobs.list(ns, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(j -> OwnerReferences.isControlledBy(j, cj.getMetadata().getUid())).toList();
    }

    static List<ObjectReference> active(CronJob cj) {
        CronJob current = cronJobs.get(ns, cj.getMetadata().getName()).block(WAIT);
        return current.getStatus() == null || current.getStatus().getActive() == null ? List.of()
                : current.getStatus().getActive();
    }

    /** What the Job controller writes when a Job succeeds, through the status subresource. */
    static void complete(Job job) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        jobs.updateWithRetry(ns, job.getMetadata().getName(), j -> {
            j.setStatus(j.getStatus() == null ? new io.fabric8.kubernetes.api.model.batch.v1.JobStatus() : j.getStatus());
            j.getStatus().setStartTime(j.getMetadata().getCreationTimestamp());
            j.getStatus().setCompletionTime(now);
            j.getStatus().setSucceeded(1);
            j.getStatus().setConditions(List.of(
                    new JobConditionBuilder().withType("SuccessCriteriaMet").withStatus("True")
                            .withLastTransitionTime(now).build(),
                    new JobConditionBuilder().withType("Complete").withStatus("True")
                            .withLastTransitionTime(now).build()));
            return j;
        }, true).block(WAIT);
    }

    static List<Event> events(CronJob cj) {
        return client.resources(Event.class).list(ns, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(e -> cj.getMetadata().getUid().equals(e.getInvolvedObject().getUid())).toList();
    }

    static List<String> reasons(CronJob cj) {
        List<String> out = new ArrayList<>();
        for (Event e : events(cj)) {
            int n = e.getCount() == null ? 1 : e.getCount();
            for (int i = 0; i < n; i++) {
                out.add(e.getReason());
            }
        }
        return out;
    }

    static List<String> messages(CronJob cj) {
        return events(cj).stream().map(e -> e.getReason() + ": " + e.getMessage()).toList();
    }
}
