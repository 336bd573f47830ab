package io.kube4j.controller.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

class DeploymentControllerPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(DeploymentControllerProperties.class)
    @Import(DeploymentControllerFactory.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAreKubernetesDefaults() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(DeploymentControllerProperties.class))
                    .isEqualTo(DeploymentControllerProperties.defaults());
            assertThat(ctx.getBean(DeploymentControllerProperties.class).concurrentSyncs()).isEqualTo(5);
            DeploymentControllerFactory f = ctx.getBean(DeploymentControllerFactory.class);
            assertThat(f.name()).isEqualTo("deployment");
            assertThat(f.enabledByDefault()).isTrue();
        });
    }

    @Test
    void bindsItsPrefix() {
        runner.withPropertyValues("kube4j.controller.deployment.concurrent-syncs=2").run(ctx ->
                assertThat(ctx.getBean(DeploymentControllerProperties.class).concurrentSyncs()).isEqualTo(2));
    }

    @Test
    void rejectsNoWorkersWithAClearMessage() {
        runner.withPropertyValues("kube4j.controller.deployment.concurrent-syncs=0").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause()
                    .hasMessageContaining("kube4j.controller.deployment.concurrent-syncs must be at least 1");
        });
    }
}
