package io.kube4j.controller.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.dockerjava.api.exception.NotFoundException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.ListOptions;
import io.kube4j.controller.ControllerManagerApplication;
import io.kube4j.node.agent.NodeAgentHarness;
import io.kube4j.node.runtime.docker.DockerRuntime;
import io.kube4j.node.testsupport.DockerTestSupport;
import io.kube4j.scheduler.SchedulerApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The end to end: the packaged controller manager and scheduler applications, a real node agent on the
 * Docker engine and the real kubectl. {@code kubectl apply} a Deployment of 3 replicas of a locally built httpd
 * image (with a readiness probe on its port) → 3 Running, Ready pods; apply it again with the image's next version
 * → the rolling update completes and the pods serve the new version; {@code kubectl rollout undo} → back, and
 * {@code kubectl rollout history} lists the revisions. The pods name a scheduler of their own, so this test's
 * scheduler never places another test's pods on its Docker node.
 */
class DeploymentKubectlDockerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String IMAGE = "kube4j-test/httpd";

    @TempDir
    static Path dir;
    private static NodeAgentHarness node;
    private static KubectlRunner kubectl;
    private static ConfigurableApplicationContext scheduler;
    private static ConfigurableApplicationContext controllers;
    private static String schedulerName;

    @BeforeAll
    static void start() throws Exception {
        Path binary = Requirements.requireBinary("kubectl");
        node = NodeAgentHarness.docker("deploy");
        buildHttpdImage("1");
        buildHttpdImage("2");
        String run = UUID.randomUUID().toString().substring(0, 6);
        schedulerName = "e2e-" + run;
        String api = ApiServerInstance.shared().url();
        scheduler = SpringApplication.run(SchedulerApplication.class, "--server.port=0", "--server.address=127.0.0.1",
                "--kube4j.client.server=" + api, "--kube4j.scheduler.scheduler-name=" + schedulerName,
                "--kube4j.scheduler.leader-election.resource-name=e2e-scheduler-" + run);
        controllers = SpringApplication.run(ControllerManagerApplication.class, "--server.port=0",
                "--server.address=127.0.0.1", "--kube4j.client.server=" + api,
                "--kube4j.controller.leader-election.resource-name=e2e-controller-manager-" + run);
        kubectl = new KubectlRunner(binary, api, node.namespace(), dir, TIMEOUT);
    }

    /** {@code kube4j-test/httpd:<version>}: busybox's httpd serving "version N" on port 8080. */
    private static void buildHttpdImage(String version) {
        String tag = IMAGE + ":" + version;
        try {
            DockerTestSupport.client().inspectImageCmd(tag).exec();
            return;
        } catch (NotFoundException e) {
            // build it
        }
        Path busybox = DockerTestSupport.staticBusybox().orElse(null);
        Requirements.require(busybox != null, "no static busybox to build " + tag + " (apt-get install busybox-static)");
        DockerRuntime.buildBusyboxImage(DockerTestSupport.client(), tag, busybox, List.of("/bin/sh", "-c",
                "mkdir -p /www && echo version " + version + " > /www/index.html && exec httpd -f -p 8080 -h /www"),
                Map.of(DockerRuntime.IMAGE_LABEL, "test-httpd"));
    }

    @AfterAll
    static void stop() {
        if (controllers != null) {
            controllers.close();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private static Path manifest(String version) throws Exception {
        Path f = dir.resolve("web-" + version + ".yaml");
        Files.writeString(f, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  labels: {app: web}
                spec:
                  replicas: 3
                  selector:
                    matchLabels: {app: web}
                  strategy:
                    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      schedulerName: SCHEDULER
                      # other classes' Node objects outlive their agents (still Ready for the grace period): the
                      # pods must land on this class's node, the only one whose agent runs them
                      nodeSelector: {kubernetes.io/hostname: NODE}
                      terminationGracePeriodSeconds: 2
                      containers:
                      - name: web
                        image: IMAGE:VERSION
                        ports:
                        - {name: http, containerPort: 8080}
                        readinessProbe:
                          httpGet: {path: /, port: http}
                          periodSeconds: 1
                """.replace("SCHEDULER", schedulerName).replace("NODE", node.nodeName()).replace("IMAGE", IMAGE)
                .replace("VERSION", version));
        return f;
    }

    private static List<Pod> webPods() {
        return node.client().resources(Pod.class).list(node.namespace(), ListOptions.all().withLabelSelector("app=web"))
                .block(Duration.ofSeconds(10)).getItems();
    }

    /** Every live pod of the Deployment runs {@code version} and serves it. */
    private static void assertServing(String version) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            List<Pod> live = webPods().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
            assertThat(live).hasSize(3).allSatisfy(p -> {
                assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo(IMAGE + ":" + version);
                assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                assertThat(p.getSpec().getNodeName()).isEqualTo(node.nodeName());
            });
        });
        for (Pod p : webPods()) {
            if (p.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            KubectlRunner.Result r = kubectl.kubectl("exec", p.getMetadata().getName(), "--", "wget", "-qO-",
                    "http://127.0.0.1:8080/").ok();
            assertThat(r.out().trim()).isEqualTo("version " + version);
        }
    }

    @Test
    void applyRollOutAndUndoWithKubectl() throws Exception {
        kubectl.kubectl("apply", "-f", manifest("1").toString()).ok();
        rolledOut();
        assertServing("1");

        kubectl.kubectl("apply", "-f", manifest("2").toString()).ok();
        KubectlRunner.Result status = rolledOut();
        assertThat(status.out()).contains("successfully rolled out");
        assertServing("2");
        Deployment d = node.client().resources(Deployment.class).get(node.namespace(), "web").block(TIMEOUT);
        assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(3);
        assertThat(d.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "2");

        kubectl.kubectl("rollout", "undo", "deployment/web").ok();
        rolledOut();
        assertServing("1");
        KubectlRunner.Result history = kubectl.kubectl("rollout", "history", "deployment/web").ok();
        // revision 1 became revision 3 on undo, as in Kubernetes
        assertThat(history.out()).contains("2").contains("3").doesNotContain("\n1 ");
    }

    /** {@code kubectl rollout status}; when it does not end, the failure shows the pods and their events. */
    private static KubectlRunner.Result rolledOut() {
        KubectlRunner.Result r = kubectl.kubectl("rollout", "status", "deployment/web", "--timeout=90s");
        if (r.code() != 0) {
            throw new AssertionError("rollout status: " + r.out() + r.err() + "\n"
                    + kubectl.kubectl("get", "pods,replicasets", "-o", "wide").out() + "\n"
                    + kubectl.kubectl("describe", "pods", "-l", "app=web").out());
        }
        return r;
    }
}
