package io.kube4j.scheduler.plugins.imagelocality;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ImageLocality, with the cases of kube-scheduler's image_locality_test.go. */
class ImageLocalityTest {

    private static final long MB = 1024L * 1024;

    static Pod withImages(String... images) {
        Pod p = pod("p").build();
        List<Container> cs = new ArrayList<>();
        for (int i = 0; i < images.length; i++) {
            cs.add(new ContainerBuilder().withName("c" + i).withImage(images[i]).build());
        }
        p.getSpec().setContainers(cs);
        return p;
    }

    static ContainerImage image(long sizeMb, String... names) {
        ContainerImage i = new ContainerImage();
        i.setNames(List.of(names));
        i.setSizeBytes(sizeMb * MB);
        return i;
    }

    static Node withNodeImages(String name, ContainerImage... images) {
        Node n = node(name, "4", "8Gi").build();
        n.getStatus().setImages(new ArrayList<>(List.of(images)));
        return n;
    }

    static Node node403002000(String name) {
        return withNodeImages(name, image(40, "gcr.io/40:latest", "gcr.io/40:v1"),
                image(300, "gcr.io/300:latest", "gcr.io/300:v1"), image(2000, "gcr.io/2000:latest"));
    }

    static Node node25010(String name) {
        return withNodeImages(name, image(250, "gcr.io/250:latest"), image(10, "gcr.io/10:latest", "gcr.io/10:v1"));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // node1: gcr.io/40 40MB * 1/2 = 20MB < 23MB -> 0. node2: gcr.io/250 250MB * 1/2 = 125MB
                // -> 100 * (125 - 23) / (2000 - 23) = 5.
                Arguments.of("two images spread on two nodes, prefer the larger image one",
                        withImages("gcr.io/40", "gcr.io/250"), List.of(node403002000("m1"), node25010("m2")),
                        List.of(0L, 5L)),
                // node1: (40 + 300) * 1/2 = 170MB -> 100 * (170 - 23) / 1977 = 7.
                Arguments.of("two images on one node, prefer this node", withImages("gcr.io/40", "gcr.io/300"),
                        List.of(node403002000("m1"), node25010("m2")), List.of(7L, 0L)),
                // node1: 2000MB * 1/2 = 1000MB of two containers' 2000MB -> 100 * 977 / 1977 = 49; node2: 5MB -> 0.
                Arguments.of("if exceed limit, use limit", withImages("gcr.io/2000", "gcr.io/10"),
                        List.of(node403002000("m1"), node25010("m2")), List.of(49L, 0L)),
                Arguments.of("one container over the limit", withImages("gcr.io/2000"),
                        List.of(node403002000("m1"), node403002000("m2")), List.of(100L, 100L)),
                // The image is on 1 of 3 nodes: 300MB / 3 = 100MB -> 100 * (100 - 23) / 977 = 7.
                Arguments.of("spread over three nodes", withImages("gcr.io/300:v1"),
                        List.of(node403002000("m1"), node25010("m2"), node25010("m3")), List.of(7L, 0L, 0L)),
                Arguments.of("a tag other than latest must match", withImages("gcr.io/300:v2"),
                        List.of(node403002000("m1"), node25010("m2")), List.of(0L, 0L)),
                Arguments.of("no images on nodes", withImages("gcr.io/40"),
                        List.of(node("m1", "4", "8Gi").build()), List.of(0L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void score(String name, Pod pod, List<Node> nodes, List<Long> expected) {
        List<NodeInfo> infos = nodes.stream().map(NodeInfo::of).toList();
        CycleState state = new CycleState();
        state.setSnapshot(Snapshot.of(infos));
        ImageLocality plugin = new ImageLocality();
        plugin.preScore(state, pod, infos);
        assertThat(infos.stream().map(n -> plugin.score(state, pod, n)).toList()).isEqualTo(expected);
    }

    @Test
    void normalizedImageName() {
        assertThat(ImageLocality.normalizedImageName("nginx")).isEqualTo("nginx:latest");
        assertThat(ImageLocality.normalizedImageName("registry:5000/nginx")).isEqualTo("registry:5000/nginx:latest");
        assertThat(ImageLocality.normalizedImageName("registry:5000/nginx:1.2")).isEqualTo("registry:5000/nginx:1.2");
    }

    @Test
    void imageCountsFollowTheSnapshot() {
        NodeInfo m1 = NodeInfo.of(node403002000("m1"));
        NodeInfo m2 = NodeInfo.of(node25010("m2"));
        Snapshot snapshot = Snapshot.of(new ArrayList<>(List.of(m1, m2)));
        ImageLocality plugin = new ImageLocality();
        Pod pod = withImages("gcr.io/300");
        CycleState state = new CycleState();
        state.setSnapshot(snapshot);
        plugin.preScore(state, pod, List.of(m1, m2));
        // gcr.io/300 (:latest) is on m1 only: 300MB / 2 = 150MB -> 100 * (150 - 23) / 977 = 12.
        assertThat(plugin.score(state, pod, m1)).isEqualTo(12);
        // The image appears on m2 too: spread 2/2, 300MB -> 100 * (300 - 23) / 977 = 28 on both nodes.
        NodeInfo m2b = NodeInfo.of(node403002000("m2"));
        m2b.setGeneration(7);
        snapshot.replace(m2b);
        snapshot.setGeneration(7);
        CycleState next = new CycleState();
        next.setSnapshot(snapshot);
        plugin.preScore(next, pod, List.of(m1, m2b));
        assertThat(plugin.score(next, pod, m1)).isEqualTo(28);
        assertThat(plugin.score(next, pod, m2b)).isEqualTo(28);
    }
}
