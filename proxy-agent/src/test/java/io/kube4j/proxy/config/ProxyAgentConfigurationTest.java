package io.kube4j.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.kube4j.client.KubeClient;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.proxy.Proxier;
import io.kube4j.proxy.exec.RecordingCommandRunner;
import io.kube4j.proxy.health.ProxyHealthServer;
import io.kube4j.proxy.health.ServiceHealthServer;
import io.kube4j.proxy.iptables.IptablesProxier;
import io.kube4j.proxy.sync.SyncRunner;
import io.kube4j.proxy.userspace.UserspaceProxier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The application's wiring, without a cluster: which beans exist in agent and in cleanup mode, and which proxier the
 * selected mode gets. The apiserver address points nowhere; nothing here waits for it.
 */
class ProxyAgentConfigurationTest {

    private static ApplicationContextRunner runner(RecordingCommandRunner host) {
        return new ApplicationContextRunner()
                .withUserConfiguration(ProxyModeConfiguration.class, ProxyAgentConfiguration.class,
                        ProxyCleanupConfiguration.class)
                .withBean(RecordingCommandRunner.class, () -> host)
                .withBean(SimpleMeterRegistry.class)
                .withPropertyValues("kube4j.client.server=http://127.0.0.1:9", "kube4j.proxy.node-name=node-a",
                        "kube4j.proxy.healthz-bind-address=127.0.0.1:0");
    }

    private static RecordingCommandRunner root() {
        return new RecordingCommandRunner().respond("id -u", 0, "0\n", "");
    }

    @Test
    void asRootTheAgentRunsIptablesWithEveryPartWired() {
        runner(root()).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(ProxyModeSelector.Selection.class).mode()).isEqualTo("iptables");
            assertThat(ctx.getBean(Proxier.class)).isInstanceOf(IptablesProxier.class);
            assertThat(ctx).hasSingleBean(KubeClient.class).hasSingleBean(SharedInformerFactory.class)
                    .hasSingleBean(SyncRunner.class).hasSingleBean(ProxyAgentLifecycle.class)
                    .doesNotHaveBean(ProxyCleanup.class);
            assertThat(ctx.getBean(KubeClient.class).config().server()).isEqualTo("http://127.0.0.1:9");
            // nothing synced (the apiserver is unreachable): the node is not programmed, health says so
            assertThat(ctx.getBean(ProxySyncHealthIndicator.class).health().getStatus()).isEqualTo(Status.DOWN);
            assertThat(ctx.getBean(ProxyAgentLifecycle.class).isRunning()).isTrue();
            // kube-proxy's /healthz listens (any free port here) before anything synced
            assertThat(ctx.getBean(ProxyHealthServer.class).port()).isPositive();
            assertThat(ctx).hasSingleBean(ServiceHealthServer.class);
        });
    }

    @Test
    void anEmptyHealthzAddressMeansNoHealthzServer() {
        runner(root()).withPropertyValues("kube4j.proxy.healthz-bind-address=").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).doesNotHaveBean(ProxyHealthServer.class).hasSingleBean(ServiceHealthServer.class);
        });
    }

    @Test
    void withoutRootTheAgentRunsUserspaceWithoutRedirect() {
        runner(new RecordingCommandRunner().respond("id -u", 0, "1000\n", "")).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            ProxyModeSelector.Selection s = ctx.getBean(ProxyModeSelector.Selection.class);
            assertThat(s.mode()).isEqualTo("userspace");
            assertThat(s.redirect()).isFalse();
            assertThat(ctx.getBean(Proxier.class)).isInstanceOf(UserspaceProxier.class);
        });
    }

    @Test
    void aModeTheNodeCannotRunStopsStartUpWithItsReason() {
        runner(new RecordingCommandRunner().respond("id -u", 0, "1000\n", ""))
                .withPropertyValues("kube4j.proxy.mode=iptables").run(ctx -> {
                    assertThat(ctx).hasFailed();
                    assertThat(ctx.getStartupFailure()).rootCause()
                            .isInstanceOf(ProxyModeUnavailableException.class)
                            .hasMessageContaining("needs root, but the agent runs as uid 1000");
                });
    }

    @Test
    void cleanupModeMakesNoClientNorInformers() {
        runner(root()).withPropertyValues("kube4j.proxy.cleanup=true").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).hasSingleBean(ProxyCleanup.class).doesNotHaveBean(KubeClient.class)
                    .doesNotHaveBean(SharedInformerFactory.class).doesNotHaveBean(SyncRunner.class)
                    .doesNotHaveBean(ProxyAgentLifecycle.class);
        });
    }

    @Test
    void cleanupCoversEveryModeWhoseToolsExist() {
        var meters = new SimpleMeterRegistry();
        var props = new ProxyAgentProperties("", "fail", "node-a", "", java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(30), java.time.Duration.ZERO, false, 14, null, "", null, null, null,
                true);
        assertThat(new ProxierFactory(props, new RecordingCommandRunner(), meters).forCleanup())
                .extracting(Proxier::mode).containsExactly("iptables", "ipvs", "userspace");
        assertThat(new ProxierFactory(props, new RecordingCommandRunner().installed("ipset"), meters).forCleanup())
                .extracting(Proxier::mode).containsExactly("ipvs");
        assertThat(new ProxierFactory(props, new RecordingCommandRunner().installed(), meters).forCleanup())
                .isEmpty();
    }
}
