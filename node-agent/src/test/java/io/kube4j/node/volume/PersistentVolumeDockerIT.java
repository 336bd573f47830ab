package io.kube4j.node.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.node.agent.NodeAgentHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * persistentVolumeClaim volumes on a real node agent on Docker: the claim's PV (a hostPath directory under the
 * node's local-path directory, pre-bound by the test as the PV controller would) is created, written by one pod and
 * read back by the next; an unbound claim keeps its pod from starting (FailedMount); deleting the PV removes its
 * directory; a directory whose PV vanished while the agent was down is swept at start.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PersistentVolumeDockerIT {

    private static final Duration T = Duration.ofSeconds(10);
    private static NodeAgentHarness node;
    private static KubeClient client;
    private static Path localPath;
    private static String pvName;
    private static Path volumeDir;

    @BeforeAll
    static void start() {
        node = NodeAgentHarness.docker("pv");
        client = node.client();
        pvName = "pvc-it-" + node.nodeName();
        Node n = await().atMost(Duration.ofSeconds(30)).until(
                () -> client.resources(Node.class).get(null, node.nodeName()).block(T), x -> x != null);
        localPath = Path.of(n.getMetadata().getAnnotations().get(LocalPathVolumes.DIR_ANNOTATION));
        volumeDir = localPath.resolve(pvName + "_" + node.namespace() + "_data");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            delete(PersistentVolume.class, null, pvName);
            node.close();
        }
    }

    @Test
    @Order(1)
    void theNodeAdvertisesItsLocalPathDirectory() {
        assertThat(localPath).isEqualTo(node.context().rootDir().toAbsolutePath().resolve("local-path"));
        assertThat(localPath).isDirectory();
    }

    @Test
    @Order(2)
    void aPodWritesToItsClaimAndTheNextPodReadsItBack() throws Exception {
        PersistentVolumeClaim claim = client.resources(PersistentVolumeClaim.class).create(
                new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace(node.namespace()).withName("data")
                        .endMetadata().withNewSpec().withStorageClassName("local-path")
                        .withAccessModes("ReadWriteOnce").withVolumeName(pvName).withNewResources()
                        .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).block(T);
        client.resources(PersistentVolume.class).create(new PersistentVolumeBuilder().withNewMetadata()
                .withName(pvName).addToLabels(LocalPathVolumes.NODE_LABEL, node.nodeName()).endMetadata()
                .withNewSpec().withStorageClassName("local-path").withAccessModes("ReadWriteOnce")
                .addToCapacity("storage", new Quantity("1Gi")).withPersistentVolumeReclaimPolicy("Delete")
                .withNewHostPath().withPath(volumeDir.toString()).withType("DirectoryOrCreate").endHostPath()
                .withClaimRef(new ObjectReferenceBuilder().withKind("PersistentVolumeClaim").withApiVersion("v1")
                        .withNamespace(node.namespace()).withName("data").withUid(claim.getMetadata().getUid())
                        .build())
                .endSpec().build()).block(T);
        client.resources(PersistentVolume.class).updateWithRetry(null, pvName, pv -> {
            pv.setStatus(new PersistentVolumeStatusBuilder().withPhase("Bound").build());
            return pv;
        }, true).block(T);
        // not Bound yet: the pod must not start without its volume
        Pod early = node.createPod(pod("early", "echo too-early > /data/f", false));
        await().atMost(Duration.ofSeconds(30)).until(() -> node.eventMessages(early, "FailedMount").stream()
                .anyMatch(m -> m.contains("PVC is not bound")));
        assertThat(node.get(early).getStatus().getPhase()).isEqualTo("Pending");
        assertThat(volumeDir).doesNotExist();
        client.resources(Pod.class).delete(node.namespace(), "early", DeleteOptions.defaults()).block(T);
        node.awaitGone(early);

        client.resources(PersistentVolumeClaim.class).updateWithRetry(node.namespace(), "data", c -> {
            c.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound").withAccessModes("ReadWriteOnce")
                    .addToCapacity("storage", new Quantity("1Gi")).build());
            return c;
        }, true).block(T);

        Pod writer = node.createPod(pod("writer", "echo hello > /data/f", false));
        node.awaitPhase(writer, "Succeeded");
        assertThat(Files.readString(volumeDir.resolve("f")).trim()).isEqualTo("hello");
        client.resources(Pod.class).delete(node.namespace(), "writer", DeleteOptions.defaults()).block(T);
        node.awaitGone(writer);
        assertThat(volumeDir.resolve("f")).as("the pod's end leaves the volume alone").exists();

        // read back through a read-only claim volume: reading works, writing must not
        Pod reader = node.createPod(pod("reader", "test \"$(cat /data/f)\" = hello && ! touch /data/g", true));
        node.awaitPhase(reader, "Succeeded");
        assertThat(volumeDir.resolve("g")).doesNotExist();
        client.resources(Pod.class).delete(node.namespace(), "reader", DeleteOptions.defaults()).block(T);
        node.awaitGone(reader);
    }

    @Test
    @Order(3)
    void deletingTheVolumeRemovesItsDirectory() {
        assertThat(volumeDir).isDirectory();
        // as the PV controller and the protection controllers would once the claim is gone
        delete(PersistentVolumeClaim.class, node.namespace(), "data");
        delete(PersistentVolume.class, null, pvName);
        await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(volumeDir));
    }

    @Test
    @Order(4)
    void directoriesOfVolumesDeletedWhileTheAgentWasDownAreSweptAtStart() throws Exception {
        Path orphan = Files.createDirectories(localPath.resolve("pvc-gone-" + node.nodeName() + "_ns_x"));
        Files.writeString(orphan.resolve("data"), "old");
        Path foreign = Files.createDirectories(localPath.resolve("keep-me"));
        node.restartAgent();
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(orphan));
        assertThat(foreign).isDirectory();
    }

    /** Deletes the object and drops its finalizers (the protection controllers do not run here). */
    private static <O extends io.fabric8.kubernetes.api.model.HasMetadata> void delete(Class<O> type, String ns,
            String name) {
        client.resources(type).delete(ns, name, DeleteOptions.defaults()).onErrorComplete().block(T);
        client.resources(type).updateWithRetry(ns, name, o -> {
            o.getMetadata().setFinalizers(null);
            return o;
        }, false).onErrorComplete().block(T);
    }

    private String pod(String name, String script, boolean readOnly) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: NAME}
                spec:
                  restartPolicy: Never
                  terminationGracePeriodSeconds: 1
                  containers: [{name: main, image: IMAGE, command: [sh, -c, 'SCRIPT'],
                                volumeMounts: [{name: data, mountPath: /data}]}]
                  volumes: [{name: data, persistentVolumeClaim: {claimName: data, readOnly: RO}}]
                """.replace("NAME", name).replace("IMAGE", node.busyboxImage()).replace("SCRIPT", script)
                .replace("RO", Boolean.toString(readOnly));
    }
}
