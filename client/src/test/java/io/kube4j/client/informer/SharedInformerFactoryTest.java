package io.kube4j.client.informer;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SharedInformerFactoryTest {

    @Test
    void sharesOneInformerPerTypeNamespaceAndSelectors() {
        FakeResourceClient server = new FakeResourceClient();
        server.put("a", "v");
        AtomicInteger clientsMade = new AtomicInteger();
        SharedInformerFactory factory = new SharedInformerFactory(type -> {
            clientsMade.incrementAndGet();
            return (ResourceClient<?>) server;
        });
        try {
            SharedIndexInformer<ConfigMap> one = factory.informerFor(ConfigMap.class, "ns");
            SharedIndexInformer<ConfigMap> same = factory.informerFor(ConfigMap.class, "ns", ListOptions.all()
                    .withLabelSelector(""));
            SharedIndexInformer<ConfigMap> selected = factory.informerFor(ConfigMap.class, "ns", ListOptions.all()
                    .withLabelSelector("app=web"));
            SharedIndexInformer<ConfigMap> otherNs = factory.informerFor(ConfigMap.class, null);

            assertThat(same).isSameAs(one);
            assertThat(selected).isNotSameAs(one);
            assertThat(otherNs).isNotSameAs(one).isNotSameAs(selected);
            assertThat(clientsMade).hasValue(3);
            assertThat(one.hasSynced()).isFalse();

            factory.startAll();
            assertThat(factory.waitForCacheSync(Duration.ofSeconds(10))).isTrue();
            assertThat(one.lister().get("ns", "a")).isNotNull();

            // made after startAll: started at once
            SharedIndexInformer<ConfigMap> late = factory.informerFor(ConfigMap.class, "ns", ListOptions.all()
                    .withFieldSelector("metadata.name=a"));
            await().until(late::hasSynced);
        } finally {
            factory.stopAll();
        }
        await().until(() -> server.openWatches() == 0);
    }
}
