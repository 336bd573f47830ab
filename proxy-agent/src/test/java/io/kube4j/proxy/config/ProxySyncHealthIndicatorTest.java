package io.kube4j.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kube4j.client.util.FakeClock;
import io.kube4j.proxy.ProxySyncException;
import io.kube4j.proxy.sync.RecordingProxier;
import io.kube4j.proxy.sync.SyncRunner;
import io.kube4j.proxy.tracker.ProxyStateTracker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import java.time.Duration;

class ProxySyncHealthIndicatorTest {

    private final FakeClock clock = new FakeClock();
    private final RecordingProxier proxier = new RecordingProxier();
    private final SyncRunner runner = new SyncRunner(proxier, new ProxyStateTracker("node-a", clock),
            Duration.ofSeconds(1), Duration.ofSeconds(30), new SimpleMeterRegistry(), clock);
    private final ProxySyncHealthIndicator indicator = new ProxySyncHealthIndicator(runner, "iptables",
            Duration.ofSeconds(30), clock);

    @Test
    void downUntilTheFirstSyncThenUpUntilSyncsStopSucceedingForTwiceTheSyncPeriod() {
        Health before = indicator.health();
        assertThat(before.getStatus()).isEqualTo(Status.DOWN);
        assertThat(before.getDetails()).containsEntry("reason", "no successful sync yet").containsEntry("mode", "iptables");

        runner.syncNow(true);
        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

        clock.advance(Duration.ofSeconds(60));
        assertThat(indicator.health().getStatus()).as("exactly 2 x syncPeriod old").isEqualTo(Status.UP);

        proxier.failNext(1);
        assertThatThrownBy(() -> runner.syncNow(true)).isInstanceOf(ProxySyncException.class);
        clock.advance(Duration.ofSeconds(1));
        Health stale = indicator.health();
        assertThat(stale.getStatus()).isEqualTo(Status.DOWN);
        assertThat(stale.getDetails()).containsEntry("reason", "no successful sync for 61s (timeout 60s)")
                .containsKey("lastSuccessfulSync");

        runner.syncNow(true);
        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
    }
}
