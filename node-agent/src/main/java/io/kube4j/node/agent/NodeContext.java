package io.kube4j.node.agent;

import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;

import io.kube4j.client.KubeClient;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.util.Clock;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.ContainerRuntime;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What every part of one node agent shares: its name and address, configuration, the apiserver client, the
 * container runtime, a scheduler for timers (never blocked on the runtime: blocking work goes to pod workers),
 * the event recorder, metrics and the state directory. One JVM running a hollow fleet holds one per node, sharing
 * the client, executor and registry.
 */
public record NodeContext(String nodeName, String nodeIp, NodeAgentProperties properties, KubeClient client,
                          ContainerRuntime runtime, ScheduledExecutorService scheduler, EventRecorder events,
                          MeterRegistry meters, Clock clock, Path rootDir) {
}
