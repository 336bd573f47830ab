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

import org.junit.jupiter.api.Test;

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

/** 1,000 hollow nodes in one JVM register and keep their Leases fresh through one shared client. */
class HollowFleetIT {

    private static final int NODES = 1000;
    private static final Duration RENEW = Duration.ofSeconds(10);

    @Test
    void aThousandHollowNodesRegisterAndKeepTheirLeasesFresh() {
        Requirements.requireBinary("etcd");
        String prefix = "hf-" + UUID.randomUUID().toString().substring(0, 6) + "-";
        NodeAgentProperties p = properties("hollow.name-prefix=" + prefix, "lease.renew-interval=" + RENEW.toSeconds() + "s",
                "lease.duration=40s", "status-update-frequency=10s");
        try (KubeClient client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
             HollowFleet fleet = new HollowFleet(client, p, NODES, HollowRuntime.Resources.DEFAULT,
                     new SimpleMeterRegistry(), HollowFleet.statusAndLease())) {
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

                // every node's Lease exists and was renewed within 2x the renew interval ...
                Map<String, Instant> first = await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> leases(client, prefix), m -> m.size() == NODES);
                Instant listedAt = Instant.now();
                assertThat(first.values()).allSatisfy(t -> assertThat(t).isAfter(listedAt.minus(RENEW.multipliedBy(2))));
                // ... and each is renewed again: the second listing sees every renewTime advance
                await().atMost(RENEW.multipliedBy(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                    Map<String, Instant> second = leases(client, prefix);
                    List<String> stale = first.entrySet().stream()
                            .filter(e -> !second.getOrDefault(e.getKey(), Instant.EPOCH).isAfter(e.getValue()))
                            .map(Map.Entry::getKey).limit(5).toList();
                    assertThat(stale).as("leases not renewed since the first listing").isEmpty();
                });
            } finally {
                fleet.close();
                cleanup(client, prefix);
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
