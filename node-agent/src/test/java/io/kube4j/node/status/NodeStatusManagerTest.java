package io.kube4j.node.status;

import static io.kube4j.node.testsupport.NodeTestSupport.properties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Taint;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.util.FakeClock;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.testsupport.NodeTestSupport;

class NodeStatusManagerTest {

    private final KubeClient client = KubeClient.create(ClientConfig.of("http://127.0.0.1:9"));
    private final FakeClock clock = new FakeClock();
    private final AtomicReference<NodePressure> pressure = new AtomicReference<>(NodePressure.NONE);

    @AfterEach
    void close() {
        client.close();
    }

    private NodeStatusManager manager(NodeAgentProperties p) {
        HollowRuntime rt = new HollowRuntime("n1", "10.0.0.7", p.podCidr(), Duration.ZERO, clock, null);
        return new NodeStatusManager(NodeTestSupport.context("n1", "10.0.0.7", p, client, rt, null, clock,
                Path.of("/tmp/n1")), 10250, pressure::get,
                new HostFacts("mid", "uuid", "boot", new CgroupLimits(OptionalLong.empty(), OptionalLong.empty())));
    }

    private static NodeCondition cond(NodeStatus s, String type) {
        return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    @Test
    void statusCarriesCapacityAddressesEndpointsAndNodeInfo() {
        NodeStatusManager m = manager(properties());
        HollowRuntime rt = new HollowRuntime("n1", "10.0.0.7", "10.1.0.0/24", Duration.ZERO, clock, null);
        NodeStatus s = m.buildStatus(null, new NodeStatusManager.Observation(rt.info(), null, NodePressure.NONE),
                clock.now());
        assertThat(s.getCapacity().get("cpu").toString()).isEqualTo("4");
        assertThat(s.getAddresses()).extracting(a -> a.getType() + "=" + a.getAddress())
                .containsExactly("InternalIP=10.0.0.7", "Hostname=n1");
        assertThat(s.getDaemonEndpoints().getKubeletEndpoint().getPort()).isEqualTo(10250);
        assertThat(s.getNodeInfo().getKubeletVersion()).startsWith("v1.31.0-kube4j");
        assertThat(s.getNodeInfo().getContainerRuntimeVersion()).isEqualTo("hollow://" + HollowRuntime.VERSION);
        assertThat(s.getNodeInfo().getMachineID()).isEqualTo("mid");
        assertThat(s.getNodeInfo().getBootID()).isEqualTo("boot");
        assertThat(s.getNodeInfo().getArchitecture()).isEqualTo("amd64");
        assertThat(cond(s, "Ready").getStatus()).isEqualTo("True");
        assertThat(cond(s, "Ready").getReason()).isEqualTo("KubeletReady");
        assertThat(cond(s, "Ready").getMessage()).isEqualTo("kubelet is posting ready status");
        assertThat(cond(s, "MemoryPressure").getStatus()).isEqualTo("False");
    }

    @Test
    void transitionTimesMoveOnlyWhenAConditionChanges() {
        NodeStatusManager m = manager(properties());
        HollowRuntime rt = new HollowRuntime("n1", "10.0.0.7", "10.1.0.0/24", Duration.ZERO, clock, null);
        NodeStatus first = m.buildStatus(null, new NodeStatusManager.Observation(rt.info(), null, NodePressure.NONE),
                clock.now());
        String t0 = cond(first, "Ready").getLastTransitionTime();

        clock.advance(Duration.ofSeconds(10));
        NodeStatus same = m.buildStatus(first, new NodeStatusManager.Observation(rt.info(), null, NodePressure.NONE),
                clock.now());
        assertThat(cond(same, "Ready").getLastTransitionTime()).isEqualTo(t0);
        assertThat(cond(same, "Ready").getLastHeartbeatTime()).isNotEqualTo(t0);
        assertThat(NodeStatusManager.sameIgnoringHeartbeats(first, same)).isTrue();

        clock.advance(Duration.ofSeconds(10));
        NodeStatus pressured = m.buildStatus(same, new NodeStatusManager.Observation(rt.info(), null,
                new NodePressure(true, false, false)), clock.now());
        assertThat(cond(pressured, "MemoryPressure").getStatus()).isEqualTo("True");
        assertThat(cond(pressured, "MemoryPressure").getReason()).isEqualTo("KubeletHasInsufficientMemory");
        assertThat(cond(pressured, "MemoryPressure").getLastTransitionTime()).isNotEqualTo(t0);
        assertThat(cond(pressured, "Ready").getLastTransitionTime()).isEqualTo(t0);
        assertThat(NodeStatusManager.sameIgnoringHeartbeats(same, pressured)).isFalse();

        NodeStatus down = m.buildStatus(pressured, new NodeStatusManager.Observation(null,
                "container runtime is down: boom", NodePressure.NONE), clock.now());
        assertThat(cond(down, "Ready").getStatus()).isEqualTo("False");
        assertThat(cond(down, "Ready").getReason()).isEqualTo("KubeletNotReady");
        assertThat(cond(down, "Ready").getMessage()).contains("boom");
        assertThat(down.getCapacity()).isEqualTo(pressured.getCapacity());
    }

    @Test
    void reconcilingOwnedLabelsAndTaintsKeepsEveryoneElses() {
        NodeStatusManager m = manager(properties("labels.team=a", "taints[0]=dedicated=x:NoSchedule"));
        m.start(); // parses taints; registration retries in the background against a dead port
        try {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("foreign", "kept");
            labels.put("old-owned", "gone");
            Node existing = new NodeBuilder().withNewMetadata().withName("n1").withLabels(labels)
                    .withAnnotations(Map.of(NodeStatusManager.OWNED_LABELS_ANNOTATION, "old-owned,team",
                            NodeStatusManager.OWNED_TAINTS_ANNOTATION, "stale:NoExecute"))
                    .endMetadata().withNewSpec()
                    .withTaints(new Taint("NoSchedule", "other", null, "v"), new Taint("NoExecute", "stale", null, null),
                            new Taint("NoSchedule", "dedicated", null, "old"))
                    .endSpec().build();
            m.reconcileOwned(existing, null);
            assertThat(existing.getMetadata().getLabels()).containsEntry("foreign", "kept")
                    .containsEntry("team", "a").containsEntry("kubernetes.io/hostname", "n1")
                    .doesNotContainKey("old-owned");
            assertThat(existing.getSpec().getTaints()).extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                    .containsExactlyInAnyOrder("other=v:NoSchedule", "dedicated=x:NoSchedule");
            assertThat(existing.getSpec().getPodCIDR()).isEqualTo("10.244.1.0/24");
            assertThat(existing.getSpec().getPodCIDRs()).isEqualTo(List.of("10.244.1.0/24"));
            assertThat(existing.getMetadata().getAnnotations().get(NodeStatusManager.OWNED_TAINTS_ANNOTATION))
                    .isEqualTo("dedicated:NoSchedule");
        } finally {
            m.stop();
        }
    }

    @Test
    void invalidTaintsFailAtStart() {
        NodeStatusManager m = manager(properties("taints[0]=oops"));
        assertThatThrownBy(m::start).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid taint");
    }

    @Test
    void archNames() {
        assertThat(NodeStatusManager.arch(new HollowRuntime("n", "1.1.1.1", "10.0.0.0/24", Duration.ZERO, clock,
                null).info())).isEqualTo("amd64");
        assertThat(NodeAddresses.detectInternalIp()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    }
}
