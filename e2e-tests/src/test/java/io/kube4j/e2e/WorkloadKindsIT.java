package io.kube4j.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.KubectlRunner.Result;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The issue-13 kinds end to end through the real kubectl on {@link E2eCluster} (in CI: the in-process cluster with
 * a real node agent on Docker; {@value E2eCluster#KUBECONFIG_ENV} points it at a cluster from {@code ./kube4j up}).
 * Each test has a namespace of its own and checks what the server and the pods hold, not only kubectl's exit code.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkloadKindsIT {

    static final Duration TIMEOUT = Duration.ofSeconds(150);

    E2eCluster cluster;
    KubectlRunner kubectl;
    KubeClient api;
    Path dir;
    final String run = UUID.randomUUID().toString().substring(0, 5);

    @BeforeAll
    void setUp() throws IOException {
        Path binary = Requirements.requireBinary("kubectl");
        cluster = E2eCluster.get();
        api = cluster.client();
        dir = Files.createTempDirectory("e2e-workloads");
        kubectl = KubectlRunner.withKubeconfig(binary, cluster.kubeconfig(), dir, TIMEOUT);
        E2eCluster.webImage(1);
    }

    @AfterAll
    void tearDown() {
        if (kubectl != null) {
            kubectl.kubectl("delete", "namespace", "-l", "e2e-workloads=" + run, "--ignore-not-found", "--wait=false");
        }
    }

    /**
     * A claim of the default class (local-path, WaitForFirstConsumer) is provisioned on the node its first pod is
     * scheduled to; what the pod writes is still there for the next pod of the same claim; deleting the claim
     * deletes its volume (reclaim policy Delete).
     */
    @Test
    void aLocalPathClaimKeepsItsDataForTheNextPod() throws IOException {
        String ns = namespace("pvc");
        apply(ns, """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: data}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 64Mi}}
                """);
        assertThat(k(ns, "get", "pvc", "data", "-o", "jsonpath={.spec.storageClassName} {.status.phase}").ok().out())
                .isEqualTo("local-path Pending");
        apply(ns, writer("writer-1"));
        awaitSucceeded(ns, "writer-1");
        PersistentVolumeClaim claim = api.resources(PersistentVolumeClaim.class).get(ns, "data").block(TIMEOUT);
        assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
        String volume = claim.getSpec().getVolumeName();
        assertThat(k(ns, "get", "pv", volume, "--no-headers").ok().out())
                .contains("64Mi", "RWO", "Delete", "Bound", ns + "/data", "local-path");

        apply(ns, writer("writer-2"));
        awaitSucceeded(ns, "writer-2");
        assertThat(k(ns, "logs", "writer-2").ok().out().lines().toList()).containsExactly("writer-1", "writer-2");

        k(ns, "delete", "pod", "writer-1", "writer-2", "--wait=true").ok();
        k(ns, "delete", "pvc", "data", "--wait=true").ok();
        await().atMost(TIMEOUT).until(() -> gone(() -> api.resources(PersistentVolume.class).get(null, volume)
                .block(TIMEOUT)));
    }

    /**
     * An autoscaling/v2 HPA applied with kubectl for a Deployment: the controller reads the Deployment's scale
     * subresource and says so in the {@code AbleToScale} condition, and {@code kubectl get hpa} prints the target.
     * ({@code kubectl autoscale} of kubectl 1.31 posts autoscaling/v1, which kube4j serves from the v2 store;
     * 1.32 and 1.33 post v2 as protobuf only, answered 415; {@code k4j autoscale} posts v2 as JSON.)
     */
    @Test
    void anHpaForADeploymentIsWorkedOnByTheController() throws IOException {
        String ns = namespace("hpa");
        apply(ns, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - {name: web, image: IMAGE, resources: {requests: {cpu: 20m}}}
                """.replace("IMAGE", E2eCluster.WEB_IMAGE + ":1"));
        apply(ns, """
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  minReplicas: 1
                  maxReplicas: 2
                  metrics:
                  - type: Resource
                    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
                """);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(k(ns, "get", "hpa", "web", "-o",
                "jsonpath={.status.conditions[?(@.type==\"AbleToScale\")].status}").ok().out()).isEqualTo("True"));
        assertThat(k(ns, "get", "hpa", "web", "--no-headers").ok().out()).contains("Deployment/web", "/50%");
    }

    /**
     * A StatefulSet of 2 with a volume claim template: pods {@code web-0}, {@code web-1} with claims
     * {@code data-web-0}, {@code data-web-1}; {@code web-0} deleted comes back as {@code web-0} with the same data;
     * scaled to 1 it loses {@code web-1} but its claim stays; kubectl's rollout status and history work.
     */
    @Test
    void aStatefulSetKeepsItsPodsNamesAndData() throws IOException {
        String ns = namespace("sts");
        apply(ns, """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: web}
                spec:
                  serviceName: web
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: main
                        image: IMAGE
                        command: [sh, -c, 'echo $HOSTNAME >> /data/names; exec sleep 86400']
                        volumeMounts: [{name: data, mountPath: /data}]
                  volumeClaimTemplates:
                  - metadata: {name: data}
                    spec:
                      accessModes: [ReadWriteOnce]
                      resources: {requests: {storage: 32Mi}}
                """.replace("IMAGE", E2eCluster.WEB_IMAGE + ":1"));
        k(ns, "rollout", "status", "statefulset/web", "--timeout=150s").ok();
        assertThat(k(ns, "get", "pvc", "-o", "jsonpath={.items[*].metadata.name}").ok().out())
                .isEqualTo("data-web-0 data-web-1");
        assertThat(k(ns, "exec", "web-0", "--", "cat", "/data/names").ok().out()).isEqualTo("web-0\n");
        String uid = api.resources(Pod.class).get(ns, "web-0").block(TIMEOUT).getMetadata().getUid();

        k(ns, "delete", "pod", "web-0").ok();
        await().atMost(TIMEOUT).until(() -> {
            Pod p = api.resources(Pod.class).get(ns, "web-0").onErrorResume(e -> reactor.core.publisher.Mono.empty())
                    .block(TIMEOUT);
            return p != null && !p.getMetadata().getUid().equals(uid) && "Running".equals(phase(ns, "web-0"));
        });
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(k(ns, "exec", "web-0", "--", "cat", "/data/names")
                .ok().out()).isEqualTo("web-0\nweb-0\n"));

        k(ns, "scale", "statefulset/web", "--replicas=1").ok();
        await().atMost(TIMEOUT).until(() -> gone(() -> api.resources(Pod.class).get(ns, "web-1").block(TIMEOUT)));
        assertThat(api.resources(PersistentVolumeClaim.class).get(ns, "data-web-1").block(TIMEOUT)).isNotNull();
        assertThat(k(ns, "rollout", "history", "statefulset/web").ok().out()).contains("REVISION");
    }

    /**
     * An Indexed Job of 3 completions, 2 at a time: {@code kubectl wait --for=condition=complete} returns, each
     * index ran once and saw its {@code JOB_COMPLETION_INDEX}, and {@code kubectl logs} reads a finished pod.
     */
    @Test
    void anIndexedJobCompletesEachIndexOnce() throws IOException {
        String ns = namespace("job");
        apply(ns, """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: count}
                spec:
                  completions: 3
                  parallelism: 2
                  completionMode: Indexed
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: main
                        image: IMAGE
                        command: [sh, -c, 'echo index $JOB_COMPLETION_INDEX']
                """.replace("IMAGE", E2eCluster.WEB_IMAGE + ":1"));
        k(ns, "wait", "--for=condition=complete", "job/count", "--timeout=150s").ok();
        assertThat(k(ns, "get", "job", "count", "-o", "jsonpath={.status.succeeded} {.status.completedIndexes}")
                .ok().out()).isEqualTo("3 0-2");
        java.util.List<String> logs = new java.util.ArrayList<>();
        for (Pod p : api.resources(Pod.class).list(ns, io.kube4j.client.ListOptions.all()).block(TIMEOUT).getItems()) {
            logs.add(k(ns, "logs", p.getMetadata().getName()).ok().out().trim());
        }
        assertThat(logs).containsExactlyInAnyOrder("index 0", "index 1", "index 2");
    }

    /**
     * A DaemonSet over the Ready nodes (others, e.g. nodes left by earlier tests, are kept out by a hostname affinity
     * so that the rollout can finish): one pod per node, each pinned there by the controller's
     * {@code matchFields metadata.name} term; {@code kubectl set env} rolls a second revision out through
     * {@code kubectl rollout status}; {@code rollout undo} brings the first template back as revision 3.
     */
    @Test
    void aDaemonSetRunsOnePodPerNodeAndRollsBack() throws IOException {
        String ns = namespace("ds");
        java.util.List<String> nodes = cluster.readyNodes();
        assertThat(nodes).isNotEmpty();
        apply(ns, """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent}
                spec:
                  selector: {matchLabels: {app: agent}}
                  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}
                  template:
                    metadata: {labels: {app: agent}}
                    spec:
                      terminationGracePeriodSeconds: 1
                      affinity:
                        nodeAffinity:
                          requiredDuringSchedulingIgnoredDuringExecution:
                            nodeSelectorTerms:
                            - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: NODES}]
                      containers:
                      - name: main
                        image: IMAGE
                """.replace("IMAGE", E2eCluster.WEB_IMAGE + ":1").replace("NODES", nodes.toString()));
        k(ns, "rollout", "status", "daemonset/agent", "--timeout=120s").ok();
        assertThat(k(ns, "get", "ds", "agent", "-o",
                "jsonpath={.status.desiredNumberScheduled} {.status.numberReady} {.status.numberMisscheduled}").ok().out())
                .isEqualTo(nodes.size() + " " + nodes.size() + " 0");
        java.util.List<Pod> first = api.resources(Pod.class).list(ns, io.kube4j.client.ListOptions.all()).block(TIMEOUT)
                .getItems();
        assertThat(first).extracting(p -> p.getSpec().getNodeName()).containsExactlyInAnyOrderElementsOf(nodes);

        k(ns, "set", "env", "daemonset/agent", "ROUND=2").ok();
        k(ns, "rollout", "status", "daemonset/agent", "--timeout=120s").ok();
        assertThat(k(ns, "rollout", "history", "daemonset/agent").ok().out()).contains("1 ").contains("2 ");
        k(ns, "rollout", "undo", "daemonset/agent").ok();
        k(ns, "rollout", "status", "daemonset/agent", "--timeout=120s").ok();
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(api.resources(Pod.class)
                .list(ns, io.kube4j.client.ListOptions.all()).block(TIMEOUT).getItems())
                .hasSize(nodes.size())
                .allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getEnv()).isNullOrEmpty())
                .extracting(p -> p.getMetadata().getUid())
                .doesNotContainAnyElementsOf(first.stream().map(p -> p.getMetadata().getUid()).toList()));
        assertThat(k(ns, "rollout", "history", "daemonset/agent").ok().out()).contains("2 ").contains("3 ")
                .doesNotContain("\n1 ");
    }

    /**
     * {@code kubectl create cronjob} every 5 s (standing in for every minute) whose Jobs run 8 s, patched to
     * {@code concurrencyPolicy: Forbid}: the Jobs really run pods through the Job controller, at least two start
     * and none starts before the previous one completed (their startTime and completionTime, and no moment with two
     * unfinished Jobs); {@code kubectl get cronjob} shows the LAST SCHEDULE; deleting the CronJob deletes its Jobs.
     */
    @Test
    void aForbidCronJobRunsItsJobsOneAfterAnother() {
        String ns = namespace("cron");
        k(ns, "create", "cronjob", "tick", "--image=" + E2eCluster.WEB_IMAGE + ":1", "--schedule=@every 5s", "--",
                "sh", "-c", "sleep 8").ok();
        k(ns, "patch", "cronjob", "tick", "--type=merge", "-p", "{\"spec\":{\"concurrencyPolicy\":\"Forbid\"}}").ok();
        int[] mostUnfinished = {0};
        java.util.Map<String, io.fabric8.kubernetes.api.model.batch.v1.Job> seen = new java.util.TreeMap<>();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(300)).until(() -> {
            java.util.List<io.fabric8.kubernetes.api.model.batch.v1.Job> jobs = api.resources(
                    io.fabric8.kubernetes.api.model.batch.v1.Job.class).list(ns, io.kube4j.client.ListOptions.all())
                    .block(TIMEOUT).getItems();
            jobs.forEach(j -> seen.put(j.getMetadata().getName(), j));
            mostUnfinished[0] = Math.max(mostUnfinished[0], (int) jobs.stream().filter(j -> j.getStatus() == null
                    || j.getStatus().getCompletionTime() == null && !failed(j)).count());
            return seen.values().stream().filter(j -> j.getStatus() != null && j.getStatus().getStartTime() != null)
                    .count() >= 2;
        });
        assertThat(mostUnfinished[0]).isEqualTo(1);
        java.util.List<io.fabric8.kubernetes.api.model.batch.v1.Job> started = seen.values().stream()
                .filter(j -> j.getStatus() != null && j.getStatus().getStartTime() != null)
                .sorted(java.util.Comparator.comparing(j -> java.time.Instant.parse(j.getStatus().getStartTime())))
                .toList();
        for (int i = 1; i < started.size(); i++) {
            String previousEnd = started.get(i - 1).getStatus().getCompletionTime();
            assertThat(previousEnd).as("%s finished before %s started", started.get(i - 1).getMetadata().getName(),
                    started.get(i).getMetadata().getName()).isNotNull();
            assertThat(java.time.Instant.parse(started.get(i).getStatus().getStartTime()))
                    .isAfterOrEqualTo(java.time.Instant.parse(previousEnd));
        }
        java.util.List<String> table = k(ns, "get", "cronjob", "tick").ok().out().lines().toList();
        String header = table.get(0);
        assertThat(header).contains("SCHEDULE", "ACTIVE", "LAST SCHEDULE", "AGE");
        assertThat(table.get(1)).startsWith("tick").contains("@every 5s");
        // the LAST SCHEDULE column: an age such as "4s", not <none>
        assertThat(table.get(1).substring(header.indexOf("LAST SCHEDULE"), header.indexOf("AGE")).trim())
                .matches("\\d+s");
        k(ns, "delete", "cronjob", "tick").ok();
        await().atMost(Duration.ofSeconds(15)).until(() -> api.resources(
                io.fabric8.kubernetes.api.model.batch.v1.Job.class).list(ns, io.kube4j.client.ListOptions.all())
                .block(TIMEOUT).getItems().isEmpty());
    }

    static boolean failed(io.fabric8.kubernetes.api.model.batch.v1.Job j) {
        return j.getStatus().getConditions() != null && j.getStatus().getConditions().stream()
                .anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private String writer(String name) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: NAME}
                spec:
                  restartPolicy: Never
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: main
                    image: IMAGE
                    command: [sh, -c, 'echo NAME >> /data/names && cat /data/names']
                    volumeMounts: [{name: data, mountPath: /data}]
                  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
                """.replace("NAME", name).replace("IMAGE", E2eCluster.WEB_IMAGE + ":1");
    }

    // ---- helpers ----

    String namespace(String purpose) {
        String ns = "e2e-" + purpose + "-" + run;
        kubectl.kubectl("create", "namespace", ns).ok();
        kubectl.kubectl("label", "namespace", ns, "e2e-workloads=" + run).ok();
        cluster.awaitDefaultServiceAccount(ns);
        return ns;
    }

    Result apply(String ns, String yaml) throws IOException {
        Path f = Files.createTempFile(dir, "manifest", ".yaml");
        Files.writeString(f, yaml);
        return k(ns, "apply", "-f", f.toString()).ok();
    }

    Result k(String ns, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--namespace";
        all[1] = ns;
        System.arraycopy(args, 0, all, 2, args.length);
        return kubectl.kubectl(all);
    }

    /** Waits for the pod to succeed; on timeout the failure shows kubectl's description of it and its claims. */
    void awaitSucceeded(String ns, String pod) {
        try {
            await().atMost(TIMEOUT).until(() -> phase(ns, pod).equals("Succeeded"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("pod " + ns + "/" + pod + " did not succeed:\n" + k(ns, "describe", "pod", pod).out()
                    + "\n" + k(ns, "get", "pvc,events", "-o", "wide").out(), e);
        }
    }

    String phase(String ns, String pod) {
        Pod p = api.resources(Pod.class).get(ns, pod).block(TIMEOUT);
        return p == null || p.getStatus() == null || p.getStatus().getPhase() == null ? "" : p.getStatus().getPhase();
    }

    static boolean gone(java.util.function.Supplier<?> get) {
        try {
            return get.get() == null;
        } catch (ApiStatusException.NotFound e) {
            return true;
        }
    }
}
