package io.kube4j.apiserver.config;

import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /readyz}: the watch cache in sync, and the storage answering within its deadline. */
class HealthHandlerTest {

    private static final Duration TIMEOUT = Duration.ofMillis(200);

    @Test
    void readyWhenTheCachesAreSyncedAndTheStorageAnswers() {
        HealthHandler h = new HealthHandler(() -> true, () -> Mono.just(42L), TIMEOUT);
        assertThat(status(h)).isEqualTo(200);
    }

    @Test
    void notReadyWhenTheStorageDoesNotAnswerInTime() {
        // a partition: the storage neither answers nor fails; the probe must not hang with it
        HealthHandler h = new HealthHandler(() -> true, Mono::never, TIMEOUT);
        long start = System.nanoTime();
        assertThat(status(h)).isEqualTo(503);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void notReadyWhenTheStorageFails() {
        HealthHandler h = new HealthHandler(() -> true, () -> Mono.error(new IllegalStateException("unavailable")),
                TIMEOUT);
        assertThat(status(h)).isEqualTo(503);
    }

    @Test
    void notReadyUntilTheCachesAreSyncedWithoutAskingTheStorage() {
        AtomicInteger probes = new AtomicInteger();
        HealthHandler h = new HealthHandler(() -> false, () -> Mono.fromCallable(probes::incrementAndGet), TIMEOUT);
        assertThat(status(h)).isEqualTo(503);
        assertThat(probes).hasValue(0);
    }

    @Test
    void probesCloseTogetherShareOneStorageRoundTrip() {
        AtomicInteger probes = new AtomicInteger();
        HealthHandler h = new HealthHandler(() -> true, () -> Mono.fromCallable(probes::incrementAndGet), TIMEOUT);
        for (int i = 0; i < 5; i++) {
            assertThat(status(h)).isEqualTo(200);
        }
        assertThat(probes).hasValue(1);
    }

    private static int status(HealthHandler h) {
        ServerResponse r = h.readyz(null).block(Duration.ofSeconds(5));
        return r.statusCode().value();
    }
}
