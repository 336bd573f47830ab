package io.kube4j.scheduler.cache;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.client.util.FakeClock;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Snapshot;
import org.junit.jupiter.api.Test;

class SchedulerCacheTest {

    private final FakeClock clock = new FakeClock();
    private final SchedulerCache cache = new SchedulerCache(clock, Duration.ofSeconds(30));

    private static Pod on(String name, String node, String cpu) {
        return pod(name, "cpu", cpu).editSpec().withNodeName(node).endSpec().build();
    }

    @Test
    void podsCountOnTheirNodes() {
        cache.addNode(node("n1"));
        cache.addPod(on("a", "n1", "1"));
        cache.addPod(on("b", "n1", "500m"));
        assertThat(cache.nodeInfo("n1").requested().milliCpu()).isEqualTo(1500);
        cache.removePod(on("a", "n1", "1"));
        assertThat(cache.nodeInfo("n1").requested().milliCpu()).isEqualTo(500);
        assertThat(cache.nodeInfo("n1").pods()).hasSize(1);
    }

    @Test
    void anAssumedPodCountsUntilForgotten() {
        cache.addNode(node("n1"));
        Pod a = on("a", "n1", "1");
        cache.assumePod(a);
        assertThat(cache.isAssumed(a)).isTrue();
        assertThat(cache.nodeInfo("n1").requested().milliCpu()).isEqualTo(1000);
        cache.forgetPod(a);
        assertThat(cache.nodeInfo("n1").requested().milliCpu()).isZero();
        assertThat(cache.contains(a)).isFalse();
    }

    @Test
    void theInformerConfirmsAnAssumedPod() {
        cache.addNode(node("n1"));
        Pod a = on("a", "n1", "1");
        cache.assumePod(a);
        cache.finishBinding(a);
        cache.addPod(a);
        assertThat(cache.isAssumed(a)).isFalse();
        assertThat(cache.nodeInfo("n1").pods()).hasSize(1);
        // Confirmed pods do not expire, and forgetting a confirmed pod does nothing.
        clock.advance(Duration.ofMinutes(5));
        assertThat(cache.cleanupExpiredAssumedPods()).isEmpty();
        cache.forgetPod(a);
        assertThat(cache.nodeInfo("n1").pods()).hasSize(1);
    }

    @Test
    void anAssumedPodTheInformerNeverConfirmsExpiresAfterItsBindingFinished() {
        cache.addNode(node("n1"));
        Pod a = on("a", "n1", "1");
        cache.assumePod(a);
        clock.advance(Duration.ofMinutes(5));
        assertThat(cache.cleanupExpiredAssumedPods()).as("binding still running").isEmpty();
        cache.finishBinding(a);
        clock.advance(Duration.ofSeconds(29));
        assertThat(cache.cleanupExpiredAssumedPods()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.cleanupExpiredAssumedPods()).containsExactly(a);
        assertThat(cache.nodeInfo("n1").pods()).isEmpty();
    }

    @Test
    void aPodBoundElsewhereThanAssumedMoves() {
        cache.addNode(node("n1"));
        cache.addNode(node("n2"));
        cache.assumePod(on("a", "n1", "1"));
        cache.addPod(on("a", "n2", "1"));
        assertThat(cache.nodeInfo("n1").pods()).isEmpty();
        assertThat(cache.nodeInfo("n2").pods()).hasSize(1);
    }

    @Test
    void snapshotsCopyOnlyChangedNodesAndFollowRemovals() {
        cache.addNode(node("n1"));
        cache.addNode(node("n2"));
        Snapshot snap = new Snapshot();
        cache.updateSnapshot(snap);
        assertThat(snap.nodes()).extracting(NodeInfo::name).containsExactly("n1", "n2");
        NodeInfo n1Before = snap.get("n1");
        NodeInfo n2Before = snap.get("n2");

        cache.addPod(on("a", "n2", "1"));
        cache.updateSnapshot(snap);
        assertThat(snap.get("n1")).isSameAs(n1Before);
        assertThat(snap.get("n2")).isNotSameAs(n2Before);
        assertThat(snap.get("n2").requested().milliCpu()).isEqualTo(1000);
        assertThat(n2Before.requested().milliCpu()).as("old copies are never changed").isZero();

        cache.removeNode(node("n1"));
        cache.removeNode(node("n2"));
        cache.updateSnapshot(snap);
        assertThat(snap.nodes()).isEmpty();
        assertThat(snap.get("n1")).isNull();
        // n2 lingers without a Node while its pod is known; the node coming back finds the pod.
        cache.addNode(node("n2"));
        cache.updateSnapshot(snap);
        assertThat(snap.nodes()).extracting(NodeInfo::name).containsExactly("n2");
        assertThat(snap.get("n2").pods()).hasSize(1);
    }

    @Test
    void podsMayArriveBeforeTheirNode() {
        cache.addPod(on("a", "late", "1"));
        Snapshot snap = new Snapshot();
        cache.updateSnapshot(snap);
        assertThat(snap.nodes()).isEmpty();
        cache.addNode(node("late"));
        cache.updateSnapshot(snap);
        assertThat(snap.get("late").requested().milliCpu()).isEqualTo(1000);
    }

    @Test
    void aSecondSnapshotIsBroughtUpToDateToo() {
        cache.addNode(node("n1"));
        cache.addNode(node("n2"));
        Snapshot first = new Snapshot();
        Snapshot second = new Snapshot();
        cache.updateSnapshot(first);
        cache.updateSnapshot(second);
        cache.addPod(on("a", "n1", "1"));
        cache.updateSnapshot(first);
        cache.addPod(on("b", "n2", "1"));
        cache.updateSnapshot(second);
        cache.updateSnapshot(first);
        for (Snapshot s : new Snapshot[] {first, second}) {
            assertThat(s.nodes()).extracting(n -> n.requested().milliCpu()).containsExactly(1000L, 1000L);
            assertThat(s.get("n1").pods()).hasSize(1);
        }
    }
}
