package io.kube4j.controller.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.kube4j.client.util.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Heartbeat and grace-period decisions of the node lifecycle controller, on a fake clock. */
class NodeHealthTrackerTest {

    static final Duration GRACE = Duration.ofSeconds(40);
    static final Duration STARTUP = Duration.ofSeconds(60);

    final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    final NodeHealthTracker tracker = new NodeHealthTracker(clock, GRACE, STARTUP);

    static Node node(String readyStatus, String heartbeat) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName("n1").withUid("u1").withResourceVersion("7")
                .withCreationTimestamp("2026-01-01T00:00:00Z").endMetadata().withNewSpec().endSpec();
        if (readyStatus == null) {
            return b.withNewStatus().endStatus().build();
        }
        return b.withNewStatus().addNewCondition().withType("Ready").withStatus(readyStatus).withReason("KubeletReady")
                .withLastHeartbeatTime(heartbeat).withLastTransitionTime("2026-01-01T00:00:00Z").endCondition()
                .addNewCondition().withType("MemoryPressure").withStatus("False").withLastHeartbeatTime(heartbeat)
                .withLastTransitionTime("2026-01-01T00:00:00Z").endCondition().endStatus().build();
    }

    static Lease lease(String renewTime) {
        return new LeaseBuilder().withNewMetadata().withName("n1").withNamespace("kube-node-lease").endMetadata()
                .withNewSpec().withRenewTime(Instant.parse(renewTime).atZone(ZoneOffset.UTC)).endSpec().build();
    }

    /**
     * A node seen once at t0 and then again after {@code silence} with nothing renewed: Unknown only once the silence
     * is longer than the grace period.
     */
    static Stream<Arguments> silences() {
        return Stream.of(
                arguments(Duration.ofSeconds(5), false),
                arguments(Duration.ofSeconds(39), false),
                arguments(Duration.ofSeconds(40), false),
                arguments(Duration.ofSeconds(40).plusMillis(1), true),
                arguments(Duration.ofMinutes(10), true));
    }

    @ParameterizedTest(name = "silent for {0}: unknown={1}")
    @MethodSource("silences")
    void silenceLongerThanTheGracePeriodMakesTheNodeUnknown(Duration silence, boolean unknown) {
        Node n = node("True", "2026-01-01T00:00:00Z");
        assertThat(tracker.evaluate(n, lease("2026-01-01T00:00:00Z")).statusToWrite()).isNull();
        clock.advance(silence);
        NodeHealthTracker.Evaluation ev = tracker.evaluate(n, lease("2026-01-01T00:00:00Z"));
        assertThat(ev.statusToWrite() != null).isEqualTo(unknown);
        assertThat(ev.observedReady().getStatus()).isEqualTo("True");
        assertThat(ev.currentReady().getStatus()).isEqualTo(unknown ? "Unknown" : "True");
    }

    @Test
    void unknownSetsReadyAndPressureConditionsWithKubernetesReasons() {
        Node n = node("True", "2026-01-01T00:00:00Z");
        tracker.evaluate(n, null);
        clock.advance(Duration.ofSeconds(41));
        Node out = tracker.evaluate(n, null).statusToWrite();
        assertThat(out.getMetadata().getResourceVersion()).as("written with the cached resourceVersion: CAS").isEqualTo("7");
        NodeCondition ready = NodeHealthTracker.condition(out.getStatus(), "Ready");
        assertThat(ready.getStatus()).isEqualTo("Unknown");
        assertThat(ready.getReason()).isEqualTo("NodeStatusUnknown");
        assertThat(ready.getMessage()).isEqualTo("Kubelet stopped posting node status.");
        assertThat(ready.getLastTransitionTime()).isEqualTo("2026-01-01T00:00:41Z");
        assertThat(ready.getLastHeartbeatTime()).as("the kubelet's heartbeat is kept").isEqualTo("2026-01-01T00:00:00Z");
        assertThat(NodeHealthTracker.condition(out.getStatus(), "MemoryPressure").getReason()).isEqualTo("NodeStatusUnknown");
        NodeCondition disk = NodeHealthTracker.condition(out.getStatus(), "DiskPressure");
        assertThat(disk.getStatus()).isEqualTo("Unknown");
        assertThat(disk.getReason()).isEqualTo("NodeStatusNeverUpdated");
        assertThat(NodeHealthTracker.condition(out.getStatus(), "PIDPressure").getMessage())
                .isEqualTo("Kubelet never posted node status.");
        assertThat(NodeHealthTracker.condition(n.getStatus(), "Ready").getStatus()).as("cached node untouched")
                .isEqualTo("True");
    }

    @Test
    void aRenewedLeaseIsAHeartbeat() {
        Node n = node("True", "2026-01-01T00:00:00Z");
        tracker.evaluate(n, lease("2026-01-01T00:00:00Z"));
        for (int i = 1; i <= 10; i++) {
            clock.advance(Duration.ofSeconds(30));
            assertThat(tracker.evaluate(n, lease("2026-01-01T00:00:" + (10 + i) + "Z")).statusToWrite())
                    .as("renewed at step %d", i).isNull();
        }
        clock.advance(Duration.ofSeconds(41));
        assertThat(tracker.evaluate(n, lease("2026-01-01T00:00:20Z")).statusToWrite()).isNotNull();
    }

    @Test
    void aNewReadyHeartbeatIsAHeartbeat() {
        tracker.evaluate(node("True", "2026-01-01T00:00:00Z"), null);
        clock.advance(Duration.ofSeconds(30));
        assertThat(tracker.evaluate(node("True", "2026-01-01T00:00:30Z"), null).statusToWrite()).isNull();
        clock.advance(Duration.ofSeconds(30));
        assertThat(tracker.evaluate(node("True", "2026-01-01T00:00:30Z"), null).statusToWrite()).isNull();
        clock.advance(Duration.ofSeconds(11));
        assertThat(tracker.evaluate(node("True", "2026-01-01T00:00:30Z"), null).statusToWrite()).isNotNull();
    }

    @Test
    void theKubeletsClockDoesNotMatterOnlyChangesDo() {
        // a kubelet whose clock is an hour behind, renewing: healthy
        tracker.evaluate(node("True", "2025-12-31T23:00:00Z"), lease("2025-12-31T23:00:00Z"));
        clock.advance(Duration.ofSeconds(30));
        assertThat(tracker.evaluate(node("True", "2025-12-31T23:00:00Z"), lease("2025-12-31T23:00:10Z"))
                .statusToWrite()).isNull();
        // a kubelet whose clock is an hour ahead, silent: unknown after the grace period
        NodeHealthTracker other = new NodeHealthTracker(clock, GRACE, STARTUP);
        Node ahead = node("True", "2026-01-01T02:00:00Z");
        other.evaluate(ahead, lease("2026-01-01T02:00:00Z"));
        clock.advance(Duration.ofSeconds(41));
        assertThat(other.evaluate(ahead, lease("2026-01-01T02:00:00Z")).statusToWrite()).isNotNull();
    }

    @Test
    void aNodeThatNeverPostedStatusGetsTheStartupGracePeriodFromItsCreation() {
        Node n = node(null, null);
        clock.advance(Duration.ofSeconds(59));
        NodeHealthTracker.Evaluation ev = tracker.evaluate(n, null);
        assertThat(ev.statusToWrite()).isNull();
        assertThat(ev.gracePeriod()).isEqualTo(STARTUP);
        assertThat(ev.currentReady()).isNull();
        clock.advance(Duration.ofSeconds(2));
        ev = tracker.evaluate(n, null);
        NodeCondition ready = NodeHealthTracker.condition(ev.statusToWrite().getStatus(), "Ready");
        assertThat(ready.getReason()).isEqualTo("NodeStatusNeverUpdated");
        assertThat(ready.getLastHeartbeatTime()).isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void anAlreadyUnknownNodeIsNotWrittenAgain() {
        Node n = node("True", "2026-01-01T00:00:00Z");
        tracker.evaluate(n, null);
        clock.advance(Duration.ofSeconds(41));
        Node unknown = tracker.evaluate(n, null).statusToWrite();
        tracker.written(unknown, null);
        clock.advance(Duration.ofSeconds(5));
        NodeHealthTracker.Evaluation ev = tracker.evaluate(unknown, null);
        assertThat(ev.statusToWrite()).isNull();
        assertThat(ev.observedReady().getStatus()).isEqualTo("Unknown");
        assertThat(ev.currentReady().getStatus()).isEqualTo("Unknown");
    }

    @Test
    void aKubeletThatComesBackIsTrueAgain() {
        Node n = node("True", "2026-01-01T00:00:00Z");
        tracker.evaluate(n, null);
        clock.advance(Duration.ofSeconds(41));
        Node unknown = tracker.evaluate(n, null).statusToWrite();
        tracker.written(unknown, null);
        clock.advance(Duration.ofSeconds(60));
        Node back = node("True", "2026-01-01T00:01:40Z");
        NodeHealthTracker.Evaluation ev = tracker.evaluate(back, lease("2026-01-01T00:01:40Z"));
        assertThat(ev.statusToWrite()).isNull();
        assertThat(ev.currentReady().getStatus()).isEqualTo("True");
    }
}
