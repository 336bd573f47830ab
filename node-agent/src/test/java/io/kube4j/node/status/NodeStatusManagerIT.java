package io.kube4j.node.status;

import static io.kube4j.node.testsupport.NodeTestSupport.properties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.util.Clock;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.testsupport.NodeTestSupport;

/** A NodeStatusManager and NodeLeaseRenewer against a real apiserver on a real etcd. */
class NodeStatusManagerIT {

    private static KubeClient client;
    private static ScheduledExecutorService scheduler;

    @BeforeAll
    static void start() {
        Requirements.requireBinary("etcd");
        client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        scheduler = Executors.newScheduledThreadPool(1);
    }

    @AfterAll
    static void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (client != null) {
            client.close();
        }
    }

    private NodeContext context(String name, NodeAgentProperties p) {
        // a loopback InternalIP: the apiserver's metrics scraper calls Ready nodes that advertise a node API port, and
        // test traffic stays on this machine
        HollowRuntime rt = new HollowRuntime(name, "127.0.0.1", p.podCidr(), Duration.ZERO, Clock.system(),
                new HollowRuntime.Resources(8, 32L << 30, 200L << 30));
        return NodeTestSupport.context(name, "127.0.0.1", p, client, rt, scheduler, Clock.system(),
                Path.of("/tmp", name));
    }

    private static NodeCondition condition(Node n, String type) {
        return n.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    @Test
    void registersTheNodeAndRenewsItsLease() throws Exception {
        String name = "nsm-" + UUID.randomUUID().toString().substring(0, 8);
        NodeAgentProperties p = properties("labels.team=blue", "taints[0]=dedicated=infra:NoSchedule",
                "pod-cidr=10.77.3.0/24", "lease.renew-interval=1s", "lease.duration=4s",
                "status-update-frequency=1s", "reserved.cpu=1", "reserved.memory=1Gi");
        NodeContext ctx = context(name, p);
        NodeStatusManager status = new NodeStatusManager(ctx, 10250, () -> NodePressure.NONE, HostFacts.hollow(name));
        NodeLeaseRenewer lease = new NodeLeaseRenewer(ctx, status::currentNode);
        status.start();
        lease.start();
        try {
            Node registered = status.registered().get(30, TimeUnit.SECONDS);
            Node n = client.resources(Node.class).get(null, name).block(Duration.ofSeconds(10));
            assertThat(n.getMetadata().getUid()).isEqualTo(registered.getMetadata().getUid());
            assertThat(n.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", name)
                    .containsEntry("kubernetes.io/os", "linux").containsEntry("kubernetes.io/arch", "amd64")
                    .containsEntry("team", "blue");
            assertThat(n.getSpec().getTaints()).extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                    .containsExactly("dedicated=infra:NoSchedule");
            assertThat(n.getSpec().getPodCIDR()).isEqualTo("10.77.3.0/24");
            assertThat(n.getStatus().getCapacity().get("cpu").toString()).isEqualTo("8");
            assertThat(n.getStatus().getCapacity().get("memory").toString()).isEqualTo((32L << 20) + "Ki");
            assertThat(n.getStatus().getAllocatable().get("cpu").toString()).isEqualTo("7");
            assertThat(n.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort()).isEqualTo(10250);
            assertThat(n.getStatus().getAddresses()).extracting(a -> a.getType() + "=" + a.getAddress())
                    .contains("InternalIP=127.0.0.1", "Hostname=" + name);
            assertThat(condition(n, "Ready").getStatus()).isEqualTo("True");
            assertThat(condition(n, "Ready").getReason()).isEqualTo("KubeletReady");
            assertThat(condition(n, "MemoryPressure").getStatus()).isEqualTo("False");
            assertThat(n.getStatus().getNodeInfo().getKubeletVersion()).startsWith("v1.31.0-kube4j");

            Lease first = await().atMost(Duration.ofSeconds(20)).until(
                    () -> client.resources(Lease.class).get(NodeLeaseRenewer.NAMESPACE, name).onErrorResume(e -> reactor.core.publisher.Mono.empty()).block(Duration.ofSeconds(5)),
                    l -> l != null && l.getSpec().getRenewTime() != null);
            assertThat(first.getSpec().getHolderIdentity()).isEqualTo(name);
            assertThat(first.getSpec().getLeaseDurationSeconds()).isEqualTo(4);
            Instant t0 = first.getSpec().getRenewTime().toInstant();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Lease l = client.resources(Lease.class).get(NodeLeaseRenewer.NAMESPACE, name).block(Duration.ofSeconds(5));
                assertThat(l.getSpec().getRenewTime().toInstant()).isAfter(t0);
                assertThat(l.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
                    assertThat(o.getKind()).isEqualTo("Node");
                    assertThat(o.getApiVersion()).isEqualTo("v1");
                    assertThat(o.getName()).isEqualTo(name);
                    assertThat(o.getUid()).isEqualTo(registered.getMetadata().getUid());
                });
            });
            assertThat(lease.lastRenewal()).isAfterOrEqualTo(t0);
        } finally {
            lease.stop();
            status.stop();
        }
    }

    /**
     * The node lifecycle controller set Ready Unknown while the agent's heartbeats did not arrive (a partition); the
     * agent's own status has not changed since its last write, yet it must put Ready back at its next status update,
     * not only when the report interval (5 min) has passed.
     */
    @Test
    void aReadyConditionChangedByAnotherWriterIsPutBackAtTheNextUpdate() throws Exception {
        String name = "nsm-" + UUID.randomUUID().toString().substring(0, 8);
        NodeAgentProperties p = properties("status-update-frequency=1s", "lease.renew-interval=1s");
        NodeStatusManager status = new NodeStatusManager(context(name, p), 10250, () -> NodePressure.NONE,
                HostFacts.hollow(name));
        status.start();
        try {
            status.registered().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> "True".equals(condition(
                    client.resources(Node.class).get(null, name).block(Duration.ofSeconds(5)), "Ready").getStatus()));
            client.resources(Node.class).updateWithRetry(null, name, n -> {
                NodeCondition ready = condition(n, "Ready");
                ready.setStatus("Unknown");
                ready.setReason("NodeStatusUnknown");
                ready.setMessage("Kubelet stopped posting node status.");
                return n;
            }, true).block(Duration.ofSeconds(10));
            await("Ready put back by the agent").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .until(() -> condition(client.resources(Node.class).get(null, name).block(Duration.ofSeconds(5)),
                            "Ready"), c -> "True".equals(c.getStatus()) && "KubeletReady".equals(c.getReason()));
        } finally {
            status.stop();
        }
    }

    @Test
    void restartKeepsTheNodeAndItsForeignLabels() throws Exception {
        String name = "nsm-" + UUID.randomUUID().toString().substring(0, 8);
        NodeAgentProperties p1 = properties("labels.team=blue", "labels.retired=yes", "taints[0]=a=1:NoSchedule");
        NodeStatusManager first = new NodeStatusManager(context(name, p1), 10250, null, HostFacts.hollow(name));
        first.start();
        Node n1 = first.registered().get(30, TimeUnit.SECONDS);
        first.stop();

        // an admin labels and taints the node while the agent is down
        client.resources(Node.class).updateWithRetry(null, name, n -> {
            Map<String, String> l = new HashMap<>(n.getMetadata().getLabels());
            l.put("admin", "set");
            n.getMetadata().setLabels(l);
            n.getSpec().getTaints().add(new io.fabric8.kubernetes.api.model.Taint("NoExecute", "maint", null, null));
            return n;
        }, false).block(Duration.ofSeconds(10));

        NodeAgentProperties p2 = properties("labels.team=green", "taints[0]=a=2:NoSchedule");
        NodeStatusManager second = new NodeStatusManager(context(name, p2), 10250, null, HostFacts.hollow(name));
        second.start();
        try {
            Node n2 = second.registered().get(30, TimeUnit.SECONDS);
            assertThat(n2.getMetadata().getUid()).isEqualTo(n1.getMetadata().getUid());
            Node stored = client.resources(Node.class).get(null, name).block(Duration.ofSeconds(10));
            assertThat(stored.getMetadata().getLabels()).containsEntry("admin", "set").containsEntry("team", "green")
                    .doesNotContainKey("retired");
            assertThat(stored.getSpec().getTaints()).extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                    .containsExactlyInAnyOrder("maint=null:NoExecute", "a=2:NoSchedule");
            assertThat(condition(stored, "Ready").getStatus()).isEqualTo("True");
        } finally {
            second.stop();
        }
    }
}
