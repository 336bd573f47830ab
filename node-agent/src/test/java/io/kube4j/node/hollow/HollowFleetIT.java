package io.kube4j.node.hollow;

import static io.kube4j.node.testsupport.NodeTestSupport.properties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kube4j.node.config.PodLifecycleProperties;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.status.NodeLeaseRenewer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;

/**
 * 1,000 hollow nodes in one JVM — full node agents on the hollow runtime, each with its own Node, Lease and pod
 * informer, through one shared client — register, keep their Leases fresh, and run the pods bound to them.
 */
class HollowFleetIT {

    private static final int NODES = 1000;
    private static final Duration RENEW = Duration.ofSeconds(10);

    @Test
    void aThousandHollowNodesRegisterAndKeepTheirLeasesFresh() {
        Requirements.requireBinary("etcd");
        String prefix = "hf-" + UUID.randomUUID().toString().substring(0, 6) + "-";
        NodeAgentProperties p = properties("hollow.name-prefix=" + prefix, "lease.renew-interval=" + RENEW.toSeconds() + "s",
                "lease.duration=40s", "status-update-frequency=10s");
        // one long-lived watch per node: the shared pool needs more than the default 500 connections
        String oldMax = System.setProperty("kube4j.client.max-connections", "2000");
        ExecutorService podWorkers = Executors.newFixedThreadPool(8);
        try (KubeClient client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
             HollowFleet fleet = new HollowFleet(client, p, NODES, HollowRuntime.Resources.DEFAULT,
                     new SimpleMeterRegistry(), HollowFleet.fullAgents(PodLifecycleProperties.defaults(), podWorkers))) {
            fleet.start();
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> nodes(client, prefix).size() == NODES);
                Map<String, Node> nodes = nodes(client, prefix);
                assertThat(nodes.get(prefix + "7").getSpec().getPodCIDR()).isEqualTo("10.64.7.0/24");
                assertThat(nodes.get(prefix + "300").getSpec().getPodCIDR()).isEqualTo("10.65.44.0/24");
                assertThat(nodes.values()).allSatisfy(n -> {
                    assertThat(n.getStatus().getCapacity().get("cpu").toString()).isEqualTo("4");
                    assertThat(n.getStatus().getConditions()).anySatisfy(c -> {
                        assertThat(c.getType()).isEqualTo("Ready");
                        assertThat(c.getStatus()).isEqualTo("True");
                    });
                });

                // every node's Lease exists and is fresh: renewed within the lease duration (40 s), the age at which
                // the node lifecycle controller would call the node unreachable (the first renewals land while
                // 1,000 pod informers are still listing, so this is the bound, not the renew interval) ...
                Map<String, Instant> first = await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> leases(client, prefix), m -> m.size() == NODES);
                Instant listedAt = Instant.now();
                assertThat(first.values()).allSatisfy(t -> assertThat(t).isAfter(listedAt.minus(Duration.ofSeconds(40))));
                // ... and each keeps being renewed: within 2x the renew interval every renewTime advances
                await().atMost(RENEW.multipliedBy(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                    Map<String, Instant> second = leases(client, prefix);
                    List<String> stale = first.entrySet().stream()
                            .filter(e -> !second.getOrDefault(e.getKey(), Instant.EPOCH).isAfter(e.getValue()))
                            .map(Map.Entry::getKey).limit(5).toList();
                    assertThat(stale).as("leases not renewed since the first listing").isEmpty();
                });

                // pods bound to hollow nodes run there, with IPs from their node's range
                String ns = "default";
                for (int i : new int[] {7, 300, 999}) {
                    Pod pod = new PodBuilder().withNewMetadata().withName(prefix + "pod-" + i).withNamespace(ns)
                            .endMetadata().withNewSpec().withNodeName(prefix + i).addNewContainer().withName("c")
                            .withImage("hollow/anything:1").endContainer().endSpec().build();
                    client.resources(Pod.class).create(pod).block(Duration.ofSeconds(10));
                }
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    Pod running = client.resources(Pod.class).get(ns, prefix + "pod-300").block(Duration.ofSeconds(10));
                    assertThat(running.getStatus().getPhase()).isEqualTo("Running");
                    assertThat(running.getStatus().getPodIP()).startsWith("10.65.44.");
                    for (int i : new int[] {7, 999}) {
                        assertThat(client.resources(Pod.class).get(ns, prefix + "pod-" + i).block(Duration.ofSeconds(10))
                                .getStatus().getPhase()).isEqualTo("Running");
                    }
                });
                // a graceful delete is finished by the hollow node's agent
                client.resources(Pod.class).delete(ns, prefix + "pod-7", DeleteOptions.defaults()).block();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() ->
                        client.resources(Pod.class).list(ns, ListOptions.all()).block(Duration.ofSeconds(10)).getItems()
                                .stream().noneMatch(x -> x.getMetadata().getName().equals(prefix + "pod-7")));
            } finally {
                fleet.close();
                for (int i : new int[] {300, 999}) {
                    client.resources(Pod.class).delete("default", prefix + "pod-" + i, DeleteOptions.now())
                            .onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(Duration.ofSeconds(10));
                }
                cleanup(client, prefix);
            }
        } finally {
            podWorkers.shutdownNow();
            if (oldMax == null) {
                System.clearProperty("kube4j.client.max-connections");
            } else {
                System.setProperty("kube4j.client.max-connections", oldMax);
            }
        }
    }

    private static Map<String, Node> nodes(KubeClient client, String prefix) {
        return client.resources(Node.class).list(null, ListOptions.all()).block(Duration.ofSeconds(30)).getItems()
                .stream().filter(n -> n.getMetadata().getName().startsWith(prefix))
                .collect(Collectors.toMap(n -> n.getMetadata().getName(), n -> n));
    }

    private static Map<String, Instant> leases(KubeClient client, String prefix) {
        Map<String, Instant> out = new HashMap<>();
        client.resources(Lease.class).list(NodeLeaseRenewer.NAMESPACE, ListOptions.all()).block(Duration.ofSeconds(30))
                .getItems().stream().filter(l -> l.getMetadata().getName().startsWith(prefix)
                        && l.getSpec().getRenewTime() != null)
                .forEach(l -> out.put(l.getMetadata().getName(), l.getSpec().getRenewTime().toInstant()));
        return out;
    }

    private static void cleanup(KubeClient client, String prefix) {
        List<String> names = client.resources(Node.class).list(null, ListOptions.all()).block(Duration.ofSeconds(30))
                .getItems().stream().map(n -> n.getMetadata().getName()).filter(n -> n.startsWith(prefix)).toList();
        Flux.fromIterable(names).flatMap(n -> client.resources(Lease.class)
                        .delete(NodeLeaseRenewer.NAMESPACE, n, DeleteOptions.defaults()).onErrorResume(e -> reactor.core.publisher.Mono.empty())
                        .then(client.resources(Node.class).delete(null, n, DeleteOptions.defaults()))
                        .onErrorResume(e -> reactor.core.publisher.Mono.empty()), 32)
                .blockLast(Duration.ofSeconds(60));
    }
}
