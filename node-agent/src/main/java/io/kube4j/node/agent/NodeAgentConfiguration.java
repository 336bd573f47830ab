package io.kube4j.node.agent;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.fabric8.kubernetes.api.model.Event;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.util.Clock;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.config.PodLifecycleProperties;
import io.kube4j.node.runtime.ContainerRuntime;
import io.kube4j.node.runtime.InstrumentedRuntime;
import io.kube4j.node.runtime.docker.ClusterCidrForwarding;
import io.kube4j.node.runtime.docker.DockerRuntime;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.status.NodeAddresses;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires one node agent from {@code kube4j.node.*} and {@code kube4j.client.*} (the apiserver: {@code server} or
 * {@code kubeconfig}; in-cluster otherwise). The agent starts with the context and stops with it; its pods keep
 * running in Docker.
 */
@Configuration(proxyBeanMethods = false)
public class NodeAgentConfiguration {

    @Bean(destroyMethod = "close")
    KubeClient kubeClient(Environment env) {
        Map<String, String> props = new HashMap<>(Binder.get(env)
                .bind("kube4j.client", org.springframework.boot.context.properties.bind.Bindable.mapOf(String.class,
                        String.class)).orElse(Map.of()));
        return KubeClient.create(ClientConfig.fromProperties(props));
    }

    @Bean(destroyMethod = "close")
    ContainerRuntime containerRuntime(NodeAgentProperties props, MeterRegistry meters) {
        ContainerRuntime raw = switch (props.runtime()) {
            case "docker" -> {
                boolean clusterCidrSet = props.clusterCidr() != null && !props.clusterCidr().isBlank();
                String clusterCidr = clusterCidrSet
                        ? ClusterCidrForwarding.validate(props.clusterCidr(), props.podCidr()) : null;
                DockerRuntime docker = new DockerRuntime(props.nodeName(), props.docker(), props.podCidr(),
                        props.rootPath().resolve("containers"));
                // the runtime is the network plugin: pods of the other nodes on this host must be reachable (Docker
                // makes its chains when it starts: redone after each connect)
                Runnable forwarding = clusterCidr == null ? null
                        : () -> ClusterCidrForwarding.ensureForEngine(props.docker().host(), clusterCidr);
                // an engine that does not answer is waited for: the node registers NotReady with the reason
                yield docker.connection(forwarding, Clock.system());
            }
            case "hollow" -> new HollowRuntime(props.nodeName(), NodeAddresses.detectInternalIp(), props.podCidr(),
                    props.hollow().startDelay(), Clock.system(), HollowRuntime.Resources.DEFAULT);
            default -> throw new IllegalArgumentException("kube4j.node.runtime must be docker or hollow, not \""
                    + props.runtime() + "\"");
        };
        return new InstrumentedRuntime(raw, meters);
    }

    @Bean
    ContainerRuntimeHealthIndicator containerRuntimeHealthIndicator(ContainerRuntime runtime,
                                                                    NodeAgentProperties props) {
        return new ContainerRuntimeHealthIndicator(runtime, props.runtime().equals("docker")
                ? props.docker().host() : props.runtime());
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService nodeScheduler() {
        return Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "node-agent-timer");
            t.setDaemon(true);
            return t;
        });
    }

    @Bean(destroyMethod = "close")
    EventRecorder eventRecorder(KubeClient client, NodeAgentProperties props) {
        return new EventRecorder(client.resources(Event.class), "kubelet", props.nodeName());
    }

    @Bean
    NodeContext nodeContext(NodeAgentProperties props, KubeClient client, ContainerRuntime runtime,
                            ScheduledExecutorService scheduler, EventRecorder events, MeterRegistry meters) {
        return new NodeContext(props.nodeName(), NodeAddresses.detectInternalIp(), props, client, runtime, scheduler,
                events, meters, Clock.system(), props.rootPath());
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    NodeAgent nodeAgent(NodeContext ctx, PodLifecycleProperties lifecycle) {
        return new NodeAgent(ctx, lifecycle, null, true);
    }
}
