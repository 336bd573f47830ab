package io.kube4j.controller.volume.persistentvolume;

import io.kube4j.controller.manager.ControllerFactory;
import io.kube4j.controller.volume.protection.PvProtectionControllerFactory;
import io.kube4j.controller.volume.protection.PvcProtectionControllerFactory;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class PersistentVolumeControllerPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(PersistentVolumeControllerProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAndOverridesBind() {
        runner.run(ctx -> assertThat(ctx.getBean(PersistentVolumeControllerProperties.class))
                .isEqualTo(PersistentVolumeControllerProperties.defaults()));
        runner.withPropertyValues("kube4j.controller.persistentvolume.resync=5s",
                "kube4j.controller.persistentvolume.local-path-class=node-disks",
                "kube4j.controller.persistentvolume.ensure-local-path-class=false").run(ctx -> {
                    PersistentVolumeControllerProperties p = ctx.getBean(PersistentVolumeControllerProperties.class);
                    assertThat(p.resync()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(p.localPathClass()).isEqualTo("node-disks");
                    assertThat(p.ensureLocalPathClass()).isFalse();
                });
    }

    @Test
    void rejectsAnInvalidClassNameWithAClearMessage() {
        runner.withPropertyValues("kube4j.controller.persistentvolume.local-path-class=Not_A_Name").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause()
                    .hasMessageContaining("kube4j.controller.persistentvolume.local-path-class: 'Not_A_Name'");
        });
    }

    @Test
    void theFactoriesAreNamedLikeKubeControllerManagers() {
        runner.withUserConfiguration(PersistentVolumeControllerFactory.class, PvcProtectionControllerFactory.class,
                PvProtectionControllerFactory.class).run(ctx -> assertThat(ctx.getBeansOfType(ControllerFactory.class).values())
                .extracting(ControllerFactory::name)
                .containsExactlyInAnyOrder("persistentvolume-binder", "pvc-protection", "pv-protection"));
    }
}
