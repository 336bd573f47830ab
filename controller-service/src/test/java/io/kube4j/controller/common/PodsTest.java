package io.kube4j.controller.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PodsTest {

    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    /** A running, ready, assigned pod created an hour ago, ready for 50 minutes; tweaks make the variants. */
    static Pod pod(String uid, UnaryOperator<PodBuilder> tweak) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(uid).withNamespace("ns").withUid(uid)
                .withCreationTimestamp(NOW.minus(Duration.ofHours(1)).toString()).endMetadata()
                .withNewSpec().withNodeName("n1").endSpec()
                .withNewStatus().withPhase("Running").withConditions(ready(NOW.minus(Duration.ofMinutes(50))))
                .endStatus();
        return tweak.apply(b).build();
    }

    static io.fabric8.kubernetes.api.model.PodCondition ready(Instant since) {
        return new PodConditionBuilder().withType("Ready").withStatus("True")
                .withLastTransitionTime(since.toString()).build();
    }

    static io.fabric8.kubernetes.api.model.PodCondition notReady() {
        return new PodConditionBuilder().withType("Ready").withStatus("False").build();
    }

    static Stream<Arguments> deletedFirst() {
        return Stream.of(
                Arguments.of("unassigned before assigned",
                        pod("a", b -> b.editSpec().withNodeName(null).endSpec()), 0, pod("b", b -> b), 0),
                Arguments.of("pending before unknown",
                        pod("a", b -> b.editStatus().withPhase("Pending").endStatus()), 0,
                        pod("b", b -> b.editStatus().withPhase("Unknown").endStatus()), 0),
                Arguments.of("unknown before running",
                        pod("a", b -> b.editStatus().withPhase("Unknown").endStatus()), 0, pod("b", b -> b), 0),
                Arguments.of("not ready before ready",
                        pod("a", b -> b.editStatus().withConditions(notReady()).endStatus()), 0,
                        pod("b", b -> b), 0),
                Arguments.of("lower deletion cost first (beats co-location)",
                        pod("a", b -> b.editMetadata().withAnnotations(
                                Map.of(Pods.DELETION_COST_ANNOTATION, "-5")).endMetadata()), 0,
                        pod("b", b -> b), 3),
                Arguments.of("more co-located related pods first",
                        pod("a", b -> b), 3, pod("b", b -> b), 1),
                Arguments.of("ready for a shorter time first",
                        pod("a", b -> b.editStatus().withConditions(ready(NOW.minus(Duration.ofSeconds(30))))
                                .endStatus()), 0, pod("b", b -> b), 0),
                Arguments.of("more restarts first",
                        pod("a", b -> b.editStatus().withContainerStatuses(
                                new ContainerStatusBuilder().withName("c").withRestartCount(3).build()).endStatus()), 0,
                        pod("b", b -> b.editStatus().withContainerStatuses(
                                new ContainerStatusBuilder().withName("c").withRestartCount(1).build()).endStatus()), 0),
                Arguments.of("newer first",
                        pod("a", b -> b.editMetadata().withCreationTimestamp(
                                NOW.minus(Duration.ofMinutes(2)).toString()).endMetadata()), 0, pod("b", b -> b), 0),
                Arguments.of("ages within one power of two tie, then uid decides",
                        pod("a", b -> b.editMetadata().withCreationTimestamp(
                                NOW.minus(Duration.ofSeconds(40)).toString()).endMetadata()), 0,
                        pod("b", b -> b.editMetadata().withCreationTimestamp(
                                NOW.minus(Duration.ofSeconds(50)).toString()).endMetadata()), 0),
                Arguments.of("no creation time first",
                        pod("z", b -> b.editMetadata().withCreationTimestamp(null).endMetadata()), 0,
                        pod("b", b -> b), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deletedFirst")
    void deletionOrder(String rule, Pod first, int firstRank, Pod second, int secondRank) {
        Pods.Ranked a = new Pods.Ranked(first, firstRank);
        Pods.Ranked b = new Pods.Ranked(second, secondRank);
        assertThat(Pods.deletionOrder(NOW).compare(a, b)).as(rule).isNegative();
        assertThat(Pods.deletionOrder(NOW).compare(b, a)).as(rule).isPositive();
        List<Pods.Ranked> list = new ArrayList<>(List.of(b, a));
        Collections.shuffle(list);
        list.sort(Pods.deletionOrder(NOW));
        assertThat(list.get(0).pod()).isSameAs(first);
    }

    /**
     * A bulk of pods as a rollout leaves them: ready times at second resolution (many exactly equal, others within
     * one power of two of each other), a few restarts. The order must be a total order: TimSort rejects anything
     * else ("Comparison method violates its general contract!"), which Kubernetes' uid tie-break on the spot was.
     */
    @Test
    void deletionOrderIsATotalOrderOnBulkPods() {
        java.util.Random random = new java.util.Random(42);
        List<Pods.Ranked> pods = new ArrayList<>();
        for (int n = 0; n < 1500; n++) {
            Instant readySince = NOW.minusSeconds(20 + random.nextInt(30));
            int restarts = random.nextInt(3);
            pods.add(new Pods.Ranked(pod(java.util.UUID.randomUUID().toString(), b -> b.editMetadata()
                    .withCreationTimestamp(readySince.minusSeconds(random.nextInt(3)).toString()).endMetadata()
                    .editStatus().withConditions(ready(readySince)).withContainerStatuses(new ContainerStatusBuilder()
                            .withName("c").withRestartCount(restarts).build()).endStatus()), random.nextInt(2)));
        }
        var order = Pods.deletionOrder(NOW);
        for (int n = 0; n < 20_000; n++) {
            Pods.Ranked a = pods.get(random.nextInt(pods.size()));
            Pods.Ranked b = pods.get(random.nextInt(pods.size()));
            Pods.Ranked c = pods.get(random.nextInt(pods.size()));
            assertThat(Integer.signum(order.compare(a, b))).isEqualTo(-Integer.signum(order.compare(b, a)));
            if (order.compare(a, b) < 0 && order.compare(b, c) < 0) {
                assertThat(order.compare(a, c)).isNegative();
            }
        }
        for (int round = 0; round < 5; round++) {
            Collections.shuffle(pods, random);
            pods.sort(order);
        }
    }

    @Test
    void equalPodsCompareEqual() {
        assertThat(Pods.deletionOrder(NOW).compare(new Pods.Ranked(pod("a", b -> b), 1),
                new Pods.Ranked(pod("a", b -> b), 1))).isZero();
    }

    @Test
    void availabilityWaitsForMinReadySeconds() {
        Pod readyFor30s = pod("a", b -> b.editStatus().withConditions(ready(NOW.minusSeconds(30))).endStatus());
        assertThat(Pods.isAvailable(readyFor30s, 0, NOW)).isTrue();
        assertThat(Pods.isAvailable(readyFor30s, 10, NOW)).isTrue();
        assertThat(Pods.isAvailable(readyFor30s, 30, NOW)).isFalse(); // strictly after, as Kubernetes
        assertThat(Pods.isAvailable(readyFor30s, 60, NOW)).isFalse();
        Pod notReady = pod("b", b -> b.editStatus().withConditions(notReady()).endStatus());
        assertThat(Pods.isReady(notReady)).isFalse();
        assertThat(Pods.isAvailable(notReady, 0, NOW)).isFalse();
    }

    @Test
    void activeMeansNotFinishedAndNotTerminating() {
        assertThat(Pods.isActive(pod("a", b -> b))).isTrue();
        assertThat(Pods.isActive(pod("a", b -> b.editStatus().withPhase("Succeeded").endStatus()))).isFalse();
        assertThat(Pods.isActive(pod("a", b -> b.editStatus().withPhase("Failed").endStatus()))).isFalse();
        assertThat(Pods.isActive(pod("a", b -> b.editMetadata().withDeletionTimestamp(NOW.toString())
                .endMetadata()))).isFalse();
    }

    @Test
    void invalidDeletionCostIsZero() {
        assertThat(Pods.deletionCost(pod("a", b -> b.editMetadata().withAnnotations(
                Map.of(Pods.DELETION_COST_ANNOTATION, "lots")).endMetadata()))).isZero();
    }
}
