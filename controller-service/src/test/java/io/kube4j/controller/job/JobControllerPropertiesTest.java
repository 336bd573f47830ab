package io.kube4j.controller.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.kube4j.controller.manager.ControllerFactory;
import io.kube4j.controller.ttlafterfinished.TtlAfterFinishedControllerFactory;
import io.kube4j.controller.ttlafterfinished.TtlAfterFinishedProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class JobControllerPropertiesTest {

    @Configuration
    @EnableConfigurationProperties({JobControllerProperties.class, TtlAfterFinishedProperties.class})
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAreKubernetesDefaults() {
        runner.run(ctx -> {
            assertThat(ctx.getBean(JobControllerProperties.class)).isEqualTo(JobControllerProperties.defaults());
            assertThat(ctx.getBean(TtlAfterFinishedProperties.class).concurrentSyncs()).isEqualTo(5);
        });
    }

    @Test
    void bindsAShortBackoffForTests() {
        runner.withPropertyValues("kube4j.controller.job.pod-failure-backoff-base=1s").run(ctx ->
                assertThat(ctx.getBean(JobControllerProperties.class).podFailureBackoffBase())
                        .isEqualTo(Duration.ofSeconds(1)));
    }

    @Test
    void rejectsAMaxBelowTheBase() {
        runner.withPropertyValues("kube4j.controller.job.pod-failure-backoff-base=1m",
                "kube4j.controller.job.pod-failure-backoff-max=10s").run(ctx -> {
                    assertThat(ctx).hasFailed();
                    assertThat(ctx.getStartupFailure()).rootCause()
                            .hasMessageContaining("pod-failure-backoff-max must be at least");
                });
    }

    @Test
    void theFactoriesAreNamedLikeKubeControllerManagers() {
        runner.withUserConfiguration(JobControllerFactory.class, TtlAfterFinishedControllerFactory.class).run(ctx ->
                assertThat(ctx.getBeansOfType(ControllerFactory.class).values()).extracting(ControllerFactory::name)
                        .containsExactlyInAnyOrder("job", "ttl-after-finished"));
    }
}
