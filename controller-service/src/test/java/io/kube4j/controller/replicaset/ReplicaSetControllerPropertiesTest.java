package io.kube4j.controller.replicaset;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class ReplicaSetControllerPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(ReplicaSetControllerProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAreKubernetesDefaults() {
        runner.run(ctx -> assertThat(ctx.getBean(ReplicaSetControllerProperties.class))
                .isEqualTo(ReplicaSetControllerProperties.defaults())
                .isEqualTo(new ReplicaSetControllerProperties(5, 500)));
    }

    @Test
    void bindsOverrides() {
        runner.withPropertyValues("kube4j.controller.replicaset.concurrent-syncs=2",
                "kube4j.controller.replicaset.burst-replicas=50").run(ctx -> {
                    ReplicaSetControllerProperties p = ctx.getBean(ReplicaSetControllerProperties.class);
                    assertThat(p.concurrentSyncs()).isEqualTo(2);
                    assertThat(p.burstReplicas()).isEqualTo(50);
                });
    }

    @Test
    void rejectsNonPositiveValuesWithAClearMessage() {
        runner.withPropertyValues("kube4j.controller.replicaset.burst-replicas=0").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause()
                    .hasMessageContaining("kube4j.controller.replicaset.burst-replicas must be at least 1");
        });
    }

    @Test
    void theFactoryIsABeanNamedLikeKubeControllerManagers() {
        runner.withUserConfiguration(ReplicaSetControllerFactory.class).run(ctx ->
                assertThat(ctx.getBean(io.kube4j.controller.manager.ControllerFactory.class).name())
                        .isEqualTo("replicaset"));
    }
}
