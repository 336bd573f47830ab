package io.kube4j.node.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.node.testsupport.UnixSocketRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Status;

/**
 * A node agent whose Docker engine is not there (a unix socket path where nothing listens), then appears (a relay
 * on that path to the real engine), goes away and comes back: the node registers NotReady with the kubelet's reason,
 * its pods wait, and it goes Ready and runs them when the engine answers.
 */
class NodeWithoutEngineIT {

    @TempDir
    static Path tmp;

    private NodeAgentHarness node;
    private UnixSocketRelay relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void theNodeIsNotReadyWithTheReasonUntilTheEngineAnswersThenRunsItsPods() {
        Path socket = tmp.resolve("docker.sock");
        node = NodeAgentHarness.dockerAwaitingEngine("noengine", socket);
        String reason = "container runtime is down: Docker engine at unix://" + socket + " does not answer";

        NodeCondition notReady = await().atMost(Duration.ofSeconds(20)).until(node::readyCondition,
                c -> c != null && "False".equals(c.getStatus()));
        assertThat(notReady.getReason()).isEqualTo("KubeletNotReady");
        assertThat(notReady.getMessage()).startsWith(reason).endsWith("(start dockerd or install docker.io)");
        Node registered = node.client().resources(Node.class).get(null, node.nodeName()).block(Duration.ofSeconds(5));
        assertThat(registered.getStatus().getCapacity()).as("the host's size, before the engine answers")
                .containsKeys("cpu", "memory", "ephemeral-storage", "pods");
        assertThat(registered.getStatus().getCapacity().get("cpu").getNumericalAmount()).isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> node.client().resources(Lease.class)
                .get("kube-node-lease", node.nodeName()).block(Duration.ofSeconds(5)).getSpec().getRenewTime(),
                t -> t != null);
        var health = new ContainerRuntimeHealthIndicator(node.runtime(), "unix://" + socket).health();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat((String) health.getDetails().get("reason")).startsWith(reason);

        Pod pod = node.createPod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: waits}
                spec:
                  containers: [{name: main, image: IMAGE, command: [sh, -c, 'sleep 3600']}]
                """.replace("IMAGE", node.busyboxImage()));
        // while the engine is down nothing syncs the pod: no container statuses, no phase beyond Pending
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> node.get(pod),
                p -> p.getStatus() == null || p.getStatus().getContainerStatuses() == null
                        || p.getStatus().getContainerStatuses().isEmpty());

        long appeared = System.nanoTime();
        relay = UnixSocketRelay.start(socket, UnixSocketRelay.dockerSocket());
        await().atMost(Duration.ofSeconds(30)).until(node::readyCondition,
                c -> c != null && "True".equals(c.getStatus()) && "KubeletReady".equals(c.getReason()));
        long ready = System.nanoTime();
        node.awaitPhase(pod, "Running");
        long running = System.nanoTime();
        assertThat(new ContainerRuntimeHealthIndicator(node.runtime(), "unix://" + socket).health().getStatus())
                .isEqualTo(Status.UP);

        // the engine going away later: NotReady with the same reason, Ready again when it is back
        long vanished = System.nanoTime();
        relay.close();
        NodeCondition gone = await().atMost(Duration.ofSeconds(20)).until(node::readyCondition,
                c -> c != null && "False".equals(c.getStatus()));
        long wentNotReady = System.nanoTime();
        assertThat(gone.getReason()).isEqualTo("KubeletNotReady");
        assertThat(gone.getMessage()).startsWith(reason);
        relay = UnixSocketRelay.start(socket, UnixSocketRelay.dockerSocket());
        await().atMost(Duration.ofSeconds(30)).until(node::readyCondition,
                c -> c != null && "True".equals(c.getStatus()));
        assertThat(node.get(pod).getStatus().getPhase()).isEqualTo("Running");
        System.out.printf("engine appeared -> node Ready %d ms, -> waiting pod Running %d ms; engine gone -> node"
                + " NotReady %d ms (retry-max 1s, check-period 1s, status-update-frequency 1s)%n",
                (ready - appeared) / 1_000_000, (running - appeared) / 1_000_000, (wentNotReady - vanished) / 1_000_000);
    }
}
