package io.kube4j.proxy.config;

import io.kube4j.client.util.Clock;
import io.kube4j.proxy.sync.SyncRunner;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.time.Duration;
import java.time.Instant;

/**
 * {@code /actuator/health} from the sync loop: DOWN until the first successful sync (the node is not programmed yet,
 * so {@code ./kube4j up} waits for it) and whenever no sync has succeeded for twice the sync period (kube-proxy's
 * healthz timeout); UP otherwise. Details: mode, last successful sync and its age.
 */
public class ProxySyncHealthIndicator implements HealthIndicator {

    private final SyncRunner runner;
    private final String mode;
    private final Duration timeout;
    private final Clock clock;

    public ProxySyncHealthIndicator(SyncRunner runner, String mode, Duration syncPeriod, Clock clock) {
        this.runner = runner;
        this.mode = mode;
        this.timeout = syncPeriod.multipliedBy(2);
        this.clock = clock;
    }

    @Override
    public Health health() {
        Instant last = runner.lastSuccessfulSync();
        if (last == null) {
            return Health.down().withDetail("mode", mode).withDetail("reason", "no successful sync yet").build();
        }
        Duration age = Duration.between(last, clock.now());
        Health.Builder h = age.compareTo(timeout) > 0 ? Health.down()
                .withDetail("reason", "no successful sync for " + age.toSeconds() + "s (timeout " + timeout.toSeconds()
                        + "s)") : Health.up();
        return h.withDetail("mode", mode).withDetail("lastSuccessfulSync", last.toString())
                .withDetail("ageSeconds", age.toMillis() / 1000.0).build();
    }
}
