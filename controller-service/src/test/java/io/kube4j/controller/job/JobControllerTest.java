package io.kube4j.controller.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.ControllerBuilder;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.informer.Indexers;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.util.FakeClock;
import io.kube4j.controller.common.FakePodControl;
import io.kube4j.controller.common.OwnerReferences;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The Job sync with a recording PodControl and hand-filled informer caches: status writes are compare-and-swap on the
 * resourceVersion as the apiserver does them, pod writes (finalizer removal) go to the pod cache only when a test says
 * the informer saw them, so stale caches can be played.
 */
class JobControllerTest {

    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(NOW);
    private final FakePodControl podControl = new FakePodControl();
    private SharedIndexInformer<Job> jobInformer;
    private SharedIndexInformer<Pod> podInformer;
    private final List<JobStatus> statusWrites = new ArrayList<>();
    /** Pods as the apiserver has them after the controller's finalizer removals (the cache may lag). */
    private final Map<String, Pod> serverPods = new java.util.concurrent.ConcurrentHashMap<>();
    private JobController jc;
    /** Jobs as the apiserver has them (the cache may be set back to play a lagging informer). */
    private final Map<String, Job> serverJobs = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeEach
    @SuppressWarnings("unchecked")
    void setUp() {
        ResourceClient<Job> jobClient = mock(ResourceClient.class);
        ResourceClient<Pod> podClient = mock(ResourceClient.class);
        jobInformer = new SharedIndexInformer<>(jobClient, null, ListOptions.all(), Duration.ZERO, Indexers.all());
        podInformer = new SharedIndexInformer<>(podClient, null, ListOptions.all(), Duration.ZERO, Indexers.all());
        when(jobClient.updateStatus(any())).thenAnswer(inv -> {
            Job j = inv.getArgument(0);
            Job cur = serverJobs.get(j.getMetadata().getName());
            if (!cur.getMetadata().getResourceVersion().equals(j.getMetadata().getResourceVersion())) {
                return Mono.error(new ApiStatusException.Conflict(409, null, "stale"));
            }
            Job out = new JobBuilder(j).editMetadata().withResourceVersion(
                    String.valueOf(Long.parseLong(cur.getMetadata().getResourceVersion()) + 1)).endMetadata().build();
            statusWrites.add(out.getStatus());
            serverJobs.put(out.getMetadata().getName(), out);
            jobInformer.getIndexer().update(out);
            return Mono.just(out);
        });
        when(podClient.updateWithRetry(anyString(), anyString(), any(), anyBoolean())).thenAnswer(inv -> {
            String name = inv.getArgument(1);
            Pod cur = serverPods.getOrDefault(name, podInformer.lister().get("ns", name));
            Pod out = ((UnaryOperator<Pod>) inv.getArgument(2)).apply(new PodBuilder(cur).build());
            if (out != null) {
                serverPods.put(name, out);
            }
            return Mono.justOrEmpty(out == null ? cur : out);
        });
        jc = new JobController(jobInformer, podInformer, jobClient, podClient, podControl, null, clock,
                Duration.ofSeconds(10), Duration.ofMinutes(6));
        jc.register(ControllerBuilder.controller("job-test").clock(clock));
    }

    static JobBuilder job(String name, int completions, int parallelism) {
        return new JobBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid("uid-" + name)
                .withResourceVersion("1").endMetadata()
                .withNewSpec().withCompletions(completions).withParallelism(parallelism).withBackoffLimit(6)
                .withCompletionMode("NonIndexed").withSuspend(false)
                .withNewSelector().withMatchLabels(Map.of("batch.kubernetes.io/controller-uid", "uid-" + name))
                .endSelector().withNewTemplate().withNewMetadata()
                .withLabels(Map.of("batch.kubernetes.io/controller-uid", "uid-" + name, "job-name", name))
                .endMetadata().withNewSpec().withRestartPolicy("Never").addNewContainer().withName("c")
                .withImage("busybox").endContainer().endSpec().endTemplate().endSpec();
    }

    private Job add(Job job) {
        serverJobs.put(job.getMetadata().getName(), job);
        jobInformer.getIndexer().add(job);
        return job;
    }

    private Job current(String name) {
        return jobInformer.lister().get("ns", name);
    }

    private Result sync(String name) {
        return jc.reconcile(new Request("ns", name));
    }

    /** The informer delivers the pods the fake created (Pending) and, for earlier ones, the server's writes. */
    private List<Pod> observe() {
        List<Pod> out = new ArrayList<>();
        for (Pod p : new ArrayList<>(podControl.created)) {
            if (podInformer.lister().get("ns", p.getMetadata().getName()) == null) {
                p.getMetadata().setResourceVersion("1");
                p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Pending").build());
                podInformer.getIndexer().add(p);
                jc.podChanged(null, p);
            }
            out.add(podInformer.lister().get("ns", p.getMetadata().getName()));
        }
        return out;
    }

    /** The informer sees the server's copy of every pod (finalizer removals). */
    private void catchUp() {
        for (Pod p : serverPods.values()) {
            Pod old = podInformer.lister().get("ns", p.getMetadata().getName());
            podInformer.getIndexer().update(p);
            jc.podChanged(old, p);
        }
    }

    /** {@code pod} terminated with {@code exitCode} (0: Succeeded, else Failed) at {@code at}. */
    private Pod finish(Pod pod, int exitCode, Instant at, UnaryOperator<PodBuilder> tweak) {
        Pod done = tweak.apply(new PodBuilder(pod).editMetadata().withResourceVersion("2").endMetadata()
                .editStatus().withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                .addNewContainerStatus().withName("c").withNewState().withNewTerminated().withExitCode(exitCode)
                .withFinishedAt(at.toString()).endTerminated().endState().endContainerStatus().endStatus()).build();
        podInformer.getIndexer().update(done);
        jc.podChanged(pod, done);
        return done;
    }

    private static JobCondition cond(Job job, String type) {
        return job.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElse(null);
    }

    @Test
    void createsParallelismPodsWithTheTrackingFinalizerAndNoMoreUntilObserved() {
        add(job("pi", 10, 3).build());
        sync("pi");
        assertThat(podControl.created).hasSize(3).allSatisfy(p -> {
            assertThat(p.getMetadata().getFinalizers()).containsExactly(Jobs.TRACKING_FINALIZER);
            assertThat(p.getMetadata().getLabels()).containsEntry("job-name", "pi");
            assertThat(OwnerReferences.isControlledBy(p, "uid-pi")).isTrue();
        });
        sync("pi");
        assertThat(podControl.created).hasSize(3); // expectations: the informer has not seen them
        observe();
        sync("pi");
        assertThat(podControl.created).hasSize(3);
        Job j = current("pi");
        assertThat(j.getStatus().getActive()).isEqualTo(3);
        assertThat(j.getStatus().getStartTime()).isEqualTo("2026-01-01T12:00:00Z");
    }

    @Test
    void countsEachFinishedPodOnceThroughUncountedTerminatedPodsEvenWithAStaleCache() {
        add(job("pi", 2, 2).build());
        sync("pi");
        List<Pod> pods = observe();
        finish(pods.get(0), 0, NOW, b -> b);
        sync("pi");
        // first write: the uid in uncountedTerminatedPods, counts untouched; then the finalizer went; then counted
        assertThat(statusWrites.get(statusWrites.size() - 2).getUncountedTerminatedPods().getSucceeded())
                .containsExactly(pods.get(0).getMetadata().getUid());
        assertThat(statusWrites.get(statusWrites.size() - 2).getSucceeded()).isNull();
        assertThat(serverPods.get(pods.get(0).getMetadata().getName()).getMetadata().getFinalizers()).isEmpty();
        Job j = current("pi");
        assertThat(j.getStatus().getSucceeded()).isEqualTo(1);
        assertThat(j.getStatus().getUncountedTerminatedPods().getSucceeded()).isEmpty();

        // the pod cache still shows the finalizer: another sync must not count the pod again
        sync("pi");
        sync("pi");
        assertThat(current("pi").getStatus().getSucceeded()).isEqualTo(1);
        catchUp();
        sync("pi");
        assertThat(current("pi").getStatus().getSucceeded()).isEqualTo(1);
        assertThat(podControl.created).hasSize(2); // one done, one running: nothing to add

        finish(podInformer.lister().get("ns", pods.get(1).getMetadata().getName()), 0, NOW, b -> b);
        sync("pi");
        Job done = current("pi");
        assertThat(done.getStatus().getSucceeded()).isEqualTo(2);
        assertThat(cond(done, Jobs.SUCCESS_CRITERIA_MET).getReason()).isEqualTo(Jobs.REASON_COMPLETIONS_REACHED);
        assertThat(cond(done, Jobs.COMPLETE).getStatus()).isEqualTo("True");
        assertThat(done.getStatus().getCompletionTime()).isEqualTo("2026-01-01T12:00:00Z");
        assertThat(Jobs.finished(done)).isTrue();
    }

    @Test
    void aPodRecordedAsUncountedBeforeACrashIsCountedAfterItsFinalizerGoes() {
        // an earlier controller wrote the uid and died before removing the finalizer
        Job j = job("pi", 1, 1).withNewStatus().withNewUncountedTerminatedPods().withSucceeded("uid-p0")
                .endUncountedTerminatedPods().endStatus().build();
        add(j);
        Pod p0 = new PodBuilder().withNewMetadata().withName("p0").withNamespace("ns").withUid("uid-p0")
                .withResourceVersion("5").withFinalizers(Jobs.TRACKING_FINALIZER)
                .withLabels(j.getSpec().getTemplate().getMetadata().getLabels())
                .withOwnerReferences(OwnerReferences.controllerRef(j, "batch/v1", "Job")).endMetadata()
                .withNewStatus().withPhase("Succeeded").endStatus().build();
        podInformer.getIndexer().add(p0);
        sync("pi");
        Job done = current("pi");
        assertThat(done.getStatus().getSucceeded()).isEqualTo(1);
        assertThat(done.getStatus().getUncountedTerminatedPods().getSucceeded()).isEmpty();
        assertThat(cond(done, Jobs.COMPLETE)).isNotNull();
        assertThat(podControl.created).isEmpty();
    }

    @Test
    void failuresBackOffExponentiallyAndStopAtTheBackoffLimit() {
        add(job("fail", 1, 1).editSpec().withBackoffLimit(2).endSpec().build());
        sync("fail");
        Pod p1 = observe().get(0);
        finish(p1, 1, NOW, b -> b);
        Result r = sync("fail");
        assertThat(current("fail").getStatus().getFailed()).isEqualTo(1);
        assertThat(podControl.created).hasSize(1); // waiting 10 s after the first failure
        assertThat(r.requeueAfter()).isBetween(Duration.ofSeconds(9), Duration.ofSeconds(11));
        clock.advance(Duration.ofSeconds(10));
        sync("fail");
        assertThat(podControl.created).hasSize(2);
        Pod p2 = observe().get(1);
        finish(p2, 1, clock.now(), b -> b);
        r = sync("fail");
        assertThat(r.requeueAfter()).isBetween(Duration.ofSeconds(19), Duration.ofSeconds(21)); // doubled
        clock.advance(Duration.ofSeconds(20));
        sync("fail");
        Pod p3 = observe().get(2);
        finish(p3, 1, clock.now(), b -> b);
        sync("fail");
        Job failed = current("fail");
        assertThat(failed.getStatus().getFailed()).isEqualTo(3);
        assertThat(cond(failed, Jobs.FAILURE_TARGET).getReason()).isEqualTo(Jobs.REASON_BACKOFF_LIMIT_EXCEEDED);
        assertThat(cond(failed, Jobs.FAILED).getReason()).isEqualTo(Jobs.REASON_BACKOFF_LIMIT_EXCEEDED);
        assertThat(podControl.created).hasSize(3);
    }

    @Test
    void backoffDoublesFromTheBaseUpToTheCap() {
        Duration base = Duration.ofSeconds(10);
        Duration max = Duration.ofMinutes(6);
        assertThat(Jobs.backoff(0, base, max)).isZero();
        assertThat(Jobs.backoff(1, base, max)).isEqualTo(Duration.ofSeconds(10));
        assertThat(Jobs.backoff(2, base, max)).isEqualTo(Duration.ofSeconds(20));
        assertThat(Jobs.backoff(6, base, max)).isEqualTo(Duration.ofSeconds(320));
        assertThat(Jobs.backoff(7, base, max)).isEqualTo(max);
        assertThat(Jobs.backoff(1000, base, max)).isEqualTo(max);
    }

    @Test
    void podFailurePolicyFailsTheJobOnAnExitCodeAndIgnoresDisruptions() {
        add(job("pfp", 3, 2).editSpec().withNewPodFailurePolicy()
                .addNewRule().withAction("Ignore").addNewOnPodCondition().withType("DisruptionTarget")
                .withStatus("True").endOnPodCondition().endRule()
                .addNewRule().withAction("FailJob").withNewOnExitCodes().withOperator("In").withValues(42)
                .endOnExitCodes().endRule().endPodFailurePolicy().endSpec().build());
        sync("pfp");
        List<Pod> pods = observe();
        finish(pods.get(0), 137, NOW, b -> b.editStatus().addNewCondition().withType("DisruptionTarget")
                .withStatus("True").endCondition().endStatus());
        sync("pfp");
        Job j = current("pfp");
        assertThat(j.getStatus().getFailed()).isNull(); // ignored
        assertThat(serverPods.get(pods.get(0).getMetadata().getName()).getMetadata().getFinalizers()).isEmpty();
        assertThat(podControl.created).hasSize(3); // replaced at once: an ignored failure has no backoff

        observe(); // the replacement, still pending
        finish(pods.get(1), 42, NOW, b -> b);
        sync("pfp");
        j = current("pfp");
        JobCondition target = cond(j, Jobs.FAILURE_TARGET);
        assertThat(target.getReason()).isEqualTo(Jobs.REASON_POD_FAILURE_POLICY);
        assertThat(target.getMessage()).contains("failed with exit code 42 matching FailJob rule at index 1");
        assertThat(podControl.deleted).hasSize(1); // the third pod, still pending, is deleted
        assertThat(cond(j, Jobs.FAILED)).isNull(); // not before that pod is gone
    }

    @Test
    void indexedPodsCarryTheirIndexAndCompletedIndexesAreIntervals() {
        add(job("idx", 3, 2).editSpec().withCompletionMode("Indexed").endSpec().build());
        sync("idx");
        assertThat(podControl.created).hasSize(2);
        assertThat(podControl.created).extracting(p -> p.getMetadata().getAnnotations().get(Jobs.COMPLETION_INDEX))
                .containsExactlyInAnyOrder("0", "1");
        Pod p0 = podControl.created.stream()
                .filter(p -> "0".equals(p.getMetadata().getLabels().get(Jobs.COMPLETION_INDEX))).findFirst()
                .orElseThrow();
        assertThat(p0.getSpec().getHostname()).isEqualTo("idx-0");
        assertThat(p0.getMetadata().getGenerateName()).isEqualTo("idx-0-");
        assertThat(p0.getSpec().getContainers().get(0).getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("JOB_COMPLETION_INDEX");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                    .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
        });
        List<Pod> pods = observe();
        Pod first = pods.stream().filter(p -> Jobs.completionIndex(p) == 0).findFirst().orElseThrow();
        finish(first, 0, NOW, b -> b);
        sync("idx");
        assertThat(current("idx").getStatus().getCompletedIndexes()).isEqualTo("0");
        assertThat(podControl.created).hasSize(3);
        assertThat(Jobs.completionIndex(podControl.created.get(2))).isEqualTo(2);
        for (Pod p : observe()) {
            if (Jobs.completionIndex(p) != 0) {
                finish(p, 0, NOW, b -> b);
            }
        }
        sync("idx");
        Job done = current("idx");
        assertThat(done.getStatus().getCompletedIndexes()).isEqualTo("0-2");
        assertThat(done.getStatus().getSucceeded()).isEqualTo(3);
        assertThat(cond(done, Jobs.COMPLETE)).isNotNull();
    }

    @Test
    void indexesParseAndFormatAsKubernetesIntervals() {
        assertThat(Jobs.parseIndexes("1,3-5,9", 6)).containsExactly(1, 3, 4, 5);
        assertThat(Jobs.formatIndexes(new java.util.TreeSet<>(List.of(0, 1, 2, 4, 6, 7)))).isEqualTo("0-2,4,6-7");
        assertThat(Jobs.formatIndexes(new java.util.TreeSet<>())).isNull();
        assertThat(Jobs.parseIndexes("x,2", 5)).containsExactly(2);
    }

    @Test
    void suspendDeletesActivePodsAndResumeResetsStartTime() {
        add(job("s", 4, 2).editSpec().withActiveDeadlineSeconds(120L).endSpec().build());
        sync("s");
        observe();
        sync("s");
        Job running = current("s");
        add(new JobBuilder(running).editSpec().withSuspend(true).endSpec().build());
        sync("s");
        assertThat(podControl.deleted).hasSize(2);
        Job suspended = current("s");
        assertThat(cond(suspended, Jobs.SUSPENDED).getStatus()).isEqualTo("True");
        assertThat(cond(suspended, Jobs.SUSPENDED).getReason()).isEqualTo("JobSuspended");

        clock.advance(Duration.ofMinutes(5));
        podInformer.getIndexer().list().forEach(p -> {
            podInformer.getIndexer().delete(p);
            jc.podDeleted(p);
        });
        add(new JobBuilder(current("s")).editSpec().withSuspend(false).endSpec().build());
        sync("s");
        Job resumed = current("s");
        assertThat(cond(resumed, Jobs.SUSPENDED).getStatus()).isEqualTo("False");
        assertThat(cond(resumed, Jobs.SUSPENDED).getReason()).isEqualTo("JobResumed");
        assertThat(resumed.getStatus().getStartTime()).isEqualTo("2026-01-01T12:05:00Z");
        assertThat(cond(resumed, Jobs.FAILURE_TARGET)).isNull(); // 5 min suspended do not count to the deadline
        assertThat(podControl.created).hasSize(4);
    }

    @Test
    void activeDeadlineFailsTheJobAndDeletesItsPods() {
        add(job("dl", 1, 1).editSpec().withActiveDeadlineSeconds(30L).endSpec().build());
        Result r = sync("dl");
        assertThat(r.requeueAfter()).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(31));
        observe();
        clock.advance(Duration.ofSeconds(31));
        sync("dl");
        Job j = current("dl");
        assertThat(cond(j, Jobs.FAILURE_TARGET).getReason()).isEqualTo(Jobs.REASON_DEADLINE_EXCEEDED);
        assertThat(podControl.deleted).hasSize(1);
        podInformer.getIndexer().list().forEach(p -> {
            podInformer.getIndexer().delete(p);
            jc.podDeleted(p);
        });
        sync("dl");
        assertThat(cond(current("dl"), Jobs.FAILED).getReason()).isEqualTo(Jobs.REASON_DEADLINE_EXCEEDED);
    }

    @Test
    void aPodDeletedFromOutsideCountsAsAFailure() {
        add(job("ev", 1, 1).build());
        sync("ev");
        Pod p = observe().get(0);
        Pod deleting = new PodBuilder(p).editMetadata().withResourceVersion("3")
                .withDeletionTimestamp(NOW.toString()).endMetadata().editStatus().withPhase("Running")
                .withConditions(new PodConditionBuilder().withType("DisruptionTarget").withStatus("True").build())
                .endStatus().build();
        podInformer.getIndexer().update(deleting);
        jc.podChanged(p, deleting);
        sync("ev");
        assertThat(current("ev").getStatus().getFailed()).isEqualTo(1);
    }

    @Test
    void anOrphanedPodLosesTheTrackingFinalizer() {
        Pod orphan = new PodBuilder().withNewMetadata().withName("lonely").withNamespace("ns").withUid("uid-lonely")
                .withResourceVersion("4").withFinalizers(Jobs.TRACKING_FINALIZER).withLabels(Map.of("x", "y"))
                .endMetadata().withNewStatus().withPhase("Succeeded").endStatus().build();
        podInformer.getIndexer().add(orphan);
        jc.podChanged(null, orphan);
        jc.reconcile(new Request("ns", JobController.ORPHAN_POD_PREFIX + "lonely"));
        assertThat(serverPods.get("lonely").getMetadata().getFinalizers()).isEmpty();
    }

    @Test
    void aStatusWriteFromAStaleCacheConflictsAndIsRetriedInsteadOfOverwriting() {
        add(job("pi", 2, 2).build());
        sync("pi");
        List<Pod> pods = observe();
        sync("pi");
        Job stale = current("pi");
        finish(pods.get(0), 0, NOW, b -> b);
        sync("pi");
        assertThat(serverJobs.get("pi").getStatus().getSucceeded()).isEqualTo(1);
        jobInformer.getIndexer().update(stale); // the informer lags behind the apiserver
        int writes = statusWrites.size();
        Result r = sync("pi");
        assertThat(r.shouldRequeue()).isTrue();
        assertThat(statusWrites).hasSize(writes);
        assertThat(serverJobs.get("pi").getStatus().getSucceeded()).isEqualTo(1);
    }

    @Test
    void backoffLimitPerIndexFailsAnIndexAndTheJobEndsWithFailedIndexes() {
        add(job("pi", 2, 2).editSpec().withCompletionMode("Indexed").withBackoffLimitPerIndex(1)
                .withBackoffLimit(Integer.MAX_VALUE).endSpec().build());
        sync("pi");
        List<Pod> pods = observe();
        assertThat(pods).allSatisfy(p -> assertThat(p.getMetadata().getAnnotations())
                .containsEntry(Jobs.INDEX_FAILURE_COUNT, "0"));
        Pod zero = pods.stream().filter(p -> Jobs.completionIndex(p) == 0).findFirst().orElseThrow();
        finish(zero, 1, NOW, b -> b);
        Result r = sync("pi");
        assertThat(current("pi").getStatus().getFailedIndexes()).isEmpty(); // one failure allowed
        assertThat(r.requeueAfter()).isBetween(Duration.ofSeconds(9), Duration.ofSeconds(11)); // index 0 backs off
        assertThat(podControl.created).hasSize(2);
        clock.advance(Duration.ofSeconds(10));
        sync("pi");
        assertThat(podControl.created).hasSize(3);
        Pod retry = podControl.created.get(2);
        assertThat(Jobs.completionIndex(retry)).isZero();
        assertThat(retry.getMetadata().getAnnotations()).containsEntry(Jobs.INDEX_FAILURE_COUNT, "1");
        List<Pod> all = observe();
        finish(all.get(2), 1, clock.now(), b -> b);
        sync("pi");
        assertThat(current("pi").getStatus().getFailedIndexes()).isEqualTo("0");
        Pod one = all.stream().filter(p -> Jobs.completionIndex(p) == 1).findFirst().orElseThrow();
        finish(one, 0, clock.now(), b -> b);
        sync("pi");
        Job failed = current("pi");
        assertThat(failed.getStatus().getCompletedIndexes()).isEqualTo("1");
        assertThat(cond(failed, Jobs.FAILED).getReason()).isEqualTo(Jobs.REASON_FAILED_INDEXES);
        assertThat(podControl.created).hasSize(3);
    }

    @Test
    void withPodReplacementPolicyFailedATerminatingPodIsReplacedOnlyOnceItFailed() {
        add(job("rp", 1, 1).editSpec().withPodReplacementPolicy("Failed").withNewPodFailurePolicy().addNewRule()
                .withAction("Ignore").addNewOnPodCondition().withType("DisruptionTarget").endOnPodCondition()
                .endRule().endPodFailurePolicy().endSpec().build());
        sync("rp");
        Pod p = observe().get(0);
        Pod deleting = new PodBuilder(p).editMetadata().withResourceVersion("3").withDeletionTimestamp(NOW.toString())
                .endMetadata().editStatus().withPhase("Running").withConditions(new PodConditionBuilder()
                        .withType("DisruptionTarget").withStatus("True").build()).endStatus().build();
        podInformer.getIndexer().update(deleting);
        jc.podChanged(p, deleting);
        sync("rp");
        assertThat(podControl.created).hasSize(1); // still terminating: no replacement yet
        assertThat(current("rp").getStatus().getTerminating()).isEqualTo(1);
        finish(deleting, 143, NOW, b -> b);
        sync("rp");
        assertThat(podControl.created).hasSize(2); // failed (ignored, no backoff): replaced
        assertThat(current("rp").getStatus().getFailed()).isNull();
    }
}
