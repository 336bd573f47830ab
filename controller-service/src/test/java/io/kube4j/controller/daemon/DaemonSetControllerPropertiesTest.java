package io.kube4j.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class DaemonSetControllerPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(DaemonSetControllerProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAreKubernetesDefaultsAndOverridesBind() {
        runner.run(ctx -> assertThat(ctx.getBean(DaemonSetControllerProperties.class))
                .isEqualTo(DaemonSetControllerProperties.defaults())
                .isEqualTo(new DaemonSetControllerProperties(2, 250)));
        runner.withPropertyValues("kube4j.controller.daemonset.concurrent-syncs=4",
                "kube4j.controller.daemonset.burst-replicas=10").run(ctx ->
                assertThat(ctx.getBean(DaemonSetControllerProperties.class))
                        .isEqualTo(new DaemonSetControllerProperties(4, 10)));
    }

    @Test
    void rejectsNonPositiveValuesWithAClearMessage() {
        runner.withPropertyValues("kube4j.controller.daemonset.concurrent-syncs=0").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause()
                    .hasMessageContaining("kube4j.controller.daemonset.concurrent-syncs must be at least 1");
        });
    }

    @Test
    void theFactoryIsABeanNamedLikeKubeControllerManagers() {
        runner.withUserConfiguration(DaemonSetControllerFactory.class).run(ctx ->
                assertThat(ctx.getBean(io.kube4j.controller.manager.ControllerFactory.class).name())
                        .isEqualTo("daemonset"));
    }
}
