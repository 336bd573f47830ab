package io.kube4j.proxy.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class ProcessCommandRunnerTest {

    private final ProcessCommandRunner runner = new ProcessCommandRunner();

    @Test
    void passesInputAndCollectsOutputAndExitCode() {
        CommandRunner.Result r = runner.run(List.of("sh", "-c", "cat; echo oops >&2; exit 3"),
                "hello\n".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("hello\n");
        assertThat(r.stderr()).isEqualTo("oops\n");
        assertThatThrownBy(r::orThrow).isInstanceOf(CommandRunner.CommandException.class)
                .hasMessageContaining("exited 3").hasMessageContaining("oops");
    }

    @Test
    void theTimeoutBoundsAProcessThatDoesNotReadItsInput() {
        // 16 MiB is far more than a pipe buffers: writing it blocks until the process reads, which sleep never does
        byte[] input = new byte[16 << 20];
        assertThatThrownBy(() -> runner.run(List.of("sleep", "30"), input, Duration.ofMillis(500)))
                .isInstanceOf(CommandRunner.CommandException.class).hasMessageContaining("did not finish within");
    }

    @Test
    void aMissingCommandIsNamed() {
        assertThat(runner.available("kube4j-no-such-command")).isFalse();
        assertThat(runner.available("sh")).isTrue();
        assertThatThrownBy(() -> runner.run("kube4j-no-such-command"))
                .isInstanceOf(CommandRunner.CommandException.class).hasMessageContaining("is not installed");
    }
}
