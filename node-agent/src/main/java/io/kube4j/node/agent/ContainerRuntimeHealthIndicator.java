package io.kube4j.node.agent;

import io.kube4j.node.runtime.ContainerRuntime;
import io.kube4j.node.runtime.RuntimeHealth;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code /actuator/health} component {@code containerRuntime}: DOWN with the reason (the one the Node's Ready
 * condition carries) while the engine does not answer, UP otherwise. The agent process stays up and keeps its Node
 * and Lease fresh meanwhile, so the liveness group ({@code /actuator/health/liveness}) stays UP.
 */
public class ContainerRuntimeHealthIndicator implements HealthIndicator {

    private final ContainerRuntime runtime;
    private final String engine;

    /** @param engine the engine's address (shown in the details) */
    public ContainerRuntimeHealthIndicator(ContainerRuntime runtime, String engine) {
        this.runtime = runtime;
        this.engine = engine;
    }

    @Override
    public Health health() {
        RuntimeHealth h = runtime.health();
        Health.Builder b = h.up() ? Health.up() : Health.down().withDetail("reason", "container runtime is down: "
                + h.error());
        b.withDetail("engine", engine);
        if (h.since() != null) {
            b.withDetail("since", h.since().toString());
        }
        return b.build();
    }
}
