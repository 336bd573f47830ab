package io.kube4j.node.testsupport;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

import io.kube4j.client.KubeClient;
import io.kube4j.client.util.Clock;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.hollow.HollowFleetApplication;
import io.kube4j.node.runtime.ContainerRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Builds node-agent properties (with all their defaults) and contexts for tests. */
public final class NodeTestSupport {

    private NodeTestSupport() {
    }

    /** {@link NodeAgentProperties} from {@code key=value} pairs relative to {@code kube4j.node.}. */
    public static NodeAgentProperties properties(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (String kv : keyValues) {
            int eq = kv.indexOf('=');
            m.put("kube4j.node." + kv.substring(0, eq), kv.substring(eq + 1));
        }
        return HollowFleetApplication.bind(m);
    }

    public static NodeContext context(String name, String ip, NodeAgentProperties p, KubeClient client,
                                      ContainerRuntime runtime, ScheduledExecutorService scheduler, Clock clock,
                                      Path root) {
        return new NodeContext(name, ip, p, client, runtime, scheduler, null, new SimpleMeterRegistry(), clock, root);
    }
}
