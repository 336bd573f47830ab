package io.kube4j.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import io.kube4j.client.util.Clock;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.EngineConnection;
import io.kube4j.node.runtime.docker.DockerRuntime;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class ContainerRuntimeHealthIndicatorTest {

    @TempDir
    Path tmp;

    @Test
    void downWithTheNodesReasonWhileTheEngineDoesNotAnswer() {
        String host = "unix://" + tmp.resolve("docker.sock");
        var cfg = new NodeAgentProperties.Docker(host, "", "kube4j/pause:3.10", "/bin/busybox", "",
                Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(5));
        try (EngineConnection c = new DockerRuntime("n1", cfg, "10.244.1.0/24").connection(null, Clock.system())) {
            Health h = new ContainerRuntimeHealthIndicator(c, host).health();
            assertThat(h.getStatus()).isEqualTo(Status.DOWN);
            assertThat(h.getDetails()).containsEntry("engine", host).containsKey("since");
            assertThat((String) h.getDetails().get("reason"))
                    .startsWith("container runtime is down: Docker engine at " + host + " does not answer")
                    .endsWith("(start dockerd or install docker.io)");
        }
    }

    @Test
    void upForARuntimeThatCannotBeDown() {
        var hollow = new HollowRuntime("n1", "10.0.0.1", "10.244.1.0/24", Duration.ZERO, Clock.system(),
                HollowRuntime.Resources.DEFAULT);
        assertThat(new ContainerRuntimeHealthIndicator(hollow, "hollow").health().getStatus()).isEqualTo(Status.UP);
    }
}
