package io.kube4j.controller.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.client.watch.WatchEvent;
import io.kube4j.controller.common.Pods;
import io.kube4j.controller.garbagecollector.GarbageCollectorFactory;
import io.kube4j.controller.garbagecollector.GarbageCollectorProperties;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import io.kube4j.controller.ttlafterfinished.TtlAfterFinishedControllerFactory;
import io.kube4j.controller.ttlafterfinished.TtlAfterFinishedProperties;
import io.kube4j.node.agent.NodeAgentHarness;
import io.kube4j.scheduler.Scheduler;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * Jobs end to end on a real node agent on Docker: the real apiserver (its Job create path generates selectors and the
 * batch priority class), an in-process scheduler of this class's own name (so it never places other tests' pods),
 * the job, ttl-after-finished and garbage-collector controllers, busybox pods, and the real kubectl. All four Jobs are
 * created at once in {@link #start} and run side by side, so the class takes as long as its slowest Job, not their sum.
 */
class JobDockerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    static Path dir;
    private static NodeAgentHarness node;
    private static KubeClient client;
    private static KubectlRunner kubectl;
    private static Scheduler scheduler;
    private static Parallelizer parallelizer;
    private static String schedulerName;
    private static ControllerManager controllers;
    private static Disposable podWatch;
    private static String ns;
    private static final Map<String, Boolean> activeParallel = new ConcurrentHashMap<>();
    private static final AtomicInteger maxActiveParallel = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        Path binary = Requirements.requireBinary("kubectl");
        node = NodeAgentHarness.docker("job");
        client = ControllerTestEnv.client();
        ns = node.namespace();
        schedulerName = "job-it-" + UUID.randomUUID().toString().substring(0, 6);
        parallelizer = new Parallelizer(1);
        SharedInformerFactory informers = SharedInformerFactory.forClient(client, Duration.ZERO);
        EventRecorder events = new EventRecorder(client.resources(Event.class), schedulerName, null);
        FrameworkHandle handle = new FrameworkHandle.SimpleHandle(client, events, informers, parallelizer,
                Clock.system());
        Framework framework = new Framework(DefaultPlugins.profile(schedulerName,
                new DefaultBinder(client, Duration.ofSeconds(10)), 0, handle), parallelizer, new Random());
        scheduler = new Scheduler(client, informers, List.of(framework), events, Clock.system(),
                new Scheduler.Settings(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5),
                        Duration.ofSeconds(30), 1));
        scheduler.start(TIMEOUT);
        controllers = ControllerTestEnv.start(
                new JobControllerFactory(new JobControllerProperties(5, Duration.ofSeconds(1), Duration.ofMinutes(6))),
                new TtlAfterFinishedControllerFactory(new TtlAfterFinishedProperties(5)),
                new GarbageCollectorFactory(GarbageCollectorProperties.defaults()));
        kubectl = new KubectlRunner(binary, ApiServerInstance.shared().url(), ns, dir, TIMEOUT);

        // every pod of "parallel", watched from before the Job exists: how many were active at once
        String rv = client.resources(Pod.class).list(ns, ListOptions.all()).block(TIMEOUT).getMetadata()
                .getResourceVersion();
        podWatch = client.resources(Pod.class).watch(ns, ListOptions.all().withLabelSelector("job-name=parallel"), rv)
                .subscribe(JobDockerIT::countActive);

        kubectl.kubectl("apply", "-f", manifest("parallel", "completions: 10\n  parallelism: 3", "exit 0")
                .toString()).ok();
        create("fails", "backoffLimit: 2", "exit 1");
        create("indexed", "completions: 3\n  parallelism: 3\n  completionMode: Indexed",
                "echo -n $JOB_COMPLETION_INDEX > /dev/termination-log");
        create("ttl", "ttlSecondsAfterFinished: 2", "exit 0");
        create("policy", "completions: 2\n  backoffLimit: 6\n  podFailurePolicy:\n    rules:\n"
                + "    - {action: FailJob, onExitCodes: {operator: In, values: [42]}}", "exit 42");
    }

    private static void countActive(WatchEvent<Pod> e) {
        if (e.type() == WatchEvent.Type.BOOKMARK) {
            return;
        }
        Pod p = e.object();
        if (e.type() == WatchEvent.Type.DELETED || !Pods.isActive(p)) {
            activeParallel.remove(p.getMetadata().getUid());
        } else {
            activeParallel.put(p.getMetadata().getUid(), true);
        }
        maxActiveParallel.accumulateAndGet(activeParallel.size(), Math::max);
    }

    private static Path manifest(String name, String spec, String script) throws Exception {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: NAME
                spec:
                  SPEC
                  template:
                    spec:
                      schedulerName: SCHEDULER
                      restartPolicy: Never
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: work
                        image: IMAGE
                        command: ["/bin/sh", "-c", "SCRIPT"]
                """.replace("NAME", name).replace("SPEC", spec).replace("SCHEDULER", schedulerName)
                .replace("IMAGE", node.busyboxImage()).replace("SCRIPT", script));
        return f;
    }

    private static void create(String name, String spec, String script) throws Exception {
        kubectl.kubectl("create", "-f", manifest(name, spec, script).toString()).ok();
    }

    @AfterAll
    static void stop() throws Exception {
        if (podWatch != null) {
            podWatch.dispose();
        }
        if (controllers != null) {
            controllers.stop();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (parallelizer != null) {
            parallelizer.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private static Job job(String name) {
        return client.resources(Job.class).get(ns, name).block(TIMEOUT);
    }

    private static List<Pod> pods(String job) {
        return client.resources(Pod.class).list(ns, ListOptions.all().withLabelSelector("job-name=" + job))
                .block(TIMEOUT).getItems();
    }

    @Test
    void tenCompletionsRunAtMostThreeAtATime() {
        KubectlRunner.Result wait = kubectl.kubectl("wait", "--for=condition=complete", "job/parallel",
                "--timeout=120s").ok();
        assertThat(wait.out()).contains("job.batch/parallel condition met");
        Job j = job("parallel");
        assertThat(j.getStatus().getSucceeded()).isEqualTo(10);
        assertThat(j.getStatus().getFailed()).isNull();
        assertThat(j.getStatus().getUncountedTerminatedPods().getSucceeded()).isEmpty();
        assertThat(j.getStatus().getCompletionTime()).isNotNull();
        assertThat(maxActiveParallel.get()).isBetween(1, 3);
        List<Pod> pods = pods("parallel");
        assertThat(pods).hasSize(10).allSatisfy(p -> {
            assertThat(p.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(p.getMetadata().getFinalizers()).doesNotContain(Jobs.TRACKING_FINALIZER);
            // no class in the template: the apiserver gave the Job Borg's batch band
            assertThat(p.getSpec().getPriorityClassName()).isEqualTo("batch");
            assertThat(p.getSpec().getPriority()).isEqualTo(1000);
            assertThat(p.getMetadata().getLabels()).containsEntry("batch.kubernetes.io/controller-uid",
                    j.getMetadata().getUid()).containsEntry("batch.kubernetes.io/job-name", "parallel");
        });
        KubectlRunner.Result get = kubectl.kubectl("get", "jobs", "parallel").ok();
        assertThat(get.out()).contains("COMPLETIONS").containsPattern("parallel\\s+Complete\\s+10/10");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String describe = kubectl.kubectl("describe", "job", "parallel").ok().out();
            assertThat(describe).contains("Pods Statuses:").contains("10 Succeeded").contains("SuccessfulCreate")
                    .contains("Completed");
        });
    }

    @Test
    void aFailingJobStopsAtItsBackoffLimit() {
        kubectl.kubectl("wait", "--for=condition=failed", "job/fails", "--timeout=120s").ok();
        Job j = job("fails");
        assertThat(j.getStatus().getFailed()).isEqualTo(3);
        assertThat(j.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Failed");
            assertThat(c.getReason()).isEqualTo("BackoffLimitExceeded");
        });
        assertThat(pods("fails")).hasSize(3).allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Failed"));
        assertThat(kubectl.kubectl("get", "jobs", "fails").ok().out()).containsPattern("fails\\s+Failed\\s+0/1");
    }

    @Test
    void indexedPodsSeeTheirCompletionIndex() {
        kubectl.kubectl("wait", "--for=condition=complete", "job/indexed", "--timeout=120s").ok();
        assertThat(job("indexed").getStatus().getCompletedIndexes()).isEqualTo("0-2");
        List<Pod> pods = pods("indexed");
        assertThat(pods).hasSize(3);
        assertThat(pods).extracting(Jobs::completionIndex).containsExactlyInAnyOrder(0, 1, 2);
        for (Pod p : pods) {
            assertThat(p.getSpec().getHostname()).isEqualTo("indexed-" + Jobs.completionIndex(p));
            assertThat(p.getMetadata().getName()).startsWith("indexed-" + Jobs.completionIndex(p) + "-");
            String message = p.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage();
            assertThat(message).isEqualTo(String.valueOf(Jobs.completionIndex(p)));
        }
    }

    @Test
    void aFinishedJobIsDeletedAfterItsTtl() {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            try {
                client.resources(Job.class).get(ns, "ttl").block(TIMEOUT);
                return false;
            } catch (ApiStatusException.NotFound e) {
                return true;
            }
        });
        // foreground deletion: the pods went before the Job
        assertThat(pods("ttl")).isEmpty();
    }

    @Test
    void aFailJobRuleFailsTheJobOnItsExitCodeWithoutRetries() {
        kubectl.kubectl("wait", "--for=condition=failed", "job/policy", "--timeout=120s").ok();
        Job j = job("policy");
        assertThat(j.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Failed");
            assertThat(c.getReason()).isEqualTo("PodFailurePolicy");
            assertThat(c.getMessage()).contains("failed with exit code 42 matching FailJob rule at index 0");
        });
        assertThat(pods("policy")).hasSize(1); // backoffLimit 6 did not come into it
    }

    @Test
    void anInvalidPodFailurePolicyIsRefusedWith422() throws Exception {
        Path bad = manifest("bad-policy", "podFailurePolicy:\n    rules:\n"
                + "    - {action: FailJob, onExitCodes: {operator: In, values: [0]}}", "exit 0");
        KubectlRunner.Result r = kubectl.kubectl("create", "-f", bad.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("is invalid").contains("spec.podFailurePolicy.rules[0].onExitCodes.values[0]");
    }

    /**
     * Borg's bands through Kubernetes' preemption: a batch Job pod holding most of the node's cpu is preempted by a
     * prod pod; its Ignore rule on DisruptionTarget keeps the preemption out of the failure count, and the Job makes a
     * replacement that waits (it cannot preempt prod).
     */
    @Test
    void aProdPodPreemptsABatchJobPodAndTheDisruptionIsNotCountedAsAFailure() throws Exception {
        Node n = client.resources(Node.class).get(null, node.nodeName()).block(TIMEOUT);
        long milli = (long) (n.getStatus().getAllocatable().get("cpu").getNumericalAmount().doubleValue() * 600);
        Path f = dir.resolve("hog.yaml");
        Files.writeString(f, """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: hog}
                spec:
                  podFailurePolicy:
                    rules:
                    - {action: Ignore, onPodConditions: [{type: DisruptionTarget}]}
                  template:
                    spec:
                      schedulerName: SCHEDULER
                      restartPolicy: Never
                      terminationGracePeriodSeconds: 1
                      containers:
                      - {name: work, image: IMAGE, command: [sleep, "600"], resources: {requests: {cpu: CPUm}}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: prod-svc}
                spec:
                  schedulerName: SCHEDULER
                  priorityClassName: prod
                  terminationGracePeriodSeconds: 1
                  containers:
                  - {name: svc, image: IMAGE, command: [sleep, "600"], resources: {requests: {cpu: CPUm}}}
                """.replace("SCHEDULER", schedulerName).replace("IMAGE", node.busyboxImage())
                .replace("CPU", String.valueOf(milli)));
        String jobOnly = Files.readString(f).split("---")[0];
        Path jobFile = dir.resolve("hog-job.yaml");
        Files.writeString(jobFile, jobOnly);
        kubectl.kubectl("create", "-f", jobFile.toString()).ok();
        await().atMost(TIMEOUT).until(() -> pods("hog").stream().anyMatch(p -> "Running".equals(
                p.getStatus().getPhase())));
        String victim = pods("hog").get(0).getMetadata().getName();

        Path prodFile = dir.resolve("prod.yaml");
        Files.writeString(prodFile, Files.readString(f).split("---")[1]);
        kubectl.kubectl("create", "-f", prodFile.toString()).ok();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Pod prod = client.resources(Pod.class).get(ns, "prod-svc").block(TIMEOUT);
            assertThat(prod.getSpec().getNodeName()).isEqualTo(node.nodeName());
            assertThat(prod.getStatus().getPhase()).isEqualTo("Running");
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Job j = job("hog");
            assertThat(pods("hog")).extracting(p -> p.getMetadata().getName()).doesNotContain(victim);
            assertThat(j.getStatus().getFailed()).isNull(); // the preemption was ignored, not counted
            assertThat(j.getStatus().getUncountedTerminatedPods().getFailed()).isEmpty();
            assertThat(j.getStatus().getActive()).isEqualTo(1); // the replacement, waiting for room
        });
        Pod replacement = pods("hog").get(0);
        assertThat(replacement.getSpec().getNodeName()).isNull();
        kubectl.kubectl("delete", "pod", "prod-svc", "--wait=false").ok();
        kubectl.kubectl("delete", "job", "hog", "--wait=false").ok();
    }
}
