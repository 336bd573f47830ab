package io.kube4j.controller.statefulset;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class StatefulSetControllerPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(StatefulSetControllerProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAreKubernetesDefaultsAndOverridesBind() {
        runner.run(ctx -> assertThat(ctx.getBean(StatefulSetControllerProperties.class))
                .isEqualTo(StatefulSetControllerProperties.defaults())
                .isEqualTo(new StatefulSetControllerProperties(5)));
        runner.withPropertyValues("kube4j.controller.statefulset.concurrent-syncs=2").run(ctx ->
                assertThat(ctx.getBean(StatefulSetControllerProperties.class).concurrentSyncs()).isEqualTo(2));
    }

    @Test
    void rejectsNonPositiveSyncsWithAClearMessage() {
        runner.withPropertyValues("kube4j.controller.statefulset.concurrent-syncs=0").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause()
                    .hasMessageContaining("kube4j.controller.statefulset.concurrent-syncs must be at least 1");
        });
    }

    @Test
    void theFactoryIsABeanNamedLikeKubeControllerManagers() {
        runner.withUserConfiguration(StatefulSetControllerFactory.class).run(ctx ->
                assertThat(ctx.getBean(io.kube4j.controller.manager.ControllerFactory.class).name())
                        .isEqualTo("statefulset"));
    }
}
