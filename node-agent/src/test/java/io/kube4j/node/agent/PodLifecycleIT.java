package io.kube4j.node.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ListOptions;
import io.kube4j.node.runtime.ContainerRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pod lifecycle on a real Docker engine, through a real apiserver on etcd: one node agent runs every pod of
 * this class (images are built locally: no registry is reachable).
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class PodLifecycleIT {

    private static NodeAgentHarness node;
    private static String image;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        node = NodeAgentHarness.docker("lifecycle");
        image = node.busyboxImage();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private Pod create(String yaml) {
        return node.createPod(yaml.replace("IMAGE", image));
    }

    private ContainerStatus status(Pod pod, String container) {
        Pod p = node.get(pod);
        if (p == null || p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
            return null;
        }
        return p.getStatus().getContainerStatuses().stream().filter(c -> c.getName().equals(container))
                .findFirst().orElse(null);
    }

    private String exec(Pod pod, String container, String... cmd) {
        String id = node.containerId(pod, container);
        var r = node.runtime().execSync(id, List.of(cmd), Duration.ofSeconds(10));
        return r.stdoutText();
    }

    @Test
    void a_twoContainersShareLocalhostAndAnEmptyDir() {
        Pod pod = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: shared}
                spec:
                  volumes: [{name: data, emptyDir: {}}]
                  containers:
                  - name: web
                    image: IMAGE
                    command: [sh, -c, 'echo hello-from-web > /www/index.html; exec httpd -f -p 8080 -h /www']
                    volumeMounts: [{name: data, mountPath: /www}]
                  - name: client
                    image: IMAGE
                    command: [sh, -c, 'while true; do wget -qO /shared/got http://127.0.0.1:8080/index.html; sleep 1; done']
                    volumeMounts: [{name: data, mountPath: /shared}]
                """);
        Pod running = node.awaitPhase(pod, "Running");
        assertThat(running.getStatus().getPodIP()).startsWith(node.podCidrPrefix());
        assertThat(running.getStatus().getHostIP()).isEqualTo(node.context().nodeIp());
        assertThat(running.getStatus().getStartTime()).isNotNull();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(exec(pod, "client", "cat", "/shared/got")).contains("hello-from-web"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Pod p = node.get(pod);
            assertThat(p.getStatus().getConditions()).extracting(c -> c.getType() + "=" + c.getStatus())
                    .contains("Ready=True", "ContainersReady=True", "Initialized=True");
            assertThat(p.getStatus().getContainerStatuses()).allSatisfy(c -> {
                assertThat(c.getContainerID()).startsWith("docker://");
                assertThat(c.getImageID()).contains("sha256:");
                assertThat(c.getStarted()).isTrue();
            });
        });
        assertThat(node.eventReasons(pod)).contains("Created", "Started");
    }

    @Test
    void b_envComesFromConfigMapsSecretsAndTheDownwardApi() {
        node.client().resources(io.fabric8.kubernetes.api.model.ConfigMap.class).create(new ConfigMapBuilder()
                .withNewMetadata().withName("settings").withNamespace(node.namespace()).endMetadata()
                .addToData("color", "blue").addToData("size", "XL").build()).block();
        node.client().resources(io.fabric8.kubernetes.api.model.Secret.class).create(new SecretBuilder()
                .withNewMetadata().withName("creds").withNamespace(node.namespace()).endMetadata()
                .addToStringData("password", "s3cret").build()).block();
        Pod pod = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: env}
                spec:
                  containers:
                  - name: main
                    image: IMAGE
                    command: [sh, -c, 'env > /tmp/env; sleep 3600']
                    env:
                    - {name: COLOR, valueFrom: {configMapKeyRef: {name: settings, key: color}}}
                    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
                    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                    - {name: GREETING, value: 'color is $(COLOR)'}
                    envFrom:
                    - {prefix: CFG_, configMapRef: {name: settings}}
                """);
        node.awaitPhase(pod, "Running");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(exec(pod, "main", "cat", "/tmp/env"))
                .contains("COLOR=blue", "PASSWORD=s3cret", "POD_NAME=env", "GREETING=color is blue",
                        "CFG_size=XL"));
    }

    @Test
    void c_readinessAndLivenessProbesDriveReadyAndRestarts() {
        Pod pod = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: probed}
                spec:
                  terminationGracePeriodSeconds: 2
                  containers:
                  - name: web
                    image: IMAGE
                    command: [sh, -c, 'mkdir -p /www && echo ok > /www/ready && touch /tmp/alive && exec httpd -f -p 8080 -h /www']
                    readinessProbe:
                      httpGet: {path: /ready, port: 8080}
                      periodSeconds: 1
                      failureThreshold: 1
                    livenessProbe:
                      exec: {command: [test, -f, /tmp/alive]}
                      periodSeconds: 1
                      failureThreshold: 2
                """);
        node.awaitCondition(pod, "Ready", "True");
        exec(pod, "web", "rm", "/www/ready");
        node.awaitCondition(pod, "Ready", "False");
        exec(pod, "web", "rm", "/tmp/alive");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(status(pod, "web").getRestartCount()).isGreaterThanOrEqualTo(1));
        node.awaitCondition(pod, "Ready", "True"); // the new container starts with the file again
        assertThat(node.eventReasons(pod)).contains("Unhealthy", "Killing");
    }

    @Test
    void d_aCrashingContainerBacksOffWithGrowingDelays() {
        Pod pod = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: crasher}
                spec:
                  containers:
                  - name: main
                    image: IMAGE
                    command: [sh, -c, 'echo dying; exit 1']
                """);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            ContainerStatus s = status(pod, "main");
            assertThat(s).isNotNull();
            assertThat(s.getRestartCount()).isGreaterThanOrEqualTo(3);
            assertThat(s.getState().getWaiting()).isNotNull();
            assertThat(s.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
            assertThat(s.getLastState().getTerminated().getExitCode()).isEqualTo(1);
        });
        // the harness uses a 1 s initial back-off: the delays grow 1s, 2s, 4s, ...
        List<String> backoffs = node.eventMessages(pod, "BackOff");
        assertThat(backoffs).isNotEmpty();
        assertThat(status(pod, "main").getState().getWaiting().getMessage()).matches("back-off (2|4|8|16)s restarting failed container=main .*");
    }

    @Test
    void e_onFailureAndNeverFinishTheirPods() {
        Pod ok = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: onfailure-ok}
                spec:
                  restartPolicy: OnFailure
                  containers: [{name: main, image: IMAGE, command: [sh, -c, 'exit 0']}]
                """);
        Pod failed = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: never-fails}
                spec:
                  restartPolicy: Never
                  containers: [{name: main, image: IMAGE, command: [sh, -c, 'exit 3']}]
                """);
        Pod retried = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: onfailure-retries}
                spec:
                  restartPolicy: OnFailure
                  containers: [{name: main, image: IMAGE, command: [sh, -c, 'if [ -f /data/once ]; then exit 0; fi; touch /data/once; exit 2']
                                , volumeMounts: [{name: d, mountPath: /data}]}]
                  volumes: [{name: d, emptyDir: {}}]
                """);
        Pod s = node.awaitPhase(ok, "Succeeded");
        assertThat(s.getStatus().getContainerStatuses().get(0).getRestartCount()).isZero();
        assertThat(s.getStatus().getContainerStatuses().get(0).getState().getTerminated().getReason()).isEqualTo("Completed");
        Pod f = node.awaitPhase(failed, "Failed");
        assertThat(f.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode()).isEqualTo(3);
        assertThat(f.getStatus().getContainerStatuses().get(0).getRestartCount()).isZero();
        Pod r = node.awaitPhase(retried, "Succeeded");
        assertThat(r.getStatus().getContainerStatuses().get(0).getRestartCount()).isEqualTo(1);
    }

    @Test
    void f_gracefulDeletionSendsSigtermBeforeSigkill() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("term"));
        dir.toFile().setWritable(true, false);
        Pod pod = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: graceful}
                spec:
                  terminationGracePeriodSeconds: 20
                  volumes: [{name: out, hostPath: {path: DIR}}]
                  containers:
                  - name: main
                    image: IMAGE
                    command: [sh, -c, 'trap "echo got-TERM >> /out/signal; exit 0" TERM; echo started > /out/signal; while true; do sleep 1; done']
                    volumeMounts: [{name: out, mountPath: /out}]
                    lifecycle:
                      preStop: {exec: {command: [sh, -c, 'echo pre-stop >> /out/signal']}}
                """.replace("DIR", dir.toString()));
        node.awaitPhase(pod, "Running");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("signal")));
        node.client().resources(Pod.class).delete(node.namespace(), "graceful", DeleteOptions.defaults()).block();
        node.awaitGone(pod);
        // the preStop hook ran first, then SIGTERM reached the trap (well before SIGKILL at 20 s)
        assertThat(Files.readString(dir.resolve("signal"), StandardCharsets.UTF_8))
                .isEqualTo("started\npre-stop\ngot-TERM\n");
        assertThat(node.runtimeContainersOf(pod)).isEmpty();
        assertThat(node.eventReasons(pod)).contains("Killing");
    }

    @Test
    void g_imagePullFailuresHaveTheKubeletsReasons() {
        // a registry address on the loopback interface where nothing listens: the pull fails at once, locally
        Pod pull = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: unpullable}
                spec:
                  containers: [{name: main, image: '127.0.0.1:9/kube4j/missing:1', imagePullPolicy: IfNotPresent}]
                """);
        Pod never = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: neverpull}
                spec:
                  containers: [{name: main, image: 'kube4j-test/absent:1', imagePullPolicy: Never}]
                """);
        Set<String> seen = new java.util.concurrent.ConcurrentSkipListSet<>();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ContainerStatus s = status(pull, "main");
            if (s != null && s.getState().getWaiting() != null) {
                seen.add(s.getState().getWaiting().getReason());
            }
            assertThat(seen).contains("ErrImagePull", "ImagePullBackOff");
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ContainerStatus s = status(never, "main");
            assertThat(s).isNotNull();
            assertThat(s.getState().getWaiting().getReason()).isEqualTo("ErrImageNeverPull");
            assertThat(s.getState().getWaiting().getMessage()).contains("is not present with pull policy of Never");
        });
        assertThat(node.get(pull).getStatus().getPhase()).isEqualTo("Pending");
        assertThat(node.eventReasons(pull)).contains("Pulling", "Failed", "BackOff");
    }

    @Test
    void h_initContainersRunInOrderBeforeTheApp() {
        Pod pod = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: inits}
                spec:
                  volumes: [{name: d, emptyDir: {}}]
                  initContainers:
                  - {name: first, image: IMAGE, command: [sh, -c, 'sleep 1; echo first >> /d/order'], volumeMounts: [{name: d, mountPath: /d}]}
                  - {name: second, image: IMAGE, command: [sh, -c, 'echo second >> /d/order'], volumeMounts: [{name: d, mountPath: /d}]}
                  containers:
                  - {name: app, image: IMAGE, command: [sh, -c, 'echo app >> /d/order; sleep 3600'], volumeMounts: [{name: d, mountPath: /d}]}
                """);
        Pod p = node.awaitPhase(pod, "Running");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(exec(pod, "app", "cat", "/d/order")).isEqualTo("first\nsecond\napp\n"));
        p = node.get(pod);
        assertThat(p.getStatus().getInitContainerStatuses()).extracting(c -> c.getState().getTerminated().getReason())
                .containsExactly("Completed", "Completed");
    }

    @Test
    void i_restartingTheAgentRecreatesNothingAndAKilledContainerIsRestarted() {
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pods.add(create("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: steady-N}
                    spec:
                      containers: [{name: main, image: IMAGE, command: [sh, -c, 'sleep 3600']}]
                    """.replace("N", String.valueOf(i))));
        }
        Map<String, String> before = new HashMap<>();
        for (Pod p : pods) {
            Pod r = node.awaitPhase(p, "Running");
            before.put(p.getMetadata().getName(), r.getStatus().getContainerStatuses().get(0).getContainerID());
        }
        node.restartAgent();
        for (Pod p : pods) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Pod r = node.get(p);
                assertThat(r.getStatus().getPhase()).isEqualTo("Running");
                assertThat(r.getStatus().getContainerStatuses().get(0).getContainerID())
                        .isEqualTo(before.get(p.getMetadata().getName()));
                assertThat(r.getStatus().getContainerStatuses().get(0).getRestartCount()).isZero();
            });
        }
        Pod victim = pods.get(0);
        node.dockerKill(node.containerId(victim, "main"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ContainerStatus s = status(victim, "main");
            assertThat(s.getRestartCount()).isEqualTo(1);
            assertThat(s.getState().getRunning()).isNotNull();
            assertThat(s.getContainerID()).isNotEqualTo(before.get(victim.getMetadata().getName()));
        });
        assertThat(node.runtime().listContainers().stream()
                .filter(c -> c.podUid().equals(pods.get(1).getMetadata().getUid())).count()).isEqualTo(1);
    }

    @Test
    void k_podsDeletedWhileTheAgentIsDownAreRemovedWhenItComesBack() {
        Pod pod = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: forgotten}
                spec:
                  containers: [{name: main, image: IMAGE, command: [sh, -c, 'sleep 3600']}]
                """);
        node.awaitPhase(pod, "Running");
        assertThat(node.runtimeContainersOf(pod)).isNotEmpty();
        node.agent().close();
        node.client().resources(Pod.class).delete(node.namespace(), "forgotten", DeleteOptions.now()).block();
        node.restartAgentAfterStop();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(node.runtimeContainersOf(pod)).isEmpty();
            assertThat(node.runtime().listSandboxes().stream()
                    .filter(s -> s.podUid().equals(pod.getMetadata().getUid()))).isEmpty();
        });
    }

    /**
     * What {@code ./kube4j down} then {@code up} does to a node: its pod containers, volumes and network are removed
     * from Docker while the agent is down (the Pods stay in the store), and a new agent for the same node and root
     * directory sets the engine up again and recreates every pod bound to it.
     */
    @Test
    void m_podContainersRemovedWhileTheAgentIsDownAreRecreatedWhenItComesBack() {
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            pods.add(create("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: purged-N}
                    spec:
                      containers: [{name: main, image: IMAGE, command: [sh, -c, 'sleep 3600']}]
                    """.replace("N", String.valueOf(i))));
        }
        Map<String, String> before = new HashMap<>();
        for (Pod p : pods) {
            before.put(p.getMetadata().getName(), node.awaitPhase(p, "Running").getStatus().getContainerStatuses()
                    .get(0).getContainerID());
        }
        node.agent().close();
        // as ./kube4j down: docker rm -f, docker volume rm, docker network rm of everything labelled with the node
        var docker = io.kube4j.node.testsupport.DockerTestSupport.client();
        for (var c : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(io.kube4j.node.runtime.RuntimeLabels.NODE, node.nodeName())).exec()) {
            docker.removeContainerCmd(c.getId()).withForce(true).exec();
        }
        docker.removeNetworkCmd("kube4j-" + node.nodeName()).exec();
        assertThat(node.runtime().listContainers()).isEmpty();
        // a new agent process makes a new runtime, which sets the engine up again (network, pause image)
        ((io.kube4j.node.runtime.docker.DockerRuntime) ((io.kube4j.node.runtime.InstrumentedRuntime) node.runtime())
                .delegate()).prepare();
        node.restartAgentAfterStop();
        for (Pod p : pods) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Pod r = node.get(p);
                assertThat(r.getStatus().getPhase()).isEqualTo("Running");
                ContainerStatus s = r.getStatus().getContainerStatuses().get(0);
                assertThat(s.getState().getRunning()).isNotNull();
                assertThat(s.getContainerID()).isNotEqualTo(before.get(p.getMetadata().getName()));
            });
            assertThat(node.runtimeContainersOf(p)).filteredOn(c -> c.running()).hasSize(1);
        }
    }

    @Test
    void l_aSidecarInitContainerKeepsRunningBesideTheApp() {
        Pod pod = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: sidecar}
                spec:
                  initContainers:
                  - {name: setup, image: IMAGE, command: [sh, -c, 'true']}
                  - {name: proxy, image: IMAGE, restartPolicy: Always, command: [sh, -c, 'sleep 3600']}
                  containers: [{name: app, image: IMAGE, command: [sh, -c, 'sleep 3600']}]
                """);
        Pod p = node.awaitPhase(pod, "Running");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Pod now = node.get(pod);
            assertThat(now.getStatus().getInitContainerStatuses()).extracting(c -> c.getName() + ":"
                    + (c.getState().getRunning() != null ? "running" : c.getState().getTerminated() != null
                    ? c.getState().getTerminated().getReason() : "waiting")).containsExactly("setup:Completed", "proxy:running");
            assertThat(now.getStatus().getContainerStatuses().get(0).getState().getRunning()).isNotNull();
        });
    }

    @Test
    void j_activeDeadlineFailsThePod() {
        Pod pod = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: deadline}
                spec:
                  activeDeadlineSeconds: 3
                  terminationGracePeriodSeconds: 2
                  containers: [{name: main, image: IMAGE, command: [sh, -c, 'sleep 3600']}]
                """);
        Pod p = node.awaitPhase(pod, "Failed");
        assertThat(p.getStatus().getReason()).isEqualTo("DeadlineExceeded");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(node.runtime().listContainers().stream()
                        .filter(c -> c.podUid().equals(pod.getMetadata().getUid())).filter(c -> c.running()))
                        .isEmpty());
    }

    /**
     * A container that dies is reported as it is (Ready False, the container terminated) before it is started again,
     * as the kubelet posts the status it observed before acting on it: a client must not see the pod Ready all along
     * while its container was dead. The first restart comes without back-off, so the restart and the death fall in
     * one sync.
     */
    @Test
    void n_aDeadContainerIsReportedNotReadyBeforeItIsRestarted() {
        Pod pod = create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: dies-once}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers: [{name: main, image: IMAGE, command: [sh, -c, 'sleep 3600']}]
                """);
        Pod ready = node.awaitCondition(pod, "Ready", "True");
        String before = ready.getStatus().getContainerStatuses().get(0).getContainerID();
        List<Pod> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        var watch = node.client().resources(Pod.class).watch(node.namespace(), ListOptions.all(),
                        ready.getMetadata().getResourceVersion())
                .subscribe(e -> {
                    if (e.object() != null && e.object().getMetadata() != null
                            && "dies-once".equals(e.object().getMetadata().getName())) {
                        seen.add(e.object());
                    }
                });
        try {
            node.dockerKill(node.containerId(pod, "main"));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                ContainerStatus s = status(pod, "main");
                assertThat(s.getRestartCount()).isEqualTo(1);
                assertThat(s.getState().getRunning()).isNotNull();
                assertThat(s.getContainerID()).isNotEqualTo(before);
                assertThat(node.get(pod).getStatus().getConditions()).anyMatch(c -> "Ready".equals(c.getType())
                        && "True".equals(c.getStatus()));
            });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen).anySatisfy(p -> {
                assertThat(p.getStatus().getConditions()).anyMatch(c -> "Ready".equals(c.getType())
                        && "False".equals(c.getStatus()));
                ContainerStatus s = p.getStatus().getContainerStatuses().get(0);
                assertThat(s.getRestartCount()).isZero();
                assertThat(s.getState().getTerminated()).as("the dead container's state").isNotNull();
                assertThat(s.getContainerID()).isEqualTo(before);
            }));
        } finally {
            watch.dispose();
        }
    }
}
