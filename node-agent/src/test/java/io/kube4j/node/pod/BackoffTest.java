package io.kube4j.node.pod;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import io.kube4j.client.util.FakeClock;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesUpToTheMaximumAndResetsAfterAQuietPeriod() {
        FakeClock clock = new FakeClock(Instant.parse("2026-11-27T00:00:00Z"));
        Backoff b = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(10), clock);
        assertThat(b.remaining("k")).isZero();
        assertThat(b.next("k")).hasSeconds(10);
        assertThat(b.remaining("k")).hasSeconds(10);
        clock.advance(Duration.ofSeconds(10));
        assertThat(b.remaining("k")).isZero();
        assertThat(b.next("k")).hasSeconds(20);
        for (int i = 0; i < 10; i++) {
            b.next("k");
        }
        assertThat(b.current("k")).isEqualTo(Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(11));
        assertThat(b.next("k")).hasSeconds(10);
        b.forgetPrefix("k");
        assertThat(b.current("k")).isZero();
    }

    @Test
    void formatsDurationsAsTheKubelet() {
        assertThat(PodSyncer.human(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(PodSyncer.human(Duration.ofSeconds(80))).isEqualTo("1m20s");
        assertThat(PodSyncer.human(Duration.ofMinutes(5))).isEqualTo("5m0s");
    }
}
