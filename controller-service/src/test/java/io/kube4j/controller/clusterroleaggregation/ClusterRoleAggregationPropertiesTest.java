package io.kube4j.controller.clusterroleaggregation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

class ClusterRoleAggregationPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ClusterRoleAggregationProperties.class)
    @Import(ClusterRoleAggregationControllerFactory.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAndBinding() {
        runner.run(ctx -> {
            assertThat(ctx.getBean(ClusterRoleAggregationProperties.class))
                    .isEqualTo(ClusterRoleAggregationProperties.defaults());
            assertThat(ctx.getBean(ClusterRoleAggregationControllerFactory.class).name())
                    .isEqualTo("clusterrole-aggregation");
        });
        runner.withPropertyValues("kube4j.controller.clusterrole-aggregation.concurrent-syncs=2").run(ctx ->
                assertThat(ctx.getBean(ClusterRoleAggregationProperties.class).concurrentSyncs()).isEqualTo(2));
        runner.withPropertyValues("kube4j.controller.clusterrole-aggregation.concurrent-syncs=0").run(ctx ->
                assertThat(ctx).getFailure().rootCause().hasMessageContaining("concurrent-syncs must be at least 1"));
    }
}
