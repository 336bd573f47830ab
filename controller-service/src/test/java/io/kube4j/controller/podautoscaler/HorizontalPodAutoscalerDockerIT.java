package io.kube4j.controller.podautoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.deployment.DeploymentControllerFactory;
import io.kube4j.controller.deployment.DeploymentControllerProperties;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.replicaset.ReplicaSetControllerFactory;
import io.kube4j.controller.replicaset.ReplicaSetControllerProperties;
import io.kube4j.node.agent.NodeAgentHarness;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HPA end to end: an apiserver of its own scraping the node agents every second, a real node agent on Docker,
 * the deployment, replicaset and horizontalpodautoscaling controllers (sync every second, Kubernetes' tolerance and
 * cpu initialisation rules). A Deployment of one pod requesting 50m cpu that spins for 25 s (about a whole core,
 * far above 50 %) is scaled to 3 by an HPA applied with kubectl, and back to 1 after the spinning stops and the
 * 3 s scaleDown stabilization window has passed; {@code kubectl get hpa} prints the measured target. Its pods name
 * the node directly, so no scheduler (this test's or another's) places them.
 */
class HorizontalPodAutoscalerDockerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;
    private static ApiServerInstance api;
    private static KubeClient client;
    private static NodeAgentHarness node;
    private static ControllerManager manager;

    @BeforeAll
    static void start() {
        Requirements.requireDocker();
        Requirements.requireBinary("etcd");
        api = ApiServerInstance.start(EtcdServer.shared().endpoint(), "kube4j.apiserver.metrics-api.scrape-interval=1s");
        node = NodeAgentHarness.docker("hpa", Map.of(), api);
        client = KubeClient.create(ClientConfig.of(api.url()));
        HorizontalPodAutoscalerProperties hpa = new HorizontalPodAutoscalerProperties(Duration.ofSeconds(1), 0.1,
                Duration.ofSeconds(3), Duration.ofMinutes(5), Duration.ofSeconds(30), 2);
        manager = new ControllerManager(ControllerContext.of(client, Duration.ZERO, new SimpleMeterRegistry(),
                Clock.system()), List.of(new DeploymentControllerFactory(DeploymentControllerProperties.defaults()),
                new ReplicaSetControllerFactory(ReplicaSetControllerProperties.defaults()),
                new HorizontalPodAutoscalerControllerFactory(hpa)), List.of("*"));
        manager.start();
        assertThat(manager.waitForCacheSync(Duration.ofSeconds(30))).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (manager != null) {
            manager.stop();
        }
        if (node != null) {
            node.close();
        }
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private static KubectlRunner kubectl(String version) throws Exception {
        Path binary = KubectlRunner.VERSIONED_DIR.resolve("kubectl." + version);
        if (!Files.isExecutable(binary)) {
            binary = Requirements.requireBinary("kubectl");
        }
        return new KubectlRunner(binary, api.url(), node.namespace(), Files.createDirectories(dir.resolve(version)),
                Duration.ofSeconds(30));
    }

    private static HorizontalPodAutoscaler hpa() {
        return client.resources(HorizontalPodAutoscaler.class).get(node.namespace(), "web").block(TIMEOUT);
    }

    private static int replicas() {
        return client.resources(Deployment.class).get(node.namespace(), "web").block(TIMEOUT).getSpec().getReplicas();
    }

    @Test
    void scalesUpUnderLoadAndDownAfterIt() throws Exception {
        Path manifest = dir.resolve("web.yaml");
        Files.writeString(manifest, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      nodeName: NODE
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: spin
                        image: IMAGE
                        command: [sh, -c, "timeout 25 sh -c 'while :; do :; done'; exec sleep 1d"]
                        resources: {requests: {cpu: 50m}}
                ---
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  minReplicas: 1
                  maxReplicas: 3
                  metrics:
                  - type: Resource
                    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
                  behavior:
                    scaleDown: {stabilizationWindowSeconds: 3}
                """.replace("NODE", node.nodeName()).replace("IMAGE", node.busyboxImage()));
        KubectlRunner kubectl = kubectl("1.31");
        Path invalid = dir.resolve("invalid.yaml");
        Files.writeString(invalid, Files.readString(manifest).substring(Files.readString(manifest).indexOf("---"))
                .replace("maxReplicas: 3", "maxReplicas: 0"));
        KubectlRunner.Result rejected = kubectl.kubectl("apply", "-f", invalid.toString());
        assertThat(rejected.code()).isNotZero();
        assertThat(rejected.err()).contains("is invalid", "spec.maxReplicas: Invalid value: 0: must be greater than 0");
        kubectl.kubectl("apply", "-f", manifest.toString()).ok();

        // the defaulted behavior is stored: the given window, the rest Kubernetes' defaults
        HorizontalPodAutoscaler stored = hpa();
        assertThat(stored.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds()).isEqualTo(3);
        assertThat(stored.getSpec().getBehavior().getScaleUp().getPolicies()).hasSize(2);

        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(replicas()).as("%s", diagnostics()).isEqualTo(3));
        HorizontalPodAutoscaler up = hpa();
        assertThat(up.getStatus().getLastScaleTime()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(up.getStatus().getCurrentMetrics()).isNotEmpty();
        assertThat(condition(up, "ScalingActive").getReason()).isEqualTo("ValidMetricFound");
        assertThat(rescaleMessages()).anySatisfy(m -> assertThat(m).matches(
                "New size: [23]; reason: cpu resource utilization \\(percentage of request\\) above target"));

        KubectlRunner.Result describe = kubectl.kubectl("describe", "hpa", "web").ok();
        assertThat(describe.out()).contains("Reference:", "Deployment/web", "SuccessfulRescale", "ScalingActive");
        for (String version : List.of("1.31", "1.27")) {
            KubectlRunner.Result get = kubectl(version).kubectl("get", "hpa", "web").ok();
            assertThat(get.out()).as("kubectl %s get hpa", version).contains("REFERENCE", "TARGETS")
                    .containsPattern("Deployment/web\\s+cpu: \\d+%/50%\\s+1\\s+3\\s+[1-3]");
        }

        // the spinning stops 25 s after each pod started: usage falls to ~0 and, after the window, back to 1
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(replicas()).as("%s", diagnostics()).isEqualTo(1));
        assertThat(rescaleMessages()).contains("New size: 1; reason: All metrics below target");
        HorizontalPodAutoscaler down = hpa();
        assertThat(down.getStatus().getDesiredReplicas()).isEqualTo(1);
        assertThat(down.getStatus().getObservedGeneration()).isEqualTo(down.getMetadata().getGeneration());
        assertThat(condition(down, "AbleToScale").getStatus()).isEqualTo("True");
    }

    /** What the HPA and the metrics API said, for a failed wait's message. */
    private static String diagnostics() {
        String metrics = new String(client.raw().get("/apis/metrics.k8s.io/v1beta1/namespaces/" + node.namespace()
                + "/pods").block(TIMEOUT), java.nio.charset.StandardCharsets.UTF_8);
        return "hpa status " + io.kube4j.api.codec.Codecs.json().writeValueAsString(hpa().getStatus())
                + "\npod metrics " + metrics + "\npods " + client.resources(io.fabric8.kubernetes.api.model.Pod.class)
                .list(node.namespace(), ListOptions.all()).block(TIMEOUT).getItems().stream()
                .map(p -> p.getMetadata().getName() + " " + io.kube4j.api.codec.Codecs.json()
                        .writeValueAsString(p.getStatus())).toList();
    }

    private static HorizontalPodAutoscalerCondition condition(HorizontalPodAutoscaler hpa, String type) {
        return hpa.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
                .orElseThrow();
    }

    private static List<String> rescaleMessages() {
        return client.resources(Event.class).list(node.namespace(), ListOptions.all()).block(TIMEOUT).getItems()
                .stream().filter(e -> "SuccessfulRescale".equals(e.getReason())).map(Event::getMessage).toList();
    }
}
