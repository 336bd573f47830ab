package io.kube4j.controller.garbagecollector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

class GarbageCollectorPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(GarbageCollectorProperties.class)
    @Import(GarbageCollectorFactory.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAreKubernetesDefaults() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(GarbageCollectorProperties.class)).isEqualTo(GarbageCollectorProperties.defaults());
            GarbageCollectorFactory f = ctx.getBean(GarbageCollectorFactory.class);
            assertThat(f.name()).isEqualTo("garbagecollector");
            assertThat(f.enabledByDefault()).isTrue();
        });
    }

    @Test
    void bindsItsPrefix() {
        runner.withPropertyValues("kube4j.controller.garbagecollector.concurrent-gc-syncs=5",
                "kube4j.controller.garbagecollector.enabled=false").run(ctx -> {
            assertThat(ctx.getBean(GarbageCollectorProperties.class).concurrentGcSyncs()).isEqualTo(5);
            assertThat(ctx.getBean(GarbageCollectorFactory.class).enabledByDefault()).isFalse();
        });
    }

    @Test
    void rejectsNoWorkersWithAClearMessage() {
        runner.withPropertyValues("kube4j.controller.garbagecollector.concurrent-gc-syncs=0").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause()
                    .hasMessageContaining("kube4j.controller.garbagecollector.concurrent-gc-syncs must be at least 1");
        });
    }

    @Test
    void watchesEveryRegisteredResourceButEvents() {
        var types = GarbageCollectorFactory.watchedTypes(GcFixtures.REGISTRY);
        assertThat(types).extracting(t -> t.kind()).contains("Pod", "ReplicaSet", "Deployment", "Node", "Namespace",
                "ConfigMap", "Job").doesNotContain("Event");
        // every stored type but Events (the create-only reviews are never stored, so they own nothing)
        assertThat(types).hasSize((int) GcFixtures.REGISTRY.all().stream().filter(t -> t.stored()).count() - 1);
        assertThat(types).extracting(t -> t.kind()).doesNotContain("SubjectAccessReview", "TokenReview");
    }
}
