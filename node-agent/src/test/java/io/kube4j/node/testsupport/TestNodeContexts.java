package io.kube4j.node.testsupport;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

import io.kube4j.client.KubeClient;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.util.Clock;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.ContainerRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** NodeContexts for unit and integration tests: default properties, whatever parts a test needs (others null). */
public final class TestNodeContexts {

    private TestNodeContexts() {
    }

    /**
     * {@code kube4j.node.*} bound from these values over the defaults. The default of
     * {@code eviction.memory-available} ("100Mi") is not a Spring DataSize, so "100MB" (the same amount) is bound
     * unless given.
     */
    public static NodeAgentProperties properties(Map<String, String> values) {
        Map<String, String> m = new HashMap<>();
        m.put("kube4j.node.eviction.memory-available", "100MB");
        values.forEach((k, v) -> m.put("kube4j.node." + k, v));
        return new Binder(new MapConfigurationPropertySource(m)).bindOrCreate("kube4j.node", NodeAgentProperties.class);
    }

    public static NodeContext of(Path rootDir, KubeClient client, ContainerRuntime runtime,
                                 ScheduledExecutorService scheduler, EventRecorder events, MeterRegistry meters) {
        return new NodeContext("test-node", "192.0.2.10", properties(Map.of("name", "test-node")), client, runtime,
                scheduler, events, meters == null ? new SimpleMeterRegistry() : meters, Clock.system(), rootDir);
    }
}
