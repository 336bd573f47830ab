package io.kube4j.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.kube4j.client.leaderelection.LeaderElectionConfig;
import io.kube4j.scheduler.leaderelection.LeaderElectedScheduler;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class LeaderElectionPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(LeaderElectionProperties.class)
    static class Props {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Props.class);

    @Test
    void defaultsAreKubeSchedulers() {
        runner.run(ctx -> {
            LeaderElectionProperties p = ctx.getBean(LeaderElectionProperties.class);
            assertThat(p.enabled()).isTrue();
            LeaderElectionConfig c = p.toConfig("host_1");
            assertThat(c.leaseNamespace()).isEqualTo("kube-system");
            assertThat(c.leaseName()).isEqualTo("kube-scheduler");
            assertThat(c.identity()).isEqualTo("host_1");
            assertThat(c.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
            assertThat(c.renewDeadline()).isEqualTo(Duration.ofSeconds(10));
            assertThat(c.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
            assertThat(c.releaseOnStop()).isTrue();
        });
    }

    @Test
    void bindsRelaxedNames() {
        runner.withPropertyValues("kube4j.scheduler.leader-election.lease-duration=30s",
                "kube4j.scheduler.leader-election.renew-deadline=20s",
                "kube4j.scheduler.leader-election.retry-period=5s",
                "kube4j.scheduler.leader-election.resource-namespace=sched",
                "kube4j.scheduler.leader-election.resource-name=mine").run(ctx -> {
                    LeaderElectionConfig c = ctx.getBean(LeaderElectionProperties.class).toConfig("me");
                    assertThat(c.leaseDuration()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(c.renewDeadline()).isEqualTo(Duration.ofSeconds(20));
                    assertThat(c.retryPeriod()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(c.leaseNamespace()).isEqualTo("sched");
                    assertThat(c.leaseName()).isEqualTo("mine");
                });
    }

    @Test
    void rejectsARenewDeadlineNotShorterThanTheLease() {
        runner.withPropertyValues("kube4j.scheduler.leader-election.renew-deadline=15s").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining(
                    "kube4j.scheduler.leader-election: leaseDuration (PT15S) must be greater than renewDeadline");
        });
    }

    @Test
    void disabledSkipsTheTimingChecks() {
        runner.withPropertyValues("kube4j.scheduler.leader-election.enabled=false",
                "kube4j.scheduler.leader-election.renew-deadline=15s").run(ctx -> assertThat(ctx).hasNotFailed());
    }

    @Test
    void theIdentityIsTheHostnameAndAUuidAsInKubernetes() {
        String id = LeaderElectedScheduler.defaultIdentity();
        assertThat(id).matches(".+_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(LeaderElectedScheduler.defaultIdentity()).isNotEqualTo(id);
    }
}
