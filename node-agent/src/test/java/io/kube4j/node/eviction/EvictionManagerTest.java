package io.kube4j.node.eviction;

import static io.kube4j.node.testsupport.NodeTestSupport.properties;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.client.util.FakeClock;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.pod.ActivePods;
import io.kube4j.node.runtime.ContainerRuntime;
import io.kube4j.node.runtime.ContainerStats;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.testsupport.NodeTestSupport;

class EvictionManagerTest {

    private static final long MI = 1L << 20;

    /** Signals a test sets. */
    static final class FakeSignals implements NodeSignals {
        volatile Observation next = new Observation(16_000 * MI, 8_000 * MI, 100_000 * MI, 50_000 * MI, 32768, 500);

        @Override
        public Observation observe() {
            return next;
        }

        void memoryAvailable(long bytes) {
            next = new Observation(next.memoryCapacityBytes(), bytes, next.nodefsCapacityBytes(),
                    next.nodefsAvailableBytes(), next.pidMax(), next.pidsInUse());
        }
    }

    /** Active pods a test sets; records evictions and drops evicted pods, as the pod workers would. */
    static final class FakePods implements ActivePods {
        final Map<String, Pod> pods = new LinkedHashMap<>();
        final List<String> evicted = new ArrayList<>();
        final List<String> messages = new ArrayList<>();

        @Override
        public List<Pod> activePods() {
            return new ArrayList<>(pods.values());
        }

        @Override
        public Pod pod(String podUid) {
            return pods.get(podUid);
        }

        @Override
        public void evict(String podUid, String message) {
            evicted.add(podUid);
            messages.add(message);
            pods.remove(podUid);
        }
    }

    private final FakeSignals signals = new FakeSignals();
    private final FakePods pods = new FakePods();
    /** Working set per pod UID, reported through one running container per pod. */
    private final Map<String, Long> usage = new HashMap<>();

    private ContainerRuntime statsRuntime() {
        return (ContainerRuntime) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ContainerRuntime.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "listContainers" -> usage.keySet().stream().map(uid -> new ContainerStatus("c-" + uid, uid,
                            "p", "ns", "app", 0, "s", ContainerStatus.State.RUNNING, Instant.EPOCH, Instant.EPOCH,
                            null, 0, null, null, "img", "id", "h", Map.of())).toList();
                    case "stats" -> {
                        String uid = ((String) args[0]).substring(2);
                        yield Optional.of(new ContainerStats(Instant.EPOCH, 0, usage.get(uid), usage.get(uid),
                                usage.get(uid), -1));
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private EvictionManager manager(NodeAgentProperties p) {
        NodeContext ctx = NodeTestSupport.context("n1", "10.0.0.1", p, null, statsRuntime(), null, new FakeClock(),
                Path.of("/tmp"));
        return new EvictionManager(ctx, pods, signals);
    }

    private void pod(String uid, Integer priority, String memoryRequest, long workingSet) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName("pod-" + uid).withNamespace("ns").withUid(uid)
                .endMetadata().withNewSpec().withPriority(priority).addNewContainer().withName("app")
                .withImage("img").withNewResources().endResources().endContainer().endSpec();
        Pod p = b.build();
        if (memoryRequest != null) {
            p.getSpec().getContainers().get(0).getResources().setRequests(Map.of("memory", new Quantity(memoryRequest)));
        }
        pods.pods.put(uid, p);
        usage.put(uid, workingSet);
    }

    @Test
    void noPressureNoEviction() {
        pod("a", 0, null, 500 * MI);
        EvictionManager m = manager(properties());
        assertThat(m.synchronize()).isEmpty();
        assertThat(m.pressure().memory()).isFalse();
        assertThat(pods.evicted).isEmpty();
    }

    @Test
    void underMemoryPressureEvictsOnePodPerPassInKubeletOrder() {
        pod("guaranteed-within-request", 0, "1Gi", 900 * MI);     // uses less than requested
        pod("burstable-over-request-high-prio", 1000, "100Mi", 600 * MI);
        pod("burstable-over-request-low-prio", 0, "100Mi", 300 * MI);
        pod("besteffort-small", 0, null, 50 * MI);                // no request: over it by 50Mi
        pod("besteffort-big", 0, null, 400 * MI);
        EvictionManager m = manager(properties("eviction.memory-available=100MB"));
        signals.memoryAvailable(50 * MI);

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            m.synchronize().ifPresent(order::add);
            assertThat(m.pressure().memory()).isTrue();
        }
        // over request first; then lowest priority; then largest usage above request
        assertThat(order).containsExactly("besteffort-big", "burstable-over-request-low-prio", "besteffort-small",
                "burstable-over-request-high-prio", "guaranteed-within-request");
        assertThat(pods.messages.get(0)).startsWith("The node was low on resource: memory.")
                .contains("Threshold quantity: 100Mi, available: 50Mi");
    }

    @Test
    void pressureEndsWhenMemoryIsBack() {
        pod("a", 0, null, 10 * MI);
        EvictionManager m = manager(properties());
        signals.memoryAvailable(10 * MI);
        assertThat(m.synchronize()).contains("a");
        signals.memoryAvailable(2000 * MI);
        assertThat(m.synchronize()).isEmpty();
        assertThat(m.pressure().memory()).isFalse();
    }

    @Test
    void disabledReportsPressureButNeverEvicts() {
        pod("a", 0, null, 10 * MI);
        EvictionManager m = manager(properties("eviction.enabled=false"));
        signals.memoryAvailable(1);
        assertThat(m.synchronize()).isEmpty();
        assertThat(m.pressure().memory()).isTrue();
        assertThat(pods.evicted).isEmpty();
    }

    @Test
    void diskAndPidPressureFromSignals() {
        EvictionManager m = manager(properties("eviction.nodefs-available-percent=10"));
        signals.next = new NodeSignals.Observation(16_000 * MI, 8_000 * MI, 1000 * MI, 99 * MI, 1000, 960);
        m.synchronize();
        assertThat(m.pressure().disk()).isTrue();
        assertThat(m.pressure().pid()).isTrue();
        signals.next = new NodeSignals.Observation(-1, -1, -1, -1, -1, -1); // unknown: no pressure
        m.synchronize();
        assertThat(m.pressure()).isEqualTo(io.kube4j.node.status.NodePressure.NONE);
    }
}
