package io.kube4j.client.informer;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.config.ClientConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The node agent's informer: pods selected by {@code spec.nodeName}, through a factory on a real client. */
class SelectedInformerIT {

    private static final Duration T = Duration.ofSeconds(30);

    private static Pod pod(String ns, String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build();
    }

    @Test
    void aFieldSelectedInformerSeesPodsBoundToItsNodeOnly() {
        try (KubeClient client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()))) {
            String ns = "selected-it-" + UUID.randomUUID().toString().substring(0, 8);
            client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(ns)
                    .endMetadata().build()).block(T);
            ResourceClient<Pod> pods = client.resources(Pod.class);
            pods.create(pod(ns, "early")).block(T);
            client.bindPod(ns, "early", "node-1").block(T);

            SharedInformerFactory factory = SharedInformerFactory.forClient(client, Duration.ZERO);
            try {
                ListOptions onNode1 = ListOptions.all().withFieldSelector("spec.nodeName=node-1");
                SharedIndexInformer<Pod> informer = factory.informerFor(Pod.class, null, onNode1);
                assertThat(factory.informerFor(Pod.class, null, onNode1)).isSameAs(informer);
                List<String> calls = new CopyOnWriteArrayList<>();
                informer.addEventHandler(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod p) {
                        calls.add("add " + p.getMetadata().getName());
                    }

                    @Override
                    public void onDelete(Pod p, boolean unknown) {
                        calls.add("delete " + p.getMetadata().getName());
                    }
                });
                factory.startAll();
                assertThat(factory.waitForCacheSync(T)).isTrue();
                await().atMost(T).until(() -> calls.contains("add early"));

                pods.create(pod(ns, "mine")).block(T);
                pods.create(pod(ns, "theirs")).block(T);
                client.bindPod(ns, "theirs", "node-2").block(T);
                client.bindPod(ns, "mine", "node-1").block(T); // enters the selection: an add
                await().atMost(T).until(() -> calls.contains("add mine"));
                pods.delete(ns, "early", DeleteOptions.now()).block(T);
                await().atMost(T).until(() -> calls.contains("delete early"));

                assertThat(informer.getIndexer().byIndex(Indexers.NODE_NAME, "node-1"))
                        .extracting(p -> p.getMetadata().getName()).containsExactly("mine");
                assertThat(informer.lister().get(ns, "theirs")).isNull();
                assertThat(calls).doesNotContain("add theirs");
            } finally {
                factory.stopAll();
            }
        }
    }
}
