package io.kube4j.client.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kube4j.api.selector.LabelSelector;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IndexerTest {

    private static Pod pod(String ns, String name, String rv, String node, String ownerUid, Map<String, String> labels) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withResourceVersion(rv)
                .withLabels(labels).endMetadata().withNewSpec().withNodeName(node).endSpec();
        if (ownerUid != null) {
            b.editMetadata().addNewOwnerReference().withUid(ownerUid).withName("rs").withKind("ReplicaSet")
                    .withApiVersion("apps/v1").endOwnerReference().endMetadata();
        }
        return b.build();
    }

    private static List<String> names(List<? extends HasMetadata> l) {
        return l.stream().map(o -> o.getMetadata().getName()).sorted().toList();
    }

    @Test
    void indexesByNamespaceNodeAndOwner() {
        Indexer<Pod> ix = new Indexer<>(Indexers.all());
        ix.add(pod("a", "p1", "1", "n1", "u1", Map.of()));
        ix.add(pod("a", "p2", "2", "n2", "u1", Map.of()));
        ix.add(pod("b", "p3", "3", null, null, Map.of()));

        assertThat(names(ix.byIndex(Indexers.NAMESPACE, "a"))).containsExactly("p1", "p2");
        assertThat(names(ix.byIndex(Indexers.NODE_NAME, "n1"))).containsExactly("p1");
        assertThat(names(ix.byIndex(Indexers.OWNER_UID, "u1"))).containsExactly("p1", "p2");
        assertThat(ix.keys()).containsExactlyInAnyOrder("a/p1", "a/p2", "b/p3");
        assertThat(ix.get("b/p3").getMetadata().getName()).isEqualTo("p3");
        assertThatThrownBy(() -> ix.byIndex("nope", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void updateMovesTheObjectBetweenIndexValuesAndDeleteUnindexes() {
        Indexer<Pod> ix = new Indexer<>(Indexers.all());
        ix.add(pod("a", "p1", "1", "n1", null, Map.of()));
        Pod old = ix.update(pod("a", "p1", "2", "n2", null, Map.of()));

        assertThat(old.getMetadata().getResourceVersion()).isEqualTo("1");
        assertThat(ix.byIndex(Indexers.NODE_NAME, "n1")).isEmpty();
        assertThat(names(ix.byIndex(Indexers.NODE_NAME, "n2"))).containsExactly("p1");

        assertThat(ix.delete(pod("a", "p1", "3", null, null, Map.of()))).isNotNull();
        assertThat(ix.byIndex(Indexers.NODE_NAME, "n2")).isEmpty();
        assertThat(ix.list()).isEmpty();
    }

    @Test
    void replaceReportsAddedUpdatedAndDeleted() {
        Indexer<Pod> ix = new Indexer<>(Indexers.all());
        ix.add(pod("a", "same", "1", "n1", null, Map.of()));
        ix.add(pod("a", "changed", "2", "n1", null, Map.of()));
        ix.add(pod("a", "gone", "3", "n1", null, Map.of()));

        Indexer.Diff<Pod> diff = ix.replace(List.of(
                pod("a", "same", "1", "n1", null, Map.of()),
                pod("a", "changed", "7", "n2", null, Map.of()),
                pod("a", "new", "8", "n1", null, Map.of())), "9");

        assertThat(names(diff.added())).containsExactly("new");
        assertThat(diff.updated()).singleElement().satisfies(u -> {
            assertThat(u.oldObj().getMetadata().getResourceVersion()).isEqualTo("2");
            assertThat(u.newObj().getMetadata().getResourceVersion()).isEqualTo("7");
        });
        assertThat(names(diff.deleted())).containsExactly("gone");
        assertThat(ix.resourceVersion()).isEqualTo("9");
        assertThat(names(ix.byIndex(Indexers.NODE_NAME, "n1"))).containsExactly("new", "same");
        assertThat(names(ix.byIndex(Indexers.NODE_NAME, "n2"))).containsExactly("changed");
    }

    @Test
    void listerReadsByNamespaceNameAndLabels() {
        Indexer<Pod> ix = new Indexer<>(Indexers.defaults());
        ix.add(pod("a", "web-1", "1", null, null, Map.of("app", "web")));
        ix.add(pod("a", "db-1", "2", null, null, Map.of("app", "db")));
        ix.add(pod("b", "web-2", "3", null, null, Map.of("app", "web", "tier", "front")));
        Lister<Pod> lister = new Lister<>(ix);

        assertThat(lister.get("a", "db-1")).isNotNull();
        assertThat(lister.get("b", "db-1")).isNull();
        assertThat(names(lister.list("a"))).containsExactly("db-1", "web-1");
        assertThat(names(lister.list((String) null))).hasSize(3);
        assertThat(names(lister.list(LabelSelector.parse("app=web")))).containsExactly("web-1", "web-2");
        assertThat(names(lister.list("b", LabelSelector.parse("app in (web),tier")))).containsExactly("web-2");
    }

    @Test
    void clusterScopedObjectsAreKeyedByName() {
        assertThat(Indexer.keyOf(pod(null, "n", "1", null, null, null))).isEqualTo("n");
        assertThat(Indexer.key(null, "n")).isEqualTo("n");
        assertThat(Indexer.key("ns", "n")).isEqualTo("ns/n");
    }
}
