package io.kube4j.client;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.client.config.ClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ResourceClient#deleteCollection} and {@link KubeClient#finalizeNamespace} against the real apiserver. */
class DeleteCollectionAndFinalizeIT {

    private static final Duration T = Duration.ofSeconds(30);
    private static KubeClient client;

    @BeforeAll
    static void start() {
        client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private static String namespace() {
        String ns = "dc-it-" + UUID.randomUUID().toString().substring(0, 8);
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                .build()).block(T);
        return ns;
    }

    private static ConfigMap cm(String ns, String name, Map<String, String> labels) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels)
                .endMetadata().build();
    }

    @Test
    void deleteCollectionDeletesWhatTheSelectorSelectsInOneNamespaceOnly() {
        String ns = namespace();
        String other = namespace();
        ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
        for (int i = 0; i < 5; i++) {
            cms.create(cm(ns, "a" + i, Map.of("app", i % 2 == 0 ? "even" : "odd"))).block(T);
        }
        cms.create(cm(other, "a0", Map.of("app", "even"))).block(T);

        List<ConfigMap> deleted = cms.deleteCollection(ns, ListOptions.all().withLabelSelector("app=even"),
                DeleteOptions.background()).block(T);

        assertThat(deleted).extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder("a0", "a2", "a4");
        assertThat(names(cms.list(ns, ListOptions.all()).block(T).getItems())).containsExactlyInAnyOrder("a1", "a3");
        assertThat(names(cms.list(other, ListOptions.all()).block(T).getItems())).containsExactly("a0");

        assertThat(cms.deleteCollection(ns, null, null).block(T)).hasSize(2);
        assertThat(cms.list(ns, ListOptions.all()).block(T).getItems()).isEmpty();
    }

    @Test
    void deleteCollectionOfANamespacedResourceNeedsANamespace() {
        assertThatThrownBy(() -> client.resources(ConfigMap.class).deleteCollection(null, null, null).block(T))
                .isInstanceOf(ApiStatusException.class)
                .satisfies(e -> assertThat(((ApiStatusException) e).code()).isEqualTo(405));
    }

    @Test
    void finalizeRemovesTheSpecFinalizerAndATerminatingNamespaceDisappears() {
        String ns = namespace();
        ResourceClient<Namespace> namespaces = client.resources(Namespace.class);
        Namespace created = namespaces.get(null, ns).block(T);
        assertThat(created.getSpec().getFinalizers()).containsExactly("kubernetes");

        Namespace terminating = namespaces.delete(null, ns, DeleteOptions.defaults()).block(T);
        assertThat(terminating.getStatus().getPhase()).isEqualTo("Terminating");

        Namespace stale = namespaces.get(null, ns).block(T);
        stale.getMetadata().setResourceVersion(created.getMetadata().getResourceVersion());
        stale.getSpec().setFinalizers(List.of());
        assertThatThrownBy(() -> client.finalizeNamespace(stale).block(T))
                .isInstanceOf(ApiStatusException.Conflict.class);

        Namespace current = namespaces.get(null, ns).block(T);
        current.getSpec().setFinalizers(List.of());
        client.finalizeNamespace(current).block(T);
        assertThatThrownBy(() -> namespaces.get(null, ns).block(T)).isInstanceOf(ApiStatusException.NotFound.class);
    }

    private static List<String> names(List<? extends HasMetadata> items) {
        return items.stream().map(i -> i.getMetadata().getName()).toList();
    }
}
