package io.kube4j.proxy.config;

import io.kube4j.proxy.model.Ipv4;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class ProxyAgentPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ProxyAgentProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAreKubeProxysDefaults() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            ProxyAgentProperties p = ctx.getBean(ProxyAgentProperties.class);
            assertThat(p.mode()).isEmpty();
            assertThat(p.ipvsFallback()).isEqualTo("fail");
            assertThat(p.nodeName()).isEqualTo(ProxyAgentProperties.hostname()).isNotBlank();
            assertThat(p.clusterCidr()).isEqualTo("10.244.0.0/16");
            assertThat(p.minSyncPeriod()).isEqualTo(Duration.ofSeconds(1));
            assertThat(p.syncPeriod()).isEqualTo(Duration.ofSeconds(30));
            assertThat(p.configSyncPeriod()).isEqualTo(Duration.ofMinutes(15));
            assertThat(p.masqueradeAll()).isFalse();
            assertThat(p.masqueradeBit()).isEqualTo(14);
            assertThat(p.masqueradeMark()).isEqualTo(0x4000);
            assertThat(p.nodePortAddresses()).isEmpty();
            assertThat(p.healthz()).isEqualTo(new ProxyAgentProperties.HostPort("0.0.0.0", 10256));
            assertThat(p.iptables().localhostNodePorts()).isTrue();
            assertThat(p.iptables().restoreTimeout()).isEqualTo(Duration.ofMinutes(1));
            assertThat(p.ipvs().scheduler()).isEqualTo("rr");
            assertThat(p.ipvs().strictArp()).isFalse();
            assertThat(p.ipvs().tcpTimeout()).isZero();
            assertThat(p.userspace().portRange()).isEmpty();
            assertThat(p.userspace().bindAddress()).isEqualTo("0.0.0.0");
            assertThat(p.userspace().udpIdleTimeout()).isEqualTo(Duration.ofMillis(250));
            assertThat(p.userspace().tcpConnectTimeout()).isEqualTo(Duration.ofMillis(250));
            assertThat(p.cleanup()).isFalse();
        });
    }

    @Test
    void bindsEveryOverride() {
        runner.withPropertyValues("kube4j.proxy.mode=IPVS", "kube4j.proxy.ipvs-fallback=iptables",
                "kube4j.proxy.node-name=Node-7", "kube4j.proxy.cluster-cidr=", "kube4j.proxy.min-sync-period=0s",
                "kube4j.proxy.sync-period=1m", "kube4j.proxy.config-sync-period=0", "kube4j.proxy.masquerade-all=true",
                "kube4j.proxy.masquerade-bit=0", "kube4j.proxy.node-port-addresses=127.0.0.0/8, 10.0.0.0/8",
                "kube4j.proxy.healthz-bind-address=127.0.0.1:0", "kube4j.proxy.iptables.localhost-node-ports=false",
                "kube4j.proxy.iptables.restore-timeout=5s", "kube4j.proxy.ipvs.scheduler=wlc",
                "kube4j.proxy.ipvs.strict-arp=true", "kube4j.proxy.ipvs.udp-timeout=30s",
                "kube4j.proxy.userspace.port-range=36000-36999", "kube4j.proxy.userspace.bind-address=127.0.0.1",
                "kube4j.proxy.userspace.udp-idle-timeout=1s", "kube4j.proxy.userspace.tcp-connect-timeout=1s", "kube4j.proxy.cleanup=true").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            ProxyAgentProperties p = ctx.getBean(ProxyAgentProperties.class);
            assertThat(p.mode()).isEqualTo("ipvs");
            assertThat(p.ipvsFallback()).isEqualTo("iptables");
            assertThat(p.nodeName()).isEqualTo("node-7");
            assertThat(p.clusterCidrOrNull()).isNull();
            assertThat(p.minSyncPeriod()).isZero();
            assertThat(p.syncPeriod()).isEqualTo(Duration.ofMinutes(1));
            assertThat(p.configSyncPeriod()).isZero();
            assertThat(p.masqueradeAll()).isTrue();
            assertThat(p.masqueradeMark()).isEqualTo(1);
            assertThat(p.nodePortAddresses()).containsExactly("127.0.0.0/8", "10.0.0.0/8");
            assertThat(p.healthz()).isEqualTo(new ProxyAgentProperties.HostPort("127.0.0.1", 0));
            assertThat(p.iptables()).isEqualTo(new ProxyAgentProperties.Iptables(false, Duration.ofSeconds(5)));
            assertThat(p.ipvs()).isEqualTo(new ProxyAgentProperties.Ipvs("wlc", true, Duration.ZERO, Duration.ZERO,
                    Duration.ofSeconds(30)));
            assertThat(p.userspace()).isEqualTo(new ProxyAgentProperties.Userspace("36000-36999", "127.0.0.1",
                    Duration.ofSeconds(1), Duration.ofSeconds(1), ""));
            assertThat(p.cleanup()).isTrue();
        });
    }

    @Test
    void portRangesAsKubeProxyWritesThem() {
        runner.withPropertyValues("kube4j.proxy.userspace.port-range=36000+1000").run(ctx ->
                assertThat(ctx.getBean(ProxyAgentProperties.class).userspace().portRange()).isEqualTo("36000+1000"));
    }

    @Test
    void anEmptyHealthzAddressTurnsHealthzOff() {
        runner.withPropertyValues("kube4j.proxy.healthz-bind-address=").run(ctx ->
                assertThat(ctx.getBean(ProxyAgentProperties.class).healthz()).isNull());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "mode                      | nftables     | kube4j.proxy.mode must be one of iptables, ipvs, userspace, or empty",
        "ipvs-fallback             | userspace    | kube4j.proxy.ipvs-fallback must be fail or iptables, got 'userspace'",
        "node-name                 | my_node      | kube4j.proxy.node-name must be a DNS subdomain",
        "cluster-cidr              | 10.244.0.0   | kube4j.proxy.cluster-cidr must be an IPv4 CIDR",
        "cluster-cidr              | 10.244.0.0/33 | kube4j.proxy.cluster-cidr must be an IPv4 CIDR",
        "cluster-cidr              | 300.1.0.0/16 | kube4j.proxy.cluster-cidr must be an IPv4 CIDR",
        "min-sync-period           | -1s          | kube4j.proxy.min-sync-period must be zero or positive",
        "sync-period               | 0s           | kube4j.proxy.sync-period must be positive",
        "min-sync-period           | 2m           | kube4j.proxy.min-sync-period (PT2M) must not be longer than kube4j.proxy.sync-period (PT30S)",
        "config-sync-period        | -1m          | kube4j.proxy.config-sync-period must be zero or positive",
        "masquerade-bit            | 32           | kube4j.proxy.masquerade-bit must be between 0 and 31, got '32'",
        "masquerade-bit            | -1           | kube4j.proxy.masquerade-bit must be between 0 and 31, got '-1'",
        "node-port-addresses       | 10.0.0.1     | kube4j.proxy.node-port-addresses must list IPv4 CIDRs",
        "healthz-bind-address      | 10256        | kube4j.proxy.healthz-bind-address must be host:port",
        "healthz-bind-address      | 0.0.0.0:70000 | kube4j.proxy.healthz-bind-address must be an IPv4 address and a port",
        "healthz-bind-address      | localhost:10256 | kube4j.proxy.healthz-bind-address must be an IPv4 address and a port",
        "iptables.restore-timeout  | 0s           | kube4j.proxy.iptables.restore-timeout must be positive",
        "ipvs.scheduler            | fastest      | kube4j.proxy.ipvs.scheduler must be one of [dh, lblc, lblcr, lc, nq, rr, sed, sh, wlc, wrr]",
        "ipvs.tcp-timeout          | -1s          | kube4j.proxy.ipvs.tcp-timeout must be zero (the kernel's) or positive",
        "ipvs.tcp-fin-timeout      | -1s          | kube4j.proxy.ipvs.tcp-fin-timeout must be zero (the kernel's) or positive",
        "ipvs.udp-timeout          | -1s          | kube4j.proxy.ipvs.udp-timeout must be zero (the kernel's) or positive",
        "userspace.port-range      | 37000-36000  | kube4j.proxy.userspace.port-range must be empty (any free port), first-last",
        "userspace.port-range      | 0-100        | kube4j.proxy.userspace.port-range must be empty (any free port), first-last",
        "userspace.port-range      | 36000-99999  | kube4j.proxy.userspace.port-range must be empty (any free port), first-last",
        "userspace.port-range      | 65000+1000   | kube4j.proxy.userspace.port-range must be empty (any free port), first-last",
        "userspace.port-range      | 36000+0      | kube4j.proxy.userspace.port-range must be empty (any free port), first-last",
        "userspace.port-range      | 36000        | kube4j.proxy.userspace.port-range must be empty (any free port), first-last",
        "userspace.tcp-connect-timeout | 0s       | kube4j.proxy.userspace.tcp-connect-timeout must be positive",
        "userspace.bind-address    | ::           | kube4j.proxy.userspace.bind-address must be an IPv4 address",
        "userspace.udp-idle-timeout | 0s          | kube4j.proxy.userspace.udp-idle-timeout must be positive",
    })
    void rejectsBadValuesWithAClearMessage(String property, String value, String message) {
        runner.withPropertyValues("kube4j.proxy." + property + "=" + value).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining(message);
        });
    }

    @Test
    void ipv4ParsingIsStrict() {
        assertThat(List.of("0.0.0.0", "255.255.255.255", "10.1.2.3")).allMatch(Ipv4::isValid);
        assertThat(List.of("", "1.2.3", "1.2.3.4.5", "256.1.1.1", "a.b.c.d", "1..2.3"))
                .noneMatch(Ipv4::isValid);
        assertThat(Ipv4.isValidCidr("10.0.0.0/0")).isTrue();
        assertThat(Ipv4.isValidCidr("10.0.0.0/")).isFalse();
    }
}
