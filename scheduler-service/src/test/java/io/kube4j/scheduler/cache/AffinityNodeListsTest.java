package io.kube4j.scheduler.cache;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.kube4j.client.util.FakeClock;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Snapshot;
import org.junit.jupiter.api.Test;

/** NodeInfo's pods-with-affinity lists and the snapshot's lists of nodes having them follow cache changes. */
class AffinityNodeListsTest {

    private final SchedulerCache cache = new SchedulerCache(new FakeClock(), Duration.ofSeconds(30));

    static Pod antiAffinity(String name, String node) {
        return pod(name).editSpec().withNodeName(node).withNewAffinity().withNewPodAntiAffinity()
                .addToRequiredDuringSchedulingIgnoredDuringExecution(new PodAffinityTermBuilder()
                        .withLabelSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "x")).build())
                        .withTopologyKey("kubernetes.io/hostname").build())
                .endPodAntiAffinity().endAffinity().endSpec().build();
    }

    static Pod preferredAffinity(String name, String node) {
        return pod(name).editSpec().withNodeName(node).withNewAffinity().withNewPodAffinity()
                .addToPreferredDuringSchedulingIgnoredDuringExecution(new WeightedPodAffinityTerm(
                        new PodAffinityTermBuilder().withLabelSelector(new LabelSelectorBuilder()
                                .withMatchLabels(Map.of("app", "x")).build()).withTopologyKey("zone").build(), 1))
                .endPodAffinity().endAffinity().endSpec().build();
    }

    static List<String> names(List<NodeInfo> infos) {
        return infos.stream().map(NodeInfo::name).toList();
    }

    @Test
    void listsFollowAddsRemovesAndIncrementalSnapshots() {
        for (String n : List.of("n1", "n2", "n3")) {
            cache.addNode(node(n));
        }
        Snapshot snap = new Snapshot();
        cache.updateSnapshot(snap);
        assertThat(snap.havePodsWithAffinity()).isEmpty();

        cache.addPod(antiAffinity("a", "n2"));
        cache.addPod(preferredAffinity("b", "n3"));
        cache.addPod(pod("plain").editSpec().withNodeName("n1").endSpec().build());
        cache.updateSnapshot(snap);
        assertThat(names(snap.havePodsWithAffinity())).containsExactlyInAnyOrder("n2", "n3");
        assertThat(names(snap.havePodsWithRequiredAntiAffinity())).containsExactly("n2");
        NodeInfo n2 = snap.get("n2");
        assertThat(n2.podsWithRequiredAntiAffinity()).hasSize(1);
        assertThat(n2.podsWithRequiredAntiAffinity().get(0).requiredAntiAffinity().get(0).topologyKey())
                .isEqualTo("kubernetes.io/hostname");
        // The lists hold the snapshot's own (current) node infos.
        assertThat(snap.havePodsWithRequiredAntiAffinity().get(0)).isSameAs(n2);

        cache.removePod(antiAffinity("a", "n2"));
        cache.updateSnapshot(snap);
        assertThat(names(snap.havePodsWithAffinity())).containsExactly("n3");
        assertThat(snap.havePodsWithRequiredAntiAffinity()).isEmpty();
        assertThat(snap.get("n2").podsWithAffinity()).isEmpty();

        // A pod added to a node already listed replaces the listed info with the new copy.
        cache.addPod(antiAffinity("c", "n3"));
        cache.updateSnapshot(snap);
        assertThat(snap.havePodsWithAffinity().get(0)).isSameAs(snap.get("n3"));
        assertThat(snap.get("n3").podsWithAffinity()).hasSize(2);
        assertThat(names(snap.havePodsWithRequiredAntiAffinity())).containsExactly("n3");

        // A node removal rebuilds the lists.
        cache.removeNode(node("n1"));
        cache.updateSnapshot(snap);
        assertThat(names(snap.havePodsWithAffinity())).containsExactly("n3");
    }
}
