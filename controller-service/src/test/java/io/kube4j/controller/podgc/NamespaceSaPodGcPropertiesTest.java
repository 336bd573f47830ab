package io.kube4j.controller.podgc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.kube4j.controller.manager.ControllerFactory;
import io.kube4j.controller.namespace.NamespaceControllerFactory;
import io.kube4j.controller.namespace.NamespaceControllerProperties;
import io.kube4j.controller.serviceaccount.ServiceAccountControllerProperties;
import io.kube4j.controller.serviceaccount.ServiceAccountsControllerFactory;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Binding of {@code kube4j.controller.namespace.*}, {@code .serviceaccount.*} and {@code .podgc.*}. */
class NamespaceSaPodGcPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({NamespaceControllerProperties.class, ServiceAccountControllerProperties.class,
            PodGcControllerProperties.class})
    static class Config {
    }

    @Configuration(proxyBeanMethods = false)
    @Import({Config.class, NamespaceControllerFactory.class, ServiceAccountsControllerFactory.class,
            PodGcControllerFactory.class})
    static class Factories {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAreKubeControllerManagers() {
        runner.run(ctx -> {
            assertThat(ctx.getBean(NamespaceControllerProperties.class)).isEqualTo(NamespaceControllerProperties.defaults());
            assertThat(ctx.getBean(NamespaceControllerProperties.class).concurrentSyncs()).isEqualTo(10);
            assertThat(ctx.getBean(NamespaceControllerProperties.class).syncPeriod()).isEqualTo(Duration.ofMinutes(5));
            assertThat(ctx.getBean(ServiceAccountControllerProperties.class).serviceAccounts()).containsExactly("default");
            PodGcControllerProperties podgc = ctx.getBean(PodGcControllerProperties.class);
            assertThat(podgc).isEqualTo(PodGcControllerProperties.defaults());
            assertThat(podgc.terminatedPodGcThreshold()).isEqualTo(12500);
            assertThat(podgc.gcCheckPeriod()).isEqualTo(Duration.ofSeconds(20));
            assertThat(podgc.quarantineTime()).isEqualTo(Duration.ofSeconds(40));
        });
    }

    @Test
    void theFactoriesAreBeansWithKubernetesNames() {
        new ApplicationContextRunner().withUserConfiguration(Factories.class).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBeansOfType(ControllerFactory.class).values()).extracting(ControllerFactory::name)
                    .containsExactlyInAnyOrder("namespace", "serviceaccount", "podgc");
        });
    }

    @Test
    void bindsOverrides() {
        runner.withPropertyValues("kube4j.controller.namespace.concurrent-syncs=2",
                "kube4j.controller.namespace.deletion-delay=0s",
                "kube4j.controller.serviceaccount.service-accounts=default,builder",
                "kube4j.controller.podgc.terminated-pod-gc-threshold=100",
                "kube4j.controller.podgc.gc-check-period=5s").run(ctx -> {
                    assertThat(ctx.getBean(NamespaceControllerProperties.class).concurrentSyncs()).isEqualTo(2);
                    assertThat(ctx.getBean(NamespaceControllerProperties.class).deletionDelay()).isZero();
                    assertThat(ctx.getBean(ServiceAccountControllerProperties.class).serviceAccounts())
                            .containsExactly("default", "builder");
                    assertThat(ctx.getBean(PodGcControllerProperties.class).terminatedPodGcThreshold()).isEqualTo(100);
                    assertThat(ctx.getBean(PodGcControllerProperties.class).gcCheckPeriod())
                            .isEqualTo(Duration.ofSeconds(5));
                });
    }

    @Test
    void badValuesStopTheStartWithThePropertyName() {
        runner.withPropertyValues("kube4j.controller.podgc.terminated-pod-gc-threshold=-1").run(ctx ->
                assertThat(ctx.getStartupFailure()).hasStackTraceContaining("terminated-pod-gc-threshold"));
        runner.withPropertyValues("kube4j.controller.namespace.sync-period=0s").run(ctx ->
                assertThat(ctx.getStartupFailure()).hasStackTraceContaining("kube4j.controller.namespace.sync-period"));
        runner.withPropertyValues("kube4j.controller.serviceaccount.service-accounts=Not_Valid").run(ctx ->
                assertThat(ctx.getStartupFailure()).hasStackTraceContaining("'Not_Valid' is not a valid ServiceAccount"));
    }
}
