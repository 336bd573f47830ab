package io.kube4j.client;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.kube4j.client.internal.ResourceList;
import io.kube4j.client.util.InMemoryResourceClient;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The default {@link ResourceClient#deleteCollection}: list, then delete each, skipping objects already gone. */
class DeleteCollectionFallbackTest {

    @Test
    void listsThenDeletesEachAndSkipsObjectsAlreadyGone() {
        InMemoryResourceClient<ConfigMap> fake = new InMemoryResourceClient<>(ConfigMap.class) {
            @Override
            public Mono<KubernetesResourceList<ConfigMap>> list(String namespace, ListOptions options) {
                List<ConfigMap> items = objects().stream()
                        .filter(c -> c.getMetadata().getNamespace().equals(namespace)).toList();
                // one listed object that someone else deletes before our delete reaches it
                List<ConfigMap> withGone = new java.util.ArrayList<>(items);
                withGone.add(cm(namespace, "gone"));
                return Mono.just(new ResourceList<>(new ListMeta(), withGone));
            }
        };
        fake.create(cm("a", "x")).block();
        fake.create(cm("a", "y")).block();
        fake.create(cm("b", "z")).block();

        List<ConfigMap> deleted = fake.deleteCollection("a", null, DeleteOptions.background())
                .block(Duration.ofSeconds(5));

        assertThat(deleted).extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder("x", "y");
        assertThat(fake.objects()).extracting(c -> c.getMetadata().getName()).containsExactly("z");
    }

    private static ConfigMap cm(String ns, String name) {
        return new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata().build();
    }
}
