package io.kube4j.addons.logging.config;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class LoggingPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(LoggingProperties.class)
    static class Props {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Props.class);

    @Test
    void defaults() {
        runner.run(ctx -> {
            LoggingProperties p = ctx.getBean(LoggingProperties.class);
            assertThat(p.retention()).isEqualTo(Duration.ofHours(24));
            assertThat(p.maxBytes()).isEqualTo(DataSize.ofGigabytes(1));
            assertThat(p.dataDir()).isEqualTo(Path.of("/var/lib/kube4j/logs"));
            assertThat(p.nodeName()).isNotBlank();
            assertThat(p.forward().lokiUrl()).isEmpty();
            assertThat(p.forward().batchSize()).isEqualTo(1000);
        });
    }

    @Test
    void boundFromProperties() {
        runner.withPropertyValues("kube4j.logging.node-name=Node-1", "kube4j.logging.retention=6h",
                "kube4j.logging.max-bytes=256MB", "kube4j.logging.forward.loki-url=http://127.0.0.1:3100/loki/api/v1/push",
                "kube4j.logging.forward.elasticsearch-index=logs").run(ctx -> {
                    LoggingProperties p = ctx.getBean(LoggingProperties.class);
                    assertThat(p.nodeName()).isEqualTo("node-1");
                    assertThat(p.retention()).isEqualTo(Duration.ofHours(6));
                    assertThat(p.maxBytes()).isEqualTo(DataSize.ofMegabytes(256));
                    assertThat(p.forward().lokiUrl()).endsWith("/loki/api/v1/push");
                    assertThat(p.forward().elasticsearchIndex()).isEqualTo("logs");
                });
    }

    @Test
    void aNonPositiveRetentionStopsStartUpWithTheReason() {
        runner.withPropertyValues("kube4j.logging.retention=0s").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("retention must be positive");
        });
    }
}
