package io.kube4j.controller.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import io.kube4j.controller.volume.persistentvolume.PersistentVolumeControllerFactory;
import io.kube4j.controller.volume.persistentvolume.PersistentVolumeControllerProperties;
import io.kube4j.controller.volume.protection.PvProtectionControllerFactory;
import io.kube4j.controller.volume.protection.PvcProtectionControllerFactory;
import io.kube4j.node.agent.NodeAgentHarness;
import io.kube4j.scheduler.Scheduler;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import io.kube4j.scheduler.plugins.volumebinding.VolumeBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole local-path path, every part real: a claim without a class gets the default {@code local-path} class
 * (admission), the scheduler's VolumeBinding selects the Docker node agent's node for it, the provisioner creates the
 * PV under the node's {@code kube4j.io/local-path-dir}, the PV controller binds it, the pod is bound and its
 * container writes into the directory; a second pod reads it back; deleting the pods and the claim releases the PV,
 * whose Delete policy deletes it, and the node agent removes the directory. The scheduler (in process) serves its own
 * schedulerName and the pods select this node.
 */
class LocalPathVolumeDockerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static NodeAgentHarness node;
    private static KubeClient client;
    private static ControllerManager manager;
    private static Parallelizer parallelizer;
    private static EventRecorder events;
    private static Scheduler scheduler;
    private static String schedulerName;

    @BeforeAll
    static void start() {
        node = NodeAgentHarness.docker("localpath");
        client = ControllerTestEnv.client();
        manager = ControllerTestEnv.start(new PersistentVolumeControllerFactory(
                PersistentVolumeControllerProperties.defaults()), new PvcProtectionControllerFactory(),
                new PvProtectionControllerFactory());
        schedulerName = "local-path-it-" + UUID.randomUUID().toString().substring(0, 6);
        parallelizer = new Parallelizer(2);
        events = new EventRecorder(client.resources(Event.class), schedulerName, null);
        SharedInformerFactory informers = SharedInformerFactory.forClient(client, Duration.ZERO);
        FrameworkHandle handle = new FrameworkHandle.SimpleHandle(client, events, informers, parallelizer,
                Clock.system());
        Framework fw = new Framework(DefaultPlugins.profile(schedulerName, new DefaultBinder(client,
                Duration.ofSeconds(10)), 0, handle), parallelizer, new Random());
        scheduler = new Scheduler(client, informers, List.of(fw), events, Clock.system(), new Scheduler.Settings(
                Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(30), 2));
        scheduler.start(WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (scheduler != null) {
            scheduler.close();
        }
        if (events != null) {
            events.close();
        }
        if (parallelizer != null) {
            parallelizer.close();
        }
        if (manager != null) {
            manager.stop();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aClaimIsProvisionedOnTheNodeItsPodIsScheduledToAndCleanedUpAfterwards() throws Exception {
        String ns = node.namespace();
        PersistentVolumeClaim claim = client.resources(PersistentVolumeClaim.class).create(
                new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace(ns).withName("data").endMetadata()
                        .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                        .addToRequests("storage", new Quantity("64Mi")).endResources().endSpec().build())
                .block(WAIT);
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("local-path");

        Pod writer = createPod("writer", "echo persisted > /data/f");
        node.awaitPhase(writer, "Succeeded");
        PersistentVolumeClaim bound = client.resources(PersistentVolumeClaim.class).get(ns, "data").block(WAIT);
        assertThat(bound.getMetadata().getAnnotations())
                .containsEntry(VolumeBinding.SELECTED_NODE_ANNOTATION, node.nodeName());
        assertThat(bound.getStatus().getPhase()).isEqualTo("Bound");
        String pvName = bound.getSpec().getVolumeName();
        assertThat(pvName).isEqualTo("pvc-" + claim.getMetadata().getUid());
        PersistentVolume pv = client.resources(PersistentVolume.class).get(null, pvName).block(WAIT);
        Node n = client.resources(Node.class).get(null, node.nodeName()).block(WAIT);
        Path localPath = Path.of(n.getMetadata().getAnnotations().get(VolumeBinding.LOCAL_PATH_DIR_ANNOTATION));
        Path dir = Path.of(pv.getSpec().getHostPath().getPath());
        assertThat(dir).isEqualTo(localPath.resolve(pvName + "_" + ns + "_data"));
        assertThat(Files.readString(dir.resolve("f")).trim()).isEqualTo("persisted");

        Pod reader = createPod("reader", "test \"$(cat /data/f)\" = persisted");
        node.awaitPhase(reader, "Succeeded");

        for (Pod p : List.of(writer, reader)) {
            client.resources(Pod.class).delete(ns, p.getMetadata().getName(), DeleteOptions.defaults()).block(WAIT);
            node.awaitGone(p);
        }
        client.resources(PersistentVolumeClaim.class).delete(ns, "data", DeleteOptions.defaults()).block(WAIT);
        await().atMost(WAIT).until(() -> client.resources(PersistentVolume.class).get(null, pvName)
                .onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(WAIT) == null);
        await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(dir));
    }

    /** Creates the pod unbound (the harness's createPod would bind it): the scheduler must place it. */
    private static Pod createPod(String name, String script) {
        Pod pod = io.kube4j.api.codec.Codecs.yaml().readValue("""
                apiVersion: v1
                kind: Pod
                metadata: {name: NAME}
                spec:
                  schedulerName: SCHEDULER
                  nodeSelector: {kubernetes.io/hostname: NODE}
                  restartPolicy: Never
                  terminationGracePeriodSeconds: 1
                  containers: [{name: main, image: IMAGE, command: [sh, -c, 'SCRIPT'],
                                volumeMounts: [{name: data, mountPath: /data}]}]
                  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
                """.replace("NAME", name).replace("SCHEDULER", schedulerName).replace("NODE", node.nodeName())
                .replace("IMAGE", node.busyboxImage()).replace("SCRIPT", script), Pod.class);
        pod.getMetadata().setNamespace(node.namespace());
        return client.resources(Pod.class).create(pod).block(WAIT);
    }
}
