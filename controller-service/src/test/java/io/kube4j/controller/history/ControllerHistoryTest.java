package io.kube4j.controller.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.kube4j.api.codec.Codecs;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ListOptions;
import io.kube4j.client.PatchType;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.watch.WatchEvent;
import io.kube4j.controller.common.OwnerReferences;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class ControllerHistoryTest {

    private final Revisions store = new Revisions();
    private final ControllerHistory history = new ControllerHistory(store);
    private final StatefulSet parent = new StatefulSetBuilder().withNewMetadata().withNamespace("ns").withName("web")
            .withUid("uid-web").endMetadata().build();

    private static Map<String, Object> data(String image) {
        return Map.of("spec", Map.of("template", Map.of("spec", Map.of("containers",
                List.of(Map.of("name", "c", "image", image))), "$patch", "replace")));
    }

    private ControllerRevision revision(String image, long number, Integer collisions) {
        return ControllerHistory.newRevision(parent, "apps/v1", "StatefulSet", Map.of("app", "web"), data(image),
                number, collisions);
    }

    @Test
    void aNewRevisionIsNamedByItsHashLabelledAndOwnedByItsParent() {
        ControllerRevision r = revision("a:1", 3, 0);
        String hash = r.getMetadata().getLabels().get(ControllerHistory.HASH_LABEL);
        assertThat(r.getMetadata().getName()).isEqualTo("web-" + hash);
        assertThat(r.getMetadata().getNamespace()).isEqualTo("ns");
        assertThat(r.getMetadata().getLabels()).containsEntry("app", "web");
        assertThat(r.getRevision()).isEqualTo(3L);
        assertThat(OwnerReferences.isControlledBy(r, "uid-web")).isTrue();
        assertThat(OwnerReferences.controllerOf(r).getKind()).isEqualTo("StatefulSet");
        assertThat(ControllerHistory.dataOf(r).path("spec").path("template").path("$patch").asString())
                .isEqualTo("replace");
    }

    @Test
    void theHashDependsOnDataAndCollisionCountOnlyAndSurvivesARoundTrip() {
        ControllerRevision a = revision("a:1", 1, 0);
        ControllerRevision sameDataOtherNumber = revision("a:1", 7, 0);
        assertThat(ControllerHistory.hash(a, 0)).isEqualTo(ControllerHistory.hash(sameDataOtherNumber, 0));
        assertThat(ControllerHistory.hash(a, 0)).isNotEqualTo(ControllerHistory.hash(a, 1));
        assertThat(ControllerHistory.hash(a, 0)).isNotEqualTo(ControllerHistory.hash(revision("a:2", 1, 0), 0));
        ControllerRevision readBack = Codecs.fromJson(Codecs.toJson(a), ControllerRevision.class);
        assertThat(ControllerHistory.hash(readBack, 0)).isEqualTo(ControllerHistory.hash(a, 0));
        assertThat(ControllerHistory.equalRevision(a, readBack)).isTrue();
    }

    @Test
    void equalRevisionsNeedTheSameHashLabelAndData() {
        ControllerRevision a = revision("a:1", 1, 0);
        assertThat(ControllerHistory.equalRevision(a, revision("a:1", 2, 0))).isTrue();
        assertThat(ControllerHistory.equalRevision(a, revision("a:2", 1, 0))).isFalse();
        assertThat(ControllerHistory.equalRevision(a, revision("a:1", 1, 5))).isFalse(); // other hash label
        assertThat(ControllerHistory.equalRevision(a, null)).isFalse();
        // a number read back as another JSON number type is still the same data
        ControllerRevision withInt = ControllerHistory.newRevision(parent, "apps/v1", "StatefulSet", Map.of(),
                Map.of("n", 1), 1, 0);
        ControllerRevision withLong = ControllerHistory.newRevision(parent, "apps/v1", "StatefulSet", Map.of(),
                Map.of("n", 1L), 1, 0);
        assertThat(ControllerHistory.equalRevision(withInt, withLong)).isTrue();
        assertThat(ControllerHistory.findEqual(List.of(a, revision("a:2", 2, 0), revision("a:1", 3, 0)), a))
                .extracting(ControllerRevision::getRevision).containsExactly(1L, 3L);
    }

    @Test
    void revisionsSortByNumberThenCreationThenName() {
        ControllerRevision r1 = revision("a:1", 2, 0);
        ControllerRevision r2 = revision("a:2", 1, 0);
        ControllerRevision r3 = revision("a:3", 2, 0);
        r1.getMetadata().setCreationTimestamp("2026-01-01T00:00:02Z");
        r3.getMetadata().setCreationTimestamp("2026-01-01T00:00:01Z");
        assertThat(ControllerHistory.sorted(List.of(r1, r2, r3))).containsExactly(r2, r3, r1);
        assertThat(ControllerHistory.maxRevision(List.of(r1, r2, r3))).isEqualTo(2);
        assertThat(ControllerHistory.maxRevision(List.of())).isZero();
    }

    @Test
    void createStoresTheRevisionAndReturnsAnEqualExistingOne() {
        ControllerHistory.Created first = history.create(parent, revision("a:1", 1, 0), 0);
        assertThat(first.collisionCount()).isZero();
        assertThat(store.objects).containsKey("ns/" + first.revision().getMetadata().getName());
        ControllerHistory.Created again = history.create(parent, revision("a:1", 1, 0), 0);
        assertThat(again.collisionCount()).isZero();
        assertThat(again.revision().getMetadata().getName()).isEqualTo(first.revision().getMetadata().getName());
        assertThat(store.objects).hasSize(1);
    }

    @Test
    void aNameTakenByOtherDataBumpsTheCollisionCount() {
        ControllerRevision wanted = revision("a:1", 1, 0);
        // another revision squats the name the wanted one hashes to
        ControllerRevision squatter = revision("other", 1, 0);
        squatter.getMetadata().setName(wanted.getMetadata().getName());
        squatter.getMetadata().getLabels().put(ControllerHistory.HASH_LABEL,
                wanted.getMetadata().getLabels().get(ControllerHistory.HASH_LABEL));
        store.create(squatter).block();

        ControllerHistory.Created created = history.create(parent, wanted, 0);
        assertThat(created.collisionCount()).isEqualTo(1);
        assertThat(created.revision().getMetadata().getName()).isNotEqualTo(wanted.getMetadata().getName())
                .isEqualTo("web-" + ControllerHistory.hash(wanted, 1));
        assertThat(created.revision().getMetadata().getLabels().get(ControllerHistory.HASH_LABEL))
                .isEqualTo(ControllerHistory.hash(wanted, 1));
        assertThat(store.objects).hasSize(2);
    }

    @Test
    void updateRevisionRenumbersOnlyWhenNeeded() {
        ControllerRevision stored = history.create(parent, revision("a:1", 1, 0), 0).revision();
        int writes = store.writes;
        assertThat(history.updateRevision(stored, 1)).isSameAs(stored);
        assertThat(store.writes).isEqualTo(writes);
        assertThat(history.updateRevision(stored, 4).getRevision()).isEqualTo(4L);
        assertThat(store.objects.get("ns/" + stored.getMetadata().getName()).getRevision()).isEqualTo(4L);
    }

    @Test
    void orphansMatchingTheSelectorAreAdoptedAndDeletesTolerateAbsence() {
        ControllerRevision orphan = revision("a:1", 1, 0);
        orphan.getMetadata().setOwnerReferences(new ArrayList<>());
        store.create(orphan).block();
        var selector = new LabelSelectorBuilder().addToMatchLabels("app", "web").build();
        assertThat(ControllerHistory.adoptable(orphan, selector)).isTrue();
        assertThat(ControllerHistory.adoptable(orphan,
                new LabelSelectorBuilder().addToMatchLabels("app", "db").build())).isFalse();
        assertThat(ControllerHistory.adoptable(revision("a:2", 1, 0), selector)).isFalse(); // has a controller
        assertThat(ControllerHistory.ownedBy(parent, List.of(orphan))).isEmpty();

        ControllerRevision adopted = history.adopt(parent, "apps/v1", "StatefulSet", orphan);
        assertThat(OwnerReferences.isControlledBy(adopted, "uid-web")).isTrue();
        assertThat(ControllerHistory.ownedBy(parent, List.of(adopted, orphan))).containsExactly(adopted);
        assertThatThrownBy(() -> history.adopt(parent, "apps/v1", "StatefulSet", orphan))
                .isInstanceOf(IllegalStateException.class);

        history.delete(adopted);
        assertThat(store.objects).isEmpty();
        history.delete(adopted); // gone already: no error
    }

    /** ControllerRevisions in a map with AlreadyExists, NotFound and resourceVersion conflicts. */
    static final class Revisions implements ResourceClient<ControllerRevision> {
        final Map<String, ControllerRevision> objects = new ConcurrentHashMap<>();
        int writes;
        private long rv;

        private static ControllerRevision copy(ControllerRevision r) {
            return Codecs.fromJson(Codecs.toJson(r), ControllerRevision.class);
        }

        @Override
        public synchronized Mono<ControllerRevision> get(String namespace, String name) {
            ControllerRevision r = objects.get(namespace + "/" + name);
            return r == null ? Mono.error(ApiStatusException.of(404, null, name + " not found")) : Mono.just(copy(r));
        }

        @Override
        public Mono<KubernetesResourceList<ControllerRevision>> list(String namespace, ListOptions options) {
            return Mono.error(new UnsupportedOperationException());
        }

        @Override
        public synchronized Mono<ControllerRevision> create(ControllerRevision object) {
            String k = object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
            if (objects.containsKey(k)) {
                return Mono.error(ApiStatusException.of(409,
                        new StatusBuilder().withReason("AlreadyExists").withCode(409).build(), k + " already exists"));
            }
            ControllerRevision stored = copy(object);
            stored.getMetadata().setResourceVersion(Long.toString(++rv));
            objects.put(k, stored);
            writes++;
            return Mono.just(copy(stored));
        }

        @Override
        public synchronized Mono<ControllerRevision> update(ControllerRevision object) {
            String k = object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
            ControllerRevision current = objects.get(k);
            if (current == null) {
                return Mono.error(ApiStatusException.of(404, null, k + " not found"));
            }
            if (!current.getMetadata().getResourceVersion().equals(object.getMetadata().getResourceVersion())) {
                return Mono.error(ApiStatusException.of(409, null, k + " modified"));
            }
            ControllerRevision stored = copy(object);
            stored.getMetadata().setResourceVersion(Long.toString(++rv));
            objects.put(k, stored);
            writes++;
            return Mono.just(copy(stored));
        }

        @Override
        public Mono<ControllerRevision> updateStatus(ControllerRevision object) {
            return update(object);
        }

        @Override
        public Mono<ControllerRevision> patch(String namespace, String name, PatchType type, String patch) {
            return Mono.error(new UnsupportedOperationException());
        }

        @Override
        public synchronized Mono<ControllerRevision> delete(String namespace, String name, DeleteOptions options) {
            ControllerRevision r = objects.remove(namespace + "/" + name);
            return r == null ? Mono.error(ApiStatusException.of(404, null, name + " not found")) : Mono.just(r);
        }

        @Override
        public Flux<WatchEvent<ControllerRevision>> watch(String namespace, ListOptions options, String from) {
            return Flux.error(new UnsupportedOperationException());
        }

        @Override
        public Mono<ControllerRevision> updateWithRetry(String namespace, String name,
                UnaryOperator<ControllerRevision> mutation, boolean status) {
            return get(namespace, name).flatMap(c -> {
                ControllerRevision m = mutation.apply(c);
                return m == null ? Mono.empty() : update(m);
            });
        }
    }
}
