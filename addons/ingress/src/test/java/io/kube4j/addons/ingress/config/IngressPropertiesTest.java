package io.kube4j.addons.ingress.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code kube4j.ingress.*}: the node's 80/443 and kube4j's controller name unless configured otherwise. */
class IngressPropertiesTest {

    @EnableConfigurationProperties(IngressProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaults() {
        runner.run(ctx -> {
            IngressProperties p = ctx.getBean(IngressProperties.class);
            assertThat(p.httpPort()).isEqualTo(80);
            assertThat(p.httpsPort()).isEqualTo(443);
            assertThat(p.bindAddress()).isEqualTo("0.0.0.0");
            assertThat(p.statusAddress()).isEmpty();
            assertThat(p.controllerName()).isEqualTo("kube4j.io/ingress");
            assertThat(p.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(p.responseTimeout()).isEqualTo(Duration.ofSeconds(60));
            assertThat(p.ensureDefaultClass()).isFalse();
        });
    }

    @Test
    void bound() {
        runner.withPropertyValues("kube4j.ingress.http-port=8080", "kube4j.ingress.https-port=-1",
                "kube4j.ingress.status-address=192.168.1.10", "kube4j.ingress.connect-timeout=250ms",
                "kube4j.ingress.controller-name=example.com/edge", "kube4j.ingress.ensure-default-class=true").run(ctx -> {
                    IngressProperties p = ctx.getBean(IngressProperties.class);
                    assertThat(p.httpPort()).isEqualTo(8080);
                    assertThat(p.httpsPort()).isEqualTo(-1);
                    assertThat(p.statusAddress()).isEqualTo("192.168.1.10");
                    assertThat(p.connectTimeout()).isEqualTo(Duration.ofMillis(250));
                    assertThat(p.controllerName()).isEqualTo("example.com/edge");
                    assertThat(p.ensureDefaultClass()).isTrue();
                });
    }
}
