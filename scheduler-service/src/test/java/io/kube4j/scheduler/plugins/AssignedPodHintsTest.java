package io.kube4j.scheduler.plugins;

import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.kube4j.client.util.FakeClock;
import io.kube4j.scheduler.framework.QueuedPodInfo;
import io.kube4j.scheduler.plugins.interpodaffinity.InterPodAffinity;
import io.kube4j.scheduler.plugins.podtopologyspread.PodTopologySpread;
import io.kube4j.scheduler.plugins.queuesort.PrioritySort;
import io.kube4j.scheduler.queue.ClusterEvent;
import io.kube4j.scheduler.queue.SchedulingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AssignedPodHintsTest {

    static Pod withAffinityTo(String app) {
        return pod("parked").editSpec().withNewAffinity().withNewPodAffinity()
                .addToRequiredDuringSchedulingIgnoredDuringExecution(new PodAffinityTermBuilder()
                        .withLabelSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", app)).build())
                        .withTopologyKey("zone").build()).endPodAffinity().endAffinity().endSpec().build();
    }

    static Pod spreading(String app) {
        return pod("parked").editMetadata().withLabels(Map.of("app", app)).endMetadata().editSpec()
                .withTopologySpreadConstraints(new TopologySpreadConstraintBuilder().withMaxSkew(1)
                        .withTopologyKey("zone").withWhenUnsatisfiable("DoNotSchedule")
                        .withLabelSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", app)).build())
                        .build()).endSpec().build();
    }

    static Pod assigned(String app, String ns) {
        return pod("bound").editMetadata().withNamespace(ns).withLabels(Map.of("app", app)).endMetadata()
                .editSpec().withNodeName("n1").endSpec().build();
    }

    static QueuedPodInfo parked(Pod pod, String... plugins) {
        return QueuedPodInfo.of(pod, java.time.Instant.EPOCH).withUnschedulablePlugins(Set.of(plugins));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("affinity-parked, matching pod added", parked(withAffinityTo("db"),
                        InterPodAffinity.NAME), null, assigned("db", "default"), true),
                Arguments.of("affinity-parked, other pod added", parked(withAffinityTo("db"), InterPodAffinity.NAME),
                        null, assigned("web", "default"), false),
                Arguments.of("affinity-parked, matching pod of another namespace",
                        parked(withAffinityTo("db"), InterPodAffinity.NAME), null, assigned("db", "other"), false),
                Arguments.of("affinity-parked, relabelled to match", parked(withAffinityTo("db"),
                        InterPodAffinity.NAME), assigned("web", "default"), assigned("db", "default"), true),
                Arguments.of("affinity-parked, update without label change",
                        parked(withAffinityTo("db"), InterPodAffinity.NAME), assigned("db", "default"),
                        assigned("db", "default"), false),
                Arguments.of("parked by another plugin", parked(withAffinityTo("db"), "NodeResourcesFit"), null,
                        assigned("db", "default"), false),
                Arguments.of("spread-parked, matching pod added", parked(spreading("web"), PodTopologySpread.NAME),
                        null, assigned("web", "default"), true),
                Arguments.of("spread-parked, other pod added", parked(spreading("web"), PodTopologySpread.NAME),
                        null, assigned("db", "default"), false),
                Arguments.of("spread-parked, other namespace", parked(spreading("web"), PodTopologySpread.NAME),
                        null, assigned("web", "other"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mayHelp(String name, QueuedPodInfo parked, Pod old, Pod assigned, boolean expected) {
        assertThat(AssignedPodHints.mayHelp(parked, old, assigned)).isEqualTo(expected);
    }

    @Test
    void onlyPodsTheEventMayHelpLeaveTheUnschedulableQueue() throws Exception {
        FakeClock clock = new FakeClock();
        SchedulingQueue queue = new SchedulingQueue(new PrioritySort(), clock, Duration.ofSeconds(1),
                Duration.ofSeconds(10), Duration.ofSeconds(60));
        queue.add(withAffinityTo("db"));
        queue.add(new PodBuilder(pod("other").build()).build());
        QueuedPodInfo a = queue.pop(Duration.ZERO);
        QueuedPodInfo b = queue.pop(Duration.ZERO);
        long cycle = queue.schedulingCycle();
        QueuedPodInfo affinityParked = a.pod().getMetadata().getName().equals("parked") ? a : b;
        QueuedPodInfo other = affinityParked == a ? b : a;
        queue.addUnschedulable(affinityParked.withUnschedulablePlugins(Set.of(InterPodAffinity.NAME)), cycle);
        queue.addUnschedulable(other.withUnschedulablePlugins(Set.of("NodeResourcesFit")), cycle);
        clock.advance(Duration.ofSeconds(5));
        Pod bound = assigned("db", "default");
        queue.moveToActiveOrBackoff(ClusterEvent.ASSIGNED_POD_ADD, p -> AssignedPodHints.mayHelp(p, null, bound));
        assertThat(queue.whereIs(affinityParked.key())).isEqualTo("active");
        assertThat(queue.whereIs(other.key())).isEqualTo("unschedulable");
    }
}
