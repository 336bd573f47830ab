package io.kube4j.controller.endpointslice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.kube4j.controller.endpoint.EndpointControllerProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class EndpointControllersPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({EndpointControllerProperties.class, EndpointSliceControllerProperties.class})
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaults() {
        runner.run(ctx -> {
            assertThat(ctx.getBean(EndpointControllerProperties.class)).isEqualTo(EndpointControllerProperties.defaults());
            EndpointSliceControllerProperties s = ctx.getBean(EndpointSliceControllerProperties.class);
            assertThat(s).isEqualTo(EndpointSliceControllerProperties.defaults());
            assertThat(s.maxEndpointsPerSlice()).isEqualTo(100);
            assertThat(s.concurrentSyncs()).isEqualTo(5);
            assertThat(s.endpointUpdatesBatchPeriod()).isEqualTo(Duration.ofMillis(250));
        });
    }

    @Test
    void binds() {
        runner.withPropertyValues("kube4j.controller.endpoint.concurrent-syncs=2",
                "kube4j.controller.endpoint.endpoint-updates-batch-period=0s",
                "kube4j.controller.endpointslice.max-endpoints-per-slice=500").run(ctx -> {
                    assertThat(ctx.getBean(EndpointControllerProperties.class).concurrentSyncs()).isEqualTo(2);
                    assertThat(ctx.getBean(EndpointControllerProperties.class).endpointUpdatesBatchPeriod()).isZero();
                    assertThat(ctx.getBean(EndpointSliceControllerProperties.class).maxEndpointsPerSlice()).isEqualTo(500);
                });
    }

    @Test
    void badValuesStopTheStartWithThePropertyName() {
        runner.withPropertyValues("kube4j.controller.endpointslice.max-endpoints-per-slice=1001").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure())
                    .hasStackTraceContaining("kube4j.controller.endpointslice.max-endpoints-per-slice");
        });
    }
}
