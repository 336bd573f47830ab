package io.kube4j.node.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.node.source.StaticPods;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Static pods from a manifest directory run on Docker and are mirrored to the apiserver, as the kubelet does. */
class StaticPodIT {

    private static NodeAgentHarness node;
    private static Path manifests;

    @BeforeAll
    static void start() throws IOException {
        manifests = Files.createTempDirectory("kube4j-manifests");
        node = NodeAgentHarness.docker("static", Map.of("static-pod-path", manifests.toString()));
    }

    @AfterAll
    static void stop() throws IOException {
        if (node != null) {
            node.close();
        }
        try (var s = Files.list(manifests)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(manifests);
    }

    private Pod mirror(String name) {
        try {
            return node.client().resources(Pod.class).get("default", name).block(Duration.ofSeconds(5));
        } catch (ApiStatusException e) {
            return null;
        }
    }

    @Test
    void aManifestRunsAsAMirroredStaticPodThatComesBackWhenDeletedAndGoesWithItsFile() throws IOException {
        String mirrorName = "web-" + node.nodeName();
        Files.writeString(manifests.resolve("web.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: web, labels: {app: static}}
                spec:
                  terminationGracePeriodSeconds: 1 # sleep, PID 1, ignores SIGTERM: the stop would wait 30 s
                  containers: [{name: main, image: IMAGE, command: [sh, -c, 'sleep 3600']}]
                """.replace("IMAGE", node.busyboxImage()));
        Pod m = await().atMost(Duration.ofSeconds(60)).until(() -> mirror(mirrorName),
                p -> p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase()));
        assertThat(m.getMetadata().getAnnotations()).containsKeys(StaticPods.CONFIG_MIRROR, StaticPods.CONFIG_HASH)
                .containsEntry(StaticPods.CONFIG_SOURCE, "file");
        assertThat(m.getSpec().getNodeName()).isEqualTo(node.nodeName());
        assertThat(m.getMetadata().getOwnerReferences()).extracting(o -> o.getKind() + "/" + o.getName())
                .containsExactly("Node/" + node.nodeName());
        String staticUid = m.getMetadata().getAnnotations().get(StaticPods.CONFIG_HASH);
        String containerId = node.runtime().listContainers().stream().filter(c -> c.podUid().equals(staticUid))
                .findFirst().orElseThrow().id();

        // deleting the mirror does not stop the static pod: the agent recreates the mirror
        node.client().resources(Pod.class).delete("default", mirrorName, DeleteOptions.now()).block();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Pod again = mirror(mirrorName);
            return again != null && !again.getMetadata().getUid().equals(m.getMetadata().getUid());
        });
        assertThat(node.runtime().listContainers().stream().filter(c -> c.podUid().equals(staticUid))
                .filter(c -> c.running()).findFirst().orElseThrow().id()).isEqualTo(containerId);

        // removing the manifest stops the pod and deletes its mirror
        Files.delete(manifests.resolve("web.yaml"));
        await().atMost(Duration.ofSeconds(60)).until(() -> mirror(mirrorName) == null
                && node.runtime().listContainers().stream().noneMatch(c -> c.podUid().equals(staticUid)));
    }
}
