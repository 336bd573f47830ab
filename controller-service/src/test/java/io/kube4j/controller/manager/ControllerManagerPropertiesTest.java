package io.kube4j.controller.manager;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class ControllerManagerPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ControllerManagerProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAreKubeControllerManagers() {
        runner.run(ctx -> {
            ControllerManagerProperties p = ctx.getBean(ControllerManagerProperties.class);
            assertThat(p.controllers()).containsExactly("*");
            assertThat(p.leaderElection().enabled()).isTrue();
            assertThat(p.leaderElection().resourceNamespace()).isEqualTo("kube-system");
            assertThat(p.leaderElection().resourceName()).isEqualTo("kube-controller-manager");
            assertThat(p.leaderElection().leaseDuration()).isEqualTo(Duration.ofSeconds(15));
            assertThat(p.leaderElection().toConfig("me").renewDeadline()).isEqualTo(Duration.ofSeconds(10));
        });
    }

    @Test
    void bindsListsAndDurations() {
        runner.withPropertyValues("kube4j.controller.controllers=*,-podgc", "kube4j.controller.resync=30s",
                "kube4j.controller.leader-election.enabled=false").run(ctx -> {
                    ControllerManagerProperties p = ctx.getBean(ControllerManagerProperties.class);
                    assertThat(p.controllers()).containsExactly("*", "-podgc");
                    assertThat(p.resync()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(p.leaderElection().enabled()).isFalse();
                });
    }

    @Test
    void badTimingsStopTheStartWithThePropertyName() {
        runner.withPropertyValues("kube4j.controller.leader-election.renew-deadline=20s").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure())
                    .hasStackTraceContaining("kube4j.controller.leader-election: leaseDuration");
        });
    }
}
