package io.kube4j.controller.deployment;

import static io.kube4j.controller.deployment.HollowCluster.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.client.watch.WatchEvent;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.replicaset.ReplicaSetControllerFactory;
import io.kube4j.controller.replicaset.ReplicaSetControllerProperties;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import io.kube4j.node.config.PodLifecycleProperties;
import io.kube4j.node.hollow.HollowFleet;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.testsupport.NodeTestSupport;
import io.kube4j.scheduler.Scheduler;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * Progress and pause with the Deployment and ReplicaSet controllers on the real apiserver and hollow nodes running
 * the pods: a rollout whose pods never become ready stops with ProgressDeadlineExceeded and {@code kubectl rollout
 * undo} brings the old version back as revision 3; pause holds a rollout while scaling still applies, resume
 * finishes it.
 */
class DeploymentProgressIT {

    @TempDir
    static Path root;

    @BeforeAll
    static void start() {
        HollowCluster.start(root);
    }

    @AfterAll
    static void stop() throws Exception {
        HollowCluster.stop();
    }

    @Test
    void aRolloutThatNeverBecomesReadyExceedsItsDeadlineAndUndoRestoresTheOldVersion() {
        create("broken", 3, "RollingUpdate", 1, 0, 6);
        awaitComplete("broken");
        update("broken", d -> {
            var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            c.setImage("img:broken");
            // Nothing listens on 127.0.0.1:1: the readiness probe fails, so the new pods never become ready, which
            // is what a broken image does to a rollout (the hollow runtime runs every image).
            c.setReadinessProbe(new ProbeBuilder().withNewTcpSocket().withHost("127.0.0.1")
                    .withPort(new IntOrString(1)).endTcpSocket().withPeriodSeconds(1).build());
        });
        await().atMost(WAIT).untilAsserted(() -> {
            DeploymentCondition p = condition(get("broken"), "Progressing");
            assertThat(p.getStatus()).isEqualTo("False");
            assertThat(p.getReason()).isEqualTo("ProgressDeadlineExceeded");
        });
        Deployment stuck = get("broken");
        ReplicaSet bad = replicaSetWithImage("broken", "img:broken");
        assertThat(condition(stuck, "Progressing").getMessage())
                .isEqualTo("ReplicaSet \"" + bad.getMetadata().getName() + "\" has timed out progressing.");
        assertThat(stuck.getStatus().getAvailableReplicas()).isEqualTo(3); // maxUnavailable 0 kept the old pods
        assertThat(condition(stuck, "Available").getStatus()).isEqualTo("True");

        Path binary = Requirements.requireBinary("kubectl");
        KubectlRunner kubectl = kubectl(binary);
        kubectl.kubectl("rollout", "undo", "deployment/broken").ok();
        Deployment back = awaitComplete("broken");
        assertThat(image(back)).isEqualTo("img:1");
        assertThat(back.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "3");
        ReplicaSet v1 = replicaSetWithImage("broken", "img:1");
        assertThat(v1.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "3")
                .containsEntry(DeploymentUtil.REVISION_HISTORY, "1");
        assertThat(v1.getSpec().getReplicas()).isEqualTo(3);
        await().atMost(WAIT).untilAsserted(() -> assertThat(replicaSetWithImage("broken", "img:broken").getSpec()
                .getReplicas()).isZero());
        assertThat(replicaSetsOf("broken")).hasSize(2); // the old ReplicaSet became new again: none was created
        KubectlRunner.Result status = kubectl.kubectl("rollout", "status", "deployment/broken", "--timeout=30s").ok();
        assertThat(status.out()).contains("successfully rolled out");
        KubectlRunner.Result history = kubectl.kubectl("rollout", "history", "deployment/broken").ok();
        assertThat(history.out()).containsPattern("(?m)^2\\s").containsPattern("(?m)^3\\s")
                .doesNotContainPattern("(?m)^1\\s");
    }

    @Test
    void pausedDeploymentHoldsItsRolloutButScalesAndResumes() {
        create("paused", 4, "RollingUpdate", "50%", 0, null);
        awaitComplete("paused");
        List<String> progressReasons = Collections.synchronizedList(new ArrayList<>());
        Disposable conditions = deployments.watch(ns, ListOptions.all().withFieldSelector("metadata.name=paused"),
                get("paused").getMetadata().getResourceVersion()).subscribe(e -> {
                    DeploymentCondition p = e.object().getStatus() == null ? null : condition(e.object(), "Progressing");
                    if (p != null && (progressReasons.isEmpty()
                            || !progressReasons.get(progressReasons.size() - 1).equals(p.getReason()))) {
                        progressReasons.add(p.getReason());
                    }
                });
        try {
            update("paused", d -> d.getSpec().setPaused(true));
            await().atMost(WAIT).untilAsserted(() -> {
                DeploymentCondition p = condition(get("paused"), "Progressing");
                assertThat(p.getStatus()).isEqualTo("Unknown");
                assertThat(p.getReason()).isEqualTo("DeploymentPaused");
            });
            Deployment changed = update("paused", d -> {
                d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("img:2");
                d.getSpec().setReplicas(6);
            });
            // The controller saw the change (observedGeneration) and scaled the old ReplicaSet, but rolled nothing.
            await().atMost(WAIT).untilAsserted(() -> {
                Deployment d = get("paused");
                assertThat(d.getStatus().getObservedGeneration()).isEqualTo(changed.getMetadata().getGeneration());
                assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(6);
            });
            assertThat(replicaSetsOf("paused")).singleElement().satisfies(rs -> {
                assertThat(rs.getSpec().getReplicas()).isEqualTo(6);
                assertThat(rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("img:1");
            });
            assertThat(condition(get("paused"), "Progressing").getReason()).isEqualTo("DeploymentPaused");

            update("paused", d -> d.getSpec().setPaused(false));
            Deployment done = awaitComplete("paused");
            assertThat(done.getStatus().getUpdatedReplicas()).isEqualTo(6);
            assertThat(replicaSetWithImage("paused", "img:2").getSpec().getReplicas()).isEqualTo(6);
            await().atMost(WAIT).untilAsserted(() -> assertThat(progressReasons).containsSubsequence(
                    "DeploymentPaused", "DeploymentResumed", "NewReplicaSetAvailable"));
        } finally {
            conditions.dispose();
        }
    }
}
