package io.kube4j.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class SchedulerPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(SchedulerProperties.class)
    static class Props {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Props.class);

    @Test
    void defaultsAreKubernetesDefaults() {
        runner.run(ctx -> {
            SchedulerProperties p = ctx.getBean(SchedulerProperties.class);
            assertThat(p.schedulerName()).isEqualTo("default-scheduler");
            assertThat(p.percentageOfNodesToScore()).isZero();
            assertThat(p.podInitialBackoff()).isEqualTo(Duration.ofSeconds(1));
            assertThat(p.podMaxBackoff()).isEqualTo(Duration.ofSeconds(10));
            assertThat(p.unschedulableFlushInterval()).isEqualTo(Duration.ofSeconds(60));
            assertThat(p.effectiveParallelism()).isEqualTo(Runtime.getRuntime().availableProcessors());
        });
    }

    @Test
    void bindsRelaxedNames() {
        runner.withPropertyValues("kube4j.scheduler.scheduler-name=batch", "kube4j.scheduler.percentage-of-nodes-to-score=30",
                "kube4j.scheduler.pod-max-backoff=20s", "kube4j.scheduler.parallelism=3").run(ctx -> {
                    SchedulerProperties p = ctx.getBean(SchedulerProperties.class);
                    assertThat(p.schedulerName()).isEqualTo("batch");
                    assertThat(p.percentageOfNodesToScore()).isEqualTo(30);
                    assertThat(p.podMaxBackoff()).isEqualTo(Duration.ofSeconds(20));
                    assertThat(p.effectiveParallelism()).isEqualTo(3);
                });
    }

    @Test
    void rejectsAPercentageOutOfRange() {
        runner.withPropertyValues("kube4j.scheduler.percentage-of-nodes-to-score=120").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining(
                    "percentage-of-nodes-to-score must be within 0..100, got 120");
        });
    }
}
