package io.kube4j.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.client.KubeClient;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.node.agent.NodeAgentHarness;
import io.kube4j.node.testsupport.TestImages;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import org.junit.jupiter.api.Test;

/**
 * The scheduler with a real node agent on Docker: a pod created without a node is bound by the scheduler and ends
 * Running in a container on that node.
 */
class SchedulerDockerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aPodWithoutANodeIsScheduledAndRunsOnTheRealNode() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 6);
        String schedulerName = "docker-it-" + run;
        // The shared apiserver holds other tests' nodes too (some without agents): the pod selects ours by label.
        try (NodeAgentHarness node = NodeAgentHarness.docker("sched", Map.of("labels.scheduler-it", run));
             Parallelizer parallelizer = new Parallelizer(1)) {
            KubeClient client = node.client();
            EventRecorder events = new EventRecorder(client.resources(Event.class), schedulerName, null);
            Framework fw = new Framework(DefaultPlugins.profile(schedulerName, new DefaultBinder(client,
                    Duration.ofSeconds(10)), 0), parallelizer, new Random());
            try (Scheduler scheduler = new Scheduler(client, SharedInformerFactory.forClient(client, Duration.ZERO),
                    List.of(fw), events, Clock.system(), new Scheduler.Settings(Duration.ofSeconds(1),
                            Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(30), 1))) {
                scheduler.start(WAIT);
                Pod pod = Codecs.yaml().readValue("""
                        apiVersion: v1
                        kind: Pod
                        metadata:
                          name: placed
                        spec:
                          schedulerName: %s
                          nodeSelector:
                            scheduler-it: "%s"
                          terminationGracePeriodSeconds: 1
                          containers:
                          - name: main
                            image: %s
                            imagePullPolicy: Never
                            command: ["sh", "-c", "echo started; sleep 3600"]
                            resources:
                              requests:
                                cpu: 50m
                                memory: 16Mi
                        """.formatted(schedulerName, run, TestImages.busybox()), Pod.class);
                pod.getMetadata().setNamespace(node.namespace());
                assertThat(pod.getSpec().getNodeName()).isNull();
                Pod created = client.resources(Pod.class).create(pod).block(WAIT);

                Pod running = node.awaitPhase(created, "Running");
                assertThat(running.getSpec().getNodeName()).isEqualTo(node.nodeName());
                assertThat(running.getStatus().getPodIP()).startsWith(node.podCidrPrefix());
                assertThat(node.runtimeContainersOf(running)).anySatisfy(c -> {
                    assertThat(c.containerName()).isEqualTo("main");
                    assertThat(c.running()).isTrue();
                });
                await().atMost(WAIT).untilAsserted(() -> assertThat(node.eventMessages(running, "Scheduled"))
                        .containsExactly("Successfully assigned " + node.namespace() + "/placed to "
                                + node.nodeName()));
                client.resources(Pod.class).delete(node.namespace(), "placed",
                        io.kube4j.client.DeleteOptions.defaults()).block(WAIT);
                node.awaitGone(running);
            } finally {
                events.close();
            }
        }
    }
}
