package io.kube4j.controller.podautoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

class HorizontalPodAutoscalerPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(HorizontalPodAutoscalerProperties.class)
    @Import(HorizontalPodAutoscalerControllerFactory.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAreKubernetesDefaults() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(HorizontalPodAutoscalerProperties.class))
                    .isEqualTo(HorizontalPodAutoscalerProperties.defaults());
            assertThat(ctx.getBean(HorizontalPodAutoscalerControllerFactory.class).name())
                    .isEqualTo("horizontalpodautoscaling");
        });
    }

    @Test
    void bindsItsPrefix() {
        runner.withPropertyValues("kube4j.controller.horizontal-pod-autoscaler.sync-period=2s",
                "kube4j.controller.horizontal-pod-autoscaler.tolerance=0.05",
                "kube4j.controller.horizontal-pod-autoscaler.downscale-stabilization=30s").run(ctx -> {
            HorizontalPodAutoscalerProperties p = ctx.getBean(HorizontalPodAutoscalerProperties.class);
            assertThat(p.syncPeriod()).isEqualTo(Duration.ofSeconds(2));
            assertThat(p.tolerance()).isEqualTo(0.05);
            assertThat(p.downscaleStabilization()).isEqualTo(Duration.ofSeconds(30));
        });
    }

    @Test
    void rejectsBadValuesWithAClearMessage() {
        runner.withPropertyValues("kube4j.controller.horizontal-pod-autoscaler.sync-period=0s").run(ctx ->
                assertThat(ctx.getStartupFailure()).rootCause()
                        .hasMessageContaining("kube4j.controller.horizontal-pod-autoscaler.sync-period must be positive"));
        runner.withPropertyValues("kube4j.controller.horizontal-pod-autoscaler.tolerance=1.5").run(ctx ->
                assertThat(ctx.getStartupFailure()).rootCause()
                        .hasMessageContaining("tolerance must be in [0, 1)"));
    }
}
