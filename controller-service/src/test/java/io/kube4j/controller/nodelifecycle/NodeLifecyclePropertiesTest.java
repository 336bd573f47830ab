package io.kube4j.controller.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** Binding of {@code kube4j.controller.nodelifecycle.*}: Kubernetes' defaults, overrides and clear errors. */
class NodeLifecyclePropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(NodeLifecycleProperties.class)
    static class Config {
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAreKubernetesDefaults() {
        runner.run(ctx -> assertThat(ctx.getBean(NodeLifecycleProperties.class))
                .isEqualTo(NodeLifecycleProperties.defaults()));
    }

    @Test
    void overrides() {
        runner.withPropertyValues("kube4j.controller.nodelifecycle.node-monitor-grace-period=8s",
                "kube4j.controller.nodelifecycle.node-eviction-rate=0.5",
                "kube4j.controller.nodelifecycle.large-cluster-size-threshold=10").run(ctx -> {
                    NodeLifecycleProperties p = ctx.getBean(NodeLifecycleProperties.class);
                    assertThat(p.nodeMonitorGracePeriod()).isEqualTo(Duration.ofSeconds(8));
                    assertThat(p.nodeEvictionRate()).isEqualTo(0.5);
                    assertThat(p.largeClusterSizeThreshold()).isEqualTo(10);
                    assertThat(p.nodeMonitorPeriod()).isEqualTo(Duration.ofSeconds(5));
                });
    }

    @Test
    void badValuesFailWithThePropertyName() {
        runner.withPropertyValues("kube4j.controller.nodelifecycle.unhealthy-zone-threshold=1.5").run(ctx ->
                assertThat(ctx).getFailure().rootCause().hasMessageContaining(
                        "kube4j.controller.nodelifecycle.unhealthy-zone-threshold must be in (0, 1]"));
        runner.withPropertyValues("kube4j.controller.nodelifecycle.node-monitor-period=0s").run(ctx ->
                assertThat(ctx).getFailure().rootCause().hasMessageContaining("node-monitor-period must be positive"));
    }
}
