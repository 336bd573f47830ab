package io.kube4j.addons.dns;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import java.net.InetSocketAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kube4j.dns.*}: defaults as CoreDNS's, upstreams parsed with and without ports, bad values refused. */
class DnsPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(DnsProperties.class)
    static class Props {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Props.class);

    @Test
    void defaults() {
        runner.run(ctx -> {
            DnsProperties p = ctx.getBean(DnsProperties.class);
            assertThat(p.clusterDomain()).isEqualTo("cluster.local");
            assertThat(p.ttl()).isEqualTo(Duration.ofSeconds(5));
            assertThat(p.cell()).isEqualTo("local");
            assertThat(p.port()).isEqualTo(53);
            assertThat(p.upstreams()).isEmpty();
        });
    }

    @Test
    void upstreamsWithAndWithoutPorts() {
        runner.withPropertyValues("kube4j.dns.upstreams=127.0.0.1:5353,10.0.0.1,[::1]:54", "kube4j.dns.ttl=30s",
                "kube4j.dns.cell=west").run(ctx -> {
                    DnsProperties p = ctx.getBean(DnsProperties.class);
                    assertThat(p.upstreamAddresses()).containsExactly(new InetSocketAddress("127.0.0.1", 5353),
                            new InetSocketAddress("10.0.0.1", 53), new InetSocketAddress("::1", 54));
                    assertThat(p.ttl()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(p.cell()).isEqualTo("west");
                });
    }

    @Test
    void aCellOfSeveralLabelsIsRefused() {
        runner.withPropertyValues("kube4j.dns.cell=a.b").run(ctx -> assertThat(ctx).hasFailed()
                .getFailure().rootCause().hasMessageContaining("kube4j.dns.cell"));
    }
}
