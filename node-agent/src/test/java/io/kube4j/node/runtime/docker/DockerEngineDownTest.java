package io.kube4j.node.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import io.kube4j.client.util.Clock;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.EngineConnection;
import io.kube4j.node.runtime.EngineUnavailableException;
import io.kube4j.node.runtime.RuntimeOperationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker-java against a unix socket where nothing listens: the words the node reports, and waiting for it. */
class DockerEngineDownTest {

    @TempDir
    Path tmp;

    private NodeAgentProperties.Docker nowhere() {
        return new NodeAgentProperties.Docker("unix://" + tmp.resolve("docker.sock"), "", "kube4j/pause:3.10",
                "/bin/busybox", "", Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(5));
    }

    @Test
    void aMissingSocketIsAnUnavailableEngineNamingItsAddressAndTheFix() {
        assertThatThrownBy(() -> DockerRuntime.connect("n1", nowhere(), "10.244.1.0/24"))
                .isInstanceOf(EngineUnavailableException.class)
                .hasMessageStartingWith("Docker engine at unix://" + tmp.resolve("docker.sock") + " does not answer: ")
                .hasMessageEndingWith("(start dockerd or install docker.io)");
    }

    @Test
    void theAgentWaitsForIt() throws IOException {
        try (EngineConnection c = new DockerRuntime("n1", nowhere(), "10.244.1.0/24").connection(null,
                Clock.system())) {
            assertThat(c.health().up()).isFalse();
            assertThat(c.health().error()).contains("does not answer").contains(tmp.toString());
            assertThat(c.whenUp()).isNotDone();
            assertThatThrownBy(c::info).isInstanceOf(RuntimeOperationException.class)
                    .hasMessage(c.health().error());
        }
    }

    @Test
    void aSocketThatIsNotReadableNamesThePermissionFix() {
        var e = new RuntimeException("wrapped", new IOException("connect failed: Permission denied"));
        assertThat(DockerRuntime.engineDownMessage("unix:///var/run/docker.sock", e)).isEqualTo(
                "Docker engine at unix:///var/run/docker.sock does not answer: connect failed: Permission denied"
                        + " (run the agent as root or as a member of the docker group)");
    }
}
