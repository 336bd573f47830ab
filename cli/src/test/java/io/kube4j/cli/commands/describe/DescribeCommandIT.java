package io.kube4j.cli.commands.describe;

import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.cli.testsupport.Fixtures;
import io.kube4j.cli.testsupport.Golden;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import tools.jackson.databind.JsonNode;

import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

import static io.kube4j.cli.testsupport.Fixtures.daysAgo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code k4j describe} against a secure apiserver on etcd: fixture objects (a Deployment with its ReplicaSet and
 * pod linked by ownerReferences, a Service, a Node, a Lease for the generic describer) and events about them,
 * compared with golden files. Event timestamps lie 30.5 days back so their ages print the same all day.
 */
class DescribeCommandIT {

    private static final String NS = "describe-it";
    private static final String NODE = "describe-it-node";
    /** Go's RFC1123Z dates describe prints (local zone). */
    private static final UnaryOperator<String> RFC1123 = s -> s.replaceAll(
            "[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}", "Mon, 02 Jan 2006 15:04:05 -0700");
    /** The age ending a line of describe node's pod table (the pods are new: 5s, 1m2s...). */
    private static final UnaryOperator<String> TRAILING_AGE = s -> s.replaceAll("(?m)   \\d+[smh](\\d+[sm])?$",
            "   <age>");

    private static ApiServerInstance apiserver;
    private static Path kubeconfig;
    private static Fixtures fx;

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        fx = new Fixtures(apiserver.client(apiserver.pki().admin()));
        fx.create("/api/v1/namespaces", "{metadata: {name: " + NS + ", labels: {team: cli}}}");
        fx.create("/api/v1/namespaces/" + NS + "/serviceaccounts", "{metadata: {name: default}}");
        fx.create("/api/v1/nodes", """
                metadata: {name: %s, labels: {kubernetes.io/hostname: %s, node-role.kubernetes.io/worker: ""}}
                spec:
                  podCIDR: 10.244.1.0/24
                  podCIDRs: [10.244.1.0/24]
                  taints: [{key: dedicated, value: cli, effect: NoSchedule}]
                """.formatted(NODE, NODE));
        fx.patchStatus("/api/v1/nodes/" + NODE, """
                status:
                  capacity: {cpu: "4", memory: 8Gi, pods: "110", ephemeral-storage: 100Gi}
                  allocatable: {cpu: "4", memory: 8Gi, pods: "110", ephemeral-storage: 100Gi}
                  addresses: [{type: InternalIP, address: 10.0.0.7}, {type: Hostname, address: %s}]
                  nodeInfo: {machineID: m1, systemUUID: u1, bootID: b1, kernelVersion: 6.1.0, osImage: Debian,
                             operatingSystem: linux, architecture: amd64, containerRuntimeVersion: docker://27.0.0,
                             kubeletVersion: v1.31.0-kube4j, kubeProxyVersion: ""}
                  conditions:
                  - {type: Ready, status: "True", reason: KubeletReady, message: kubelet is posting ready status,
                     lastHeartbeatTime: "%s", lastTransitionTime: "%s"}
                """.formatted(NODE, daysAgo(1), daysAgo(2)));
        JsonNode deploy = fx.create("/apis/apps/v1/namespaces/" + NS + "/deployments", """
                metadata: {name: web, labels: {app: web}, annotations: {note: fixture}}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: nginx
                        image: nginx:1.27
                        ports: [{containerPort: 80}]
                        env: [{name: MODE, value: prod}]
                        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 200m, memory: 128Mi}}
                """);
        fx.patchStatus("/apis/apps/v1/namespaces/" + NS + "/deployments/web", """
                status:
                  replicas: 1
                  updatedReplicas: 1
                  readyReplicas: 1
                  availableReplicas: 1
                  conditions:
                  - {type: Available, status: "True", reason: MinimumReplicasAvailable, message: ok}
                  - {type: Progressing, status: "True", reason: NewReplicaSetAvailable, message: ok}
                """);
        JsonNode rs = fx.create("/apis/apps/v1/namespaces/" + NS + "/replicasets", """
                metadata:
                  name: web-7d4b9c
                  labels: {app: web, pod-template-hash: 7d4b9c}
                  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: %s, controller: true}]
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: web, pod-template-hash: 7d4b9c}}
                  template:
                    metadata: {labels: {app: web, pod-template-hash: 7d4b9c}}
                    spec:
                      containers:
                      - name: nginx
                        image: nginx:1.27
                        ports: [{containerPort: 80}]
                        env: [{name: MODE, value: prod}]
                        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 200m, memory: 128Mi}}
                """.formatted(deploy.path("metadata").path("uid").asString()));
        fx.patchStatus("/apis/apps/v1/namespaces/" + NS + "/replicasets/web-7d4b9c",
                "status: {replicas: 1, readyReplicas: 1, availableReplicas: 1}");
        JsonNode pod = fx.create("/api/v1/namespaces/" + NS + "/pods", """
                metadata:
                  name: web-7d4b9c-x2x9q
                  labels: {app: web, pod-template-hash: 7d4b9c}
                  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d4b9c, uid: %s, controller: true}]
                spec:
                  nodeName: %s
                  automountServiceAccountToken: false
                  containers:
                  - name: nginx
                    image: nginx:1.27
                    ports: [{containerPort: 80, name: http}]
                    env: [{name: MODE, value: prod}]
                    resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 200m, memory: 128Mi}}
                    volumeMounts: [{name: cache, mountPath: /cache}]
                  volumes: [{name: cache, emptyDir: {}}]
                """.formatted(rs.path("metadata").path("uid").asString(), NODE));
        fx.patchStatus("/api/v1/namespaces/" + NS + "/pods/web-7d4b9c-x2x9q", """
                status:
                  phase: Running
                  hostIP: 10.0.0.7
                  podIP: 10.244.1.5
                  podIPs: [{ip: 10.244.1.5}]
                  startTime: "%s"
                  conditions:
                  - {type: Initialized, status: "True"}
                  - {type: Ready, status: "True"}
                  - {type: ContainersReady, status: "True"}
                  - {type: PodScheduled, status: "True"}
                  containerStatuses:
                  - name: nginx
                    image: nginx:1.27
                    imageID: docker-pullable://nginx@sha256:abc
                    containerID: docker://0123456789ab
                    ready: true
                    restartCount: 0
                    state: {running: {startedAt: "%s"}}
                """.formatted(daysAgo(30), daysAgo(30)));
        event("web-7d4b9c-x2x9q.1", "Pod", "web-7d4b9c-x2x9q", pod, "Normal", "Scheduled",
                "Successfully assigned describe-it/web-7d4b9c-x2x9q to " + NODE, "default-scheduler", 1);
        event("web-7d4b9c-x2x9q.2", "Pod", "web-7d4b9c-x2x9q", pod, "Warning", "BackOff",
                "Back-off pulling image \"nginx:1.27\"", "kubelet", 3);
        event("web.1", "Deployment", "web", deploy, "Normal", "ScalingReplicaSet",
                "Scaled up replica set web-7d4b9c from 0 to 1", "deployment-controller", 1);
        fx.create("/api/v1/namespaces/" + NS + "/services", """
                metadata: {name: web, labels: {app: web}}
                spec:
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: 8080}]
                """);
        fx.create("/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases", """
                metadata: {name: lock, labels: {app: web}}
                spec: {holderIdentity: web-7d4b9c-x2x9q, leaseDurationSeconds: 15}
                """);
        workloadsAndStorage();
    }

    /**
     * Issue 13's kinds as their controllers would leave them (no controller runs here): a StatefulSet with its pod,
     * claim, bound volume, storage class and revision; a DaemonSet; a finished Job; a CronJob with an active run; an
     * HPA with a measurement. Cluster-scoped names carry the namespace's name so parallel classes never meet.
     */
    private static void workloadsAndStorage() {
        fx.create("/apis/storage.k8s.io/v1/storageclasses", """
                metadata: {name: %s-local, annotations: {team: cli}}
                provisioner: kubernetes.io/no-provisioner
                reclaimPolicy: Retain
                volumeBindingMode: WaitForFirstConsumer
                parameters: {tier: fast}
                """.formatted(NS));
        fx.create("/api/v1/persistentvolumes", """
                metadata: {name: %s-pv, labels: {type: local}}
                spec:
                  capacity: {storage: 1Gi}
                  accessModes: [ReadWriteOnce]
                  persistentVolumeReclaimPolicy: Retain
                  storageClassName: %s-local
                  hostPath: {path: /tmp/%s}
                  claimRef: {kind: PersistentVolumeClaim, namespace: %s, name: data-db-0}
                  nodeAffinity:
                    required:
                      nodeSelectorTerms:
                      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [%s]}]
                """.formatted(NS, NS, NS, NS, NODE));
        fx.patchStatus("/api/v1/persistentvolumes/" + NS + "-pv", "status: {phase: Bound}");
        fx.create("/api/v1/namespaces/" + NS + "/persistentvolumeclaims", """
                metadata: {name: data-db-0, labels: {app: db}}
                spec:
                  accessModes: [ReadWriteOnce]
                  storageClassName: %s-local
                  volumeName: %s-pv
                  resources: {requests: {storage: 1Gi}}
                """.formatted(NS, NS));
        fx.patchStatus("/api/v1/namespaces/" + NS + "/persistentvolumeclaims/data-db-0",
                "status: {phase: Bound, accessModes: [ReadWriteOnce], capacity: {storage: 1Gi}}");
        JsonNode sts = fx.create("/apis/apps/v1/namespaces/" + NS + "/statefulsets", """
                metadata: {name: db, labels: {app: db}}
                spec:
                  replicas: 2
                  serviceName: db
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec:
                      containers:
                      - name: db
                        image: busybox:1.36
                        command: [sleep, "3600"]
                        volumeMounts: [{name: data, mountPath: /data}]
                  volumeClaimTemplates:
                  - metadata: {name: data}
                    spec:
                      accessModes: [ReadWriteOnce]
                      storageClassName: %s-local
                      resources: {requests: {storage: 1Gi}}
                """.formatted(NS));
        fx.patchStatus("/apis/apps/v1/namespaces/" + NS + "/statefulsets/db",
                "status: {replicas: 1, readyReplicas: 1, currentReplicas: 1, updatedReplicas: 1, availableReplicas: 1}");
        String stsUid = sts.path("metadata").path("uid").asString();
        fx.create("/apis/apps/v1/namespaces/" + NS + "/controllerrevisions", """
                metadata:
                  name: db-5d8f6c
                  labels: {app: db}
                  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: db, uid: %s, controller: true}]
                data: {spec: {template: {metadata: {labels: {app: db}}}}}
                revision: 1
                """.formatted(stsUid));
        fx.create("/api/v1/namespaces/" + NS + "/pods", """
                metadata:
                  name: db-0
                  labels: {app: db, statefulset.kubernetes.io/pod-name: db-0}
                  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: db, uid: %s, controller: true}]
                spec:
                  automountServiceAccountToken: false
                  containers: [{name: db, image: "busybox:1.36", command: [sleep, "3600"]}]
                  volumes: [{name: data, persistentVolumeClaim: {claimName: data-db-0}}]
                """.formatted(stsUid));
        fx.patchStatus("/api/v1/namespaces/" + NS + "/pods/db-0", "status: {phase: Running}");
        fx.create("/apis/apps/v1/namespaces/" + NS + "/daemonsets", """
                metadata: {name: agent, labels: {app: agent}}
                spec:
                  selector: {matchLabels: {app: agent}}
                  template:
                    metadata: {labels: {app: agent}}
                    spec:
                      nodeSelector: {kubernetes.io/os: linux}
                      tolerations: [{operator: Exists}]
                      containers: [{name: agent, image: "busybox:1.36"}]
                """);
        fx.patchStatus("/apis/apps/v1/namespaces/" + NS + "/daemonsets/agent", """
                status: {desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1,
                         numberAvailable: 1, numberMisscheduled: 0}
                """);
        JsonNode cron = fx.create("/apis/batch/v1/namespaces/" + NS + "/cronjobs", """
                metadata: {name: tick}
                spec:
                  schedule: "*/5 * * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          restartPolicy: OnFailure
                          containers: [{name: tick, image: "busybox:1.36", command: [date]}]
                """);
        fx.create("/apis/batch/v1/namespaces/" + NS + "/jobs", """
                metadata: {name: once}
                spec:
                  completions: 1
                  parallelism: 1
                  backoffLimit: 2
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: once, image: "busybox:1.36", command: [echo, done]}]
                """);
        fx.patchStatus("/apis/batch/v1/namespaces/" + NS + "/jobs/once", """
                status:
                  startTime: "%s"
                  completionTime: "%s"
                  succeeded: 1
                  ready: 0
                  conditions:
                  - {type: Complete, status: "True", lastProbeTime: "%s", lastTransitionTime: "%s"}
                """.formatted(daysAgo(3), daysAgo(2), daysAgo(2), daysAgo(2)));
        fx.patchStatus("/apis/batch/v1/namespaces/" + NS + "/cronjobs/tick", """
                status:
                  lastScheduleTime: "%s"
                  active: [{apiVersion: batch/v1, kind: Job, name: tick-29000000, namespace: %s, uid: %s}]
                """.formatted(daysAgo(1), NS, cron.path("metadata").path("uid").asString()));
        fx.create("/apis/autoscaling/v2/namespaces/" + NS + "/horizontalpodautoscalers", """
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  minReplicas: 1
                  maxReplicas: 5
                  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
                """);
        fx.patchStatus("/apis/autoscaling/v2/namespaces/" + NS + "/horizontalpodautoscalers/web", """
                status:
                  currentReplicas: 1
                  desiredReplicas: 1
                  currentMetrics: [{type: Resource, resource: {name: cpu, current: {averageUtilization: 40, averageValue: 40m}}}]
                  conditions:
                  - {type: AbleToScale, status: "True", reason: ReadyForNewScale, message: recommended size matches current size,
                     lastTransitionTime: "%s"}
                """.formatted(daysAgo(1)));
    }

    private static void event(String name, String kind, String objName, JsonNode obj, String type, String reason,
                              String message, String component, int count) {
        String apiVersion = kind.equals("Pod") ? "v1" : "apps/v1";
        fx.create("/api/v1/namespaces/" + NS + "/events", """
                metadata: {name: %s}
                involvedObject: {apiVersion: %s, kind: %s, name: %s, namespace: %s, uid: %s}
                type: %s
                reason: %s
                message: '%s'
                source: {component: %s}
                count: %d
                firstTimestamp: "%s"
                lastTimestamp: "%s"
                """.formatted(name, apiVersion, kind, objName, NS, obj.path("metadata").path("uid").asString(), type,
                reason, message, component, count, daysAgo(31), daysAgo(30)));
    }

    private static CliHarness.Result k4j(String... args) {
        return CliHarness.shared().run(kubeconfig, args);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void describesAPodAsKubectlDoesWithItsEvents() {
        String out = k4j("describe", "pod", "web-7d4b9c-x2x9q", "-n", NS).ok().out();
        Golden.check("describe/pod.txt", out, RFC1123);
        assertThat(out).contains("Controlled By:  ReplicaSet/web-7d4b9c")
                .contains("Warning  BackOff    30d (x3 over 31d)  kubelet");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void describesADeploymentWithItsReplicaSets() {
        Golden.check("describe/deployment.txt", k4j("describe", "deploy/web", "-n", NS).ok().out(), RFC1123);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void describesAReplicaSetCountingItsPods() {
        String out = k4j("describe", "rs", "web-7d4b9c", "-n", NS).ok().out();
        assertThat(out).contains("Pods Status:    1 Running / 0 Waiting / 0 Succeeded / 0 Failed")
                .contains("Controlled By:  Deployment/web").containsPattern("Events:\\s+<none>\n$");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void describesAServiceNodeAndNamespace() {
        Golden.check("describe/service.txt", k4j("describe", "svc", "web", "-n", NS).ok().out(),
                s -> s.replaceAll("(IPs?: +)\\d+\\.\\d+\\.\\d+\\.\\d+", "$1<cluster-ip>"));
        Golden.check("describe/node.txt", k4j("describe", "node", NODE).ok().out(), RFC1123, TRAILING_AGE);
        Golden.check("describe/namespace.txt", k4j("describe", "ns", NS).ok().out());
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void describesOtherKindsGenerically() {
        Golden.check("describe/lease-generic.txt", k4j("describe", "lease", "lock", "-n", NS).ok().out(),
                s -> s.replaceAll("(Resource Version: +)\\d+", "$1<rv>"));
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void aNameIsAPrefixAndSeveralObjectsAreSeparatedByABlankLine() {
        String out = k4j("describe", "pods", "-n", NS, "-l", "app=web").ok().out();
        assertThat(out).startsWith("Name:             web-7d4b9c-x2x9q\n");
        String byPrefix = k4j("describe", "deployments", "we", "-n", NS).ok().out();
        assertThat(byPrefix).startsWith("Name:                   web\n");
    }

    /** The strongest check of the layout: kubectl 1.32 itself, describing the same objects. */
    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void printsWhatKubectlPrints() throws Exception {
        Path kubectlBin = KubectlRunner.VERSIONED_DIR.resolve("kubectl.1.32");
        Requirements.require(Files.isExecutable(kubectlBin), kubectlBin + " is not installed");
        KubectlRunner kubectl = KubectlRunner.withKubeconfig(kubectlBin, kubeconfig,
                Files.createTempDirectory("describe-kubectl"), Duration.ofSeconds(60));
        org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
        for (String[] what : new String[][] {{"pod", "web-7d4b9c-x2x9q"}, {"deployment", "web"}, {"service", "web"},
            {"replicaset", "web-7d4b9c"}, {"lease", "lock"}, {"namespace", NS}}) {
            String expected = kubectl.run(null, kubectlBin.toString(), "describe", what[0], what[1], "-n", NS).ok().out();
            String actual = k4j("describe", what[0], what[1], "-n", NS).ok().out();
            soft.assertThat(actual).as("k4j describe %s %s", what[0], what[1]).isEqualTo(expected);
        }
        String expected = kubectl.run(null, kubectlBin.toString(), "describe", "node", NODE).ok().out();
        soft.assertThat(TRAILING_AGE.apply(k4j("describe", "node", NODE).ok().out()))
                .isEqualTo(TRAILING_AGE.apply(expected));
        soft.assertAll();
    }

    /** Issue 13's kinds: describe and get (wide) print what kubectl 1.32 prints for the same objects. */
    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void workloadAndStorageKindsPrintWhatKubectlPrints() throws Exception {
        Path kubectlBin = KubectlRunner.VERSIONED_DIR.resolve("kubectl.1.32");
        Requirements.require(Files.isExecutable(kubectlBin), kubectlBin + " is not installed");
        KubectlRunner kubectl = KubectlRunner.withKubeconfig(kubectlBin, kubeconfig,
                Files.createTempDirectory("describe-kubectl"), Duration.ofSeconds(60));
        org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
        for (String[] what : new String[][] {{"statefulset", "db"}, {"daemonset", "agent"}, {"job", "once"},
            {"cronjob", "tick"}, {"hpa", "web"}, {"pv", NS + "-pv"}, {"pvc", "data-db-0"},
            {"storageclass", NS + "-local"}}) {
            String expected = kubectl.run(null, kubectlBin.toString(), "describe", what[0], what[1], "-n", NS).ok().out();
            String actual = k4j("describe", what[0], what[1], "-n", NS).ok().out();
            soft.assertThat(actual).as("k4j describe %s %s", what[0], what[1]).isEqualTo(expected);
        }
        for (String kinds : new String[] {"statefulsets,daemonsets,jobs,cronjobs,hpa,pvc,controllerrevisions",
            "pv/" + NS + "-pv", "storageclass/" + NS + "-local"}) {
            for (String output : new String[] {"-o=default", "-o=wide"}) {
                String[] args = output.equals("-o=wide") ? new String[] {"get", kinds, "-n", NS, output}
                        : new String[] {"get", kinds, "-n", NS};
                String[] withBin = new String[args.length + 1];
                withBin[0] = kubectlBin.toString();
                System.arraycopy(args, 0, withBin, 1, args.length);
                String expected = kubectl.run(null, withBin).ok().out();
                String actual = k4j(args).ok().out();
                soft.assertThat(Golden.normalize(actual)).as("k4j get %s %s", kinds, output)
                        .isEqualTo(Golden.normalize(expected));
            }
        }
        soft.assertAll();
        String sts = k4j("describe", "sts", "db", "-n", NS).ok().out();
        assertThat(sts).contains("Pods Status:        1 Running / 0 Waiting / 0 Succeeded / 0 Failed")
                .contains("Replicas:           2 desired | 1 total");
        assertThat(k4j("describe", "pvc", "data-db-0", "-n", NS).ok().out()).contains("Used By:       db-0\n");
        assertThat(k4j("get", "controllerrevisions", "-n", NS).ok().out())
                .contains("db-5d8f6c   statefulset.apps/db   1");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void aMissingObjectIsTheServersNotFoundAndExitOne() {
        CliHarness.Result r = k4j("describe", "pod", "nope", "-n", NS);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error from server (NotFound): pods \"nope\" not found\n");
        CliHarness.Result none = k4j("describe", "pods", "-n", NS, "-l", "app=none");
        assertThat(none.code()).isZero();
        assertThat(none.err()).isEqualTo("No resources found in describe-it namespace.\n");
    }
}
