package io.kube4j.node.runtime;

import java.nio.charset.StandardCharsets;

/** The outcome of {@link ContainerRuntime#execSync}: exit code (-1 when timed out) and captured output. */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr, boolean timedOut) {

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }
}
