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
 * Rollouts checked at every pod event by a watch, with the Deployment and ReplicaSet controllers on the real apiserver
 * and hollow nodes running the pods: a RollingUpdate of 10 with maxSurge 3 / maxUnavailable 2 never has more than 13
 * pods nor fewer than 8 available (and {@code kubectl rollout status/history} agree); a Recreate never has old and
 * new pods at once.
 */
class DeploymentRolloutIT {

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
    void rollingUpdateNeverExceedsSurgeNorDropsBelowAvailability() {
        create("roll", 10, "RollingUpdate", 3, 2, null);
        Deployment first = awaitComplete("roll");
        assertThat(first.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "1");
        PodWatch watch = new PodWatch("roll", w -> {
            if (w.live() > 13) {
                w.violations.add(w.live() + " pods at event " + w.events);
            }
            if (w.available() < 8) {
                w.violations.add("only " + w.available() + " available at event " + w.events);
            }
        });
        try {
            update("roll", d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("img:2"));
            Deployment done = awaitComplete("roll");
            await().atMost(WAIT).untilAsserted(() -> {
                synchronized (watch) {
                    assertThat(watch.live()).isEqualTo(10);
                    assertThat(watch.pods.values()).allMatch(p -> p.getSpec().getContainers().get(0).getImage()
                            .equals("img:2"));
                }
            });
            synchronized (watch) {
                assertThat(watch.violations).as(watch.summary()).isEmpty();
                assertThat(watch.maxLive).isBetween(10, 13);
                assertThat(watch.minAvailable).isBetween(8, 10);
                System.out.println("DeploymentRolloutIT rolling update 10 (surge 3, unavailable 2): " + watch.summary());
            }
            ReplicaSet v1 = replicaSetWithImage("roll", "img:1");
            ReplicaSet v2 = replicaSetWithImage("roll", "img:2");
            assertThat(v1.getSpec().getReplicas()).isZero();
            assertThat(v1.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "1");
            assertThat(v2.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "2")
                    .containsEntry(DeploymentUtil.DESIRED_REPLICAS, "10").containsEntry(DeploymentUtil.MAX_REPLICAS, "13");
            String hash = v2.getMetadata().getLabels().get(DeploymentUtil.POD_TEMPLATE_HASH);
            assertThat(v2.getMetadata().getName()).isEqualTo("roll-" + hash);
            assertThat(v2.getSpec().getSelector().getMatchLabels()).containsEntry(DeploymentUtil.POD_TEMPLATE_HASH, hash);
            assertThat(done.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "2");
            assertThat(done.getStatus().getUpdatedReplicas()).isEqualTo(10);
            assertThat(done.getStatus().getReadyReplicas()).isEqualTo(10);
            assertThat(condition(done, "Available").getReason()).isEqualTo("MinimumReplicasAvailable");
            await().atMost(WAIT).untilAsserted(() -> assertThat(events("roll", "ScalingReplicaSet"))
                    .contains("Scaled up replica set " + v2.getMetadata().getName() + " from 0 to 3")
                    .contains("Scaled down replica set " + v1.getMetadata().getName() + " to 8 from 10"));
        } finally {
            watch.stop();
        }
        kubectlStatusAndHistory("roll");
    }

    @Test
    void recreateNeverRunsOldAndNewPodsAtOnce() {
        create("recreate", 3, "Recreate", null, null, null);
        awaitComplete("recreate");
        PodWatch watch = new PodWatch("recreate", w -> {
            if (w.hashes().size() > 1) {
                w.violations.add("old and new pods at event " + w.events + ": " + w.hashes());
            }
        });
        try {
            update("recreate", d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("img:2"));
            awaitComplete("recreate");
            await().atMost(WAIT).untilAsserted(() -> {
                synchronized (watch) {
                    assertThat(watch.live()).isEqualTo(3);
                    assertThat(watch.available()).isEqualTo(3);
                }
            });
            synchronized (watch) {
                assertThat(watch.violations).as(watch.summary()).isEmpty();
                assertThat(watch.hashesSeen).hasSize(2); // both versions were seen, one after the other
            }
            assertThat(events("recreate", "ScalingReplicaSet")).anyMatch(m -> m.startsWith("Scaled down replica set")
                    && m.endsWith("to 0 from 3"));
        } finally {
            watch.stop();
        }
    }
}
